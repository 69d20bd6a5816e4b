"""The services' statements compiled for SQLite: written by `python -m tracker.fast.generate`;
do not edit (a test fails when this no longer matches them)."""

# fmt: off
# ruff: noqa
HEAD_REVISION = '0024'

# name: (SQL, ((parameter, kind, expanding), ...), (column, ...), (column kind, ...))
STATEMENTS = {'audit': ('INSERT INTO status_change (action_id, member_id, from_status, to_status, note, forced, at, '
           'on_behalf_of, import_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
           (('action_id', None, False),
            ('member_id', None, False),
            ('from_status', 'enum', False),
            ('to_status', 'enum', False),
            ('note', None, False),
            ('forced', 'bool', False),
            ('at', 'utc', False),
            ('on_behalf_of', None, False),
            ('import_key', None, False)),
           (),
           ()),
 'count/all/either/any': ('SELECT count(*) AS count_1 \n'
                          'FROM action \n'
                          'WHERE action.lead_id IN (__[POSTCOMPILE_stakeholders]) OR action.id IN (SELECT '
                          'action_partner.action_id \n'
                          'FROM action_partner \n'
                          'WHERE action_partner.stakeholder_id IN (__[POSTCOMPILE_stakeholders]))',
                          (('stakeholders', None, True), ('stakeholders', None, True)),
                          (None,),
                          (None,)),
 'count/all/either/statuses': ('SELECT count(*) AS count_1 \n'
                               'FROM action \n'
                               'WHERE (action.lead_id IN (__[POSTCOMPILE_stakeholders]) OR action.id IN '
                               '(SELECT action_partner.action_id \n'
                               'FROM action_partner \n'
                               'WHERE action_partner.stakeholder_id IN (__[POSTCOMPILE_stakeholders]))) AND '
                               'action.status IN (__[POSTCOMPILE_statuses])',
                               (('stakeholders', None, True),
                                ('stakeholders', None, True),
                                ('statuses', 'enum', True)),
                               (None,),
                               (None,)),
 'count/all/lead/any': ('SELECT count(*) AS count_1 \n'
                        'FROM action \n'
                        'WHERE action.lead_id IN (__[POSTCOMPILE_stakeholders])',
                        (('stakeholders', None, True),),
                        (None,),
                        (None,)),
 'count/all/lead/statuses': ('SELECT count(*) AS count_1 \n'
                             'FROM action \n'
                             'WHERE action.lead_id IN (__[POSTCOMPILE_stakeholders]) AND action.status IN '
                             '(__[POSTCOMPILE_statuses])',
                             (('stakeholders', None, True), ('statuses', 'enum', True)),
                             (None,),
                             (None,)),
 'count/all/none/any': ('SELECT count(*) AS count_1 \nFROM action', (), (None,), (None,)),
 'count/all/none/statuses': ('SELECT count(*) AS count_1 \n'
                             'FROM action \n'
                             'WHERE action.status IN (__[POSTCOMPILE_statuses])',
                             (('statuses', 'enum', True),),
                             (None,),
                             (None,)),
 'count/all/partner/any': ('SELECT count(*) AS count_1 \n'
                           'FROM action \n'
                           'WHERE action.id IN (SELECT action_partner.action_id \n'
                           'FROM action_partner \n'
                           'WHERE action_partner.stakeholder_id IN (__[POSTCOMPILE_stakeholders]))',
                           (('stakeholders', None, True),),
                           (None,),
                           (None,)),
 'count/all/partner/statuses': ('SELECT count(*) AS count_1 \n'
                                'FROM action \n'
                                'WHERE action.id IN (SELECT action_partner.action_id \n'
                                'FROM action_partner \n'
                                'WHERE action_partner.stakeholder_id IN (__[POSTCOMPILE_stakeholders])) AND '
                                'action.status IN (__[POSTCOMPILE_statuses])',
                                (('stakeholders', None, True), ('statuses', 'enum', True)),
                                (None,),
                                (None,)),
 'count/many/either/any': ('SELECT count(*) AS count_1 \n'
                           'FROM action \n'
                           'WHERE action.framework_id IN (__[POSTCOMPILE_frameworks]) AND (action.lead_id IN '
                           '(__[POSTCOMPILE_stakeholders]) OR action.id IN (SELECT '
                           'action_partner.action_id \n'
                           'FROM action_partner \n'
                           'WHERE action_partner.stakeholder_id IN (__[POSTCOMPILE_stakeholders])))',
                           (('frameworks', None, True),
                            ('stakeholders', None, True),
                            ('stakeholders', None, True)),
                           (None,),
                           (None,)),
 'count/many/either/statuses': ('SELECT count(*) AS count_1 \n'
                                'FROM action \n'
                                'WHERE action.framework_id IN (__[POSTCOMPILE_frameworks]) AND '
                                '(action.lead_id IN (__[POSTCOMPILE_stakeholders]) OR action.id IN (SELECT '
                                'action_partner.action_id \n'
                                'FROM action_partner \n'
                                'WHERE action_partner.stakeholder_id IN (__[POSTCOMPILE_stakeholders]))) AND '
                                'action.status IN (__[POSTCOMPILE_statuses])',
                                (('frameworks', None, True),
                                 ('stakeholders', None, True),
                                 ('stakeholders', None, True),
                                 ('statuses', 'enum', True)),
                                (None,),
                                (None,)),
 'count/many/lead/any': ('SELECT count(*) AS count_1 \n'
                         'FROM action \n'
                         'WHERE action.framework_id IN (__[POSTCOMPILE_frameworks]) AND action.lead_id IN '
                         '(__[POSTCOMPILE_stakeholders])',
                         (('frameworks', None, True), ('stakeholders', None, True)),
                         (None,),
                         (None,)),
 'count/many/lead/statuses': ('SELECT count(*) AS count_1 \n'
                              'FROM action \n'
                              'WHERE action.framework_id IN (__[POSTCOMPILE_frameworks]) AND action.lead_id '
                              'IN (__[POSTCOMPILE_stakeholders]) AND action.status IN '
                              '(__[POSTCOMPILE_statuses])',
                              (('frameworks', None, True),
                               ('stakeholders', None, True),
                               ('statuses', 'enum', True)),
                              (None,),
                              (None,)),
 'count/many/none/any': ('SELECT count(*) AS count_1 \n'
                         'FROM action \n'
                         'WHERE action.framework_id IN (__[POSTCOMPILE_frameworks])',
                         (('frameworks', None, True),),
                         (None,),
                         (None,)),
 'count/many/none/statuses': ('SELECT count(*) AS count_1 \n'
                              'FROM action \n'
                              'WHERE action.framework_id IN (__[POSTCOMPILE_frameworks]) AND action.status '
                              'IN (__[POSTCOMPILE_statuses])',
                              (('frameworks', None, True), ('statuses', 'enum', True)),
                              (None,),
                              (None,)),
 'count/many/partner/any': ('SELECT count(*) AS count_1 \n'
                            'FROM action \n'
                            'WHERE action.framework_id IN (__[POSTCOMPILE_frameworks]) AND action.id IN '
                            '(SELECT action_partner.action_id \n'
                            'FROM action_partner \n'
                            'WHERE action_partner.stakeholder_id IN (__[POSTCOMPILE_stakeholders]))',
                            (('frameworks', None, True), ('stakeholders', None, True)),
                            (None,),
                            (None,)),
 'count/many/partner/statuses': ('SELECT count(*) AS count_1 \n'
                                 'FROM action \n'
                                 'WHERE action.framework_id IN (__[POSTCOMPILE_frameworks]) AND action.id IN '
                                 '(SELECT action_partner.action_id \n'
                                 'FROM action_partner \n'
                                 'WHERE action_partner.stakeholder_id IN (__[POSTCOMPILE_stakeholders])) AND '
                                 'action.status IN (__[POSTCOMPILE_statuses])',
                                 (('frameworks', None, True),
                                  ('stakeholders', None, True),
                                  ('statuses', 'enum', True)),
                                 (None,),
                                 (None,)),
 'count/one/either/any': ('SELECT count(*) AS count_1 \n'
                          'FROM action \n'
                          'WHERE action.framework_id = ? AND (action.lead_id IN '
                          '(__[POSTCOMPILE_stakeholders]) OR action.id IN (SELECT action_partner.action_id \n'
                          'FROM action_partner \n'
                          'WHERE action_partner.stakeholder_id IN (__[POSTCOMPILE_stakeholders])))',
                          (('framework', None, False),
                           ('stakeholders', None, True),
                           ('stakeholders', None, True)),
                          (None,),
                          (None,)),
 'count/one/either/statuses': ('SELECT count(*) AS count_1 \n'
                               'FROM action \n'
                               'WHERE action.framework_id = ? AND (action.lead_id IN '
                               '(__[POSTCOMPILE_stakeholders]) OR action.id IN (SELECT '
                               'action_partner.action_id \n'
                               'FROM action_partner \n'
                               'WHERE action_partner.stakeholder_id IN (__[POSTCOMPILE_stakeholders]))) AND '
                               'action.status IN (__[POSTCOMPILE_statuses])',
                               (('framework', None, False),
                                ('stakeholders', None, True),
                                ('stakeholders', None, True),
                                ('statuses', 'enum', True)),
                               (None,),
                               (None,)),
 'count/one/lead/any': ('SELECT count(*) AS count_1 \n'
                        'FROM action \n'
                        'WHERE action.framework_id = ? AND action.lead_id IN (__[POSTCOMPILE_stakeholders])',
                        (('framework', None, False), ('stakeholders', None, True)),
                        (None,),
                        (None,)),
 'count/one/lead/statuses': ('SELECT count(*) AS count_1 \n'
                             'FROM action \n'
                             'WHERE action.framework_id = ? AND action.lead_id IN '
                             '(__[POSTCOMPILE_stakeholders]) AND action.status IN (__[POSTCOMPILE_statuses])',
                             (('framework', None, False),
                              ('stakeholders', None, True),
                              ('statuses', 'enum', True)),
                             (None,),
                             (None,)),
 'count/one/none/any': ('SELECT count(*) AS count_1 \nFROM action \nWHERE action.framework_id = ?',
                        (('framework', None, False),),
                        (None,),
                        (None,)),
 'count/one/none/statuses': ('SELECT count(*) AS count_1 \n'
                             'FROM action \n'
                             'WHERE action.framework_id = ? AND action.status IN (__[POSTCOMPILE_statuses])',
                             (('framework', None, False), ('statuses', 'enum', True)),
                             (None,),
                             (None,)),
 'count/one/partner/any': ('SELECT count(*) AS count_1 \n'
                           'FROM action \n'
                           'WHERE action.framework_id = ? AND action.id IN (SELECT '
                           'action_partner.action_id \n'
                           'FROM action_partner \n'
                           'WHERE action_partner.stakeholder_id IN (__[POSTCOMPILE_stakeholders]))',
                           (('framework', None, False), ('stakeholders', None, True)),
                           (None,),
                           (None,)),
 'count/one/partner/statuses': ('SELECT count(*) AS count_1 \n'
                                'FROM action \n'
                                'WHERE action.framework_id = ? AND action.id IN (SELECT '
                                'action_partner.action_id \n'
                                'FROM action_partner \n'
                                'WHERE action_partner.stakeholder_id IN (__[POSTCOMPILE_stakeholders])) AND '
                                'action.status IN (__[POSTCOMPILE_statuses])',
                                (('framework', None, False),
                                 ('stakeholders', None, True),
                                 ('statuses', 'enum', True)),
                                (None,),
                                (None,)),
 'find_member': ('SELECT member.id, member.login, member.name \nFROM member \nWHERE member.login = ?',
                 (('login', None, False),),
                 ('id', 'login', 'name'),
                 (None, None, None)),
 'framework_by_key': ('SELECT framework.id \nFROM framework \nWHERE framework."key" = ?',
                      (('key', None, False),),
                      ('id',),
                      (None,)),
 'framework_id': ('SELECT framework.id \nFROM framework \nWHERE framework."key" = ?',
                  (('key', None, False),),
                  ('id',),
                  (None,)),
 'is_admin': ('SELECT admin.member_id \nFROM admin \nWHERE admin.member_id = ?',
              (('member', None, False),),
              ('member_id',),
              (None,)),
 'lock_action': ('SELECT action.id, action.status, action.version, action.lead_id, action.framework_id, '
                 'action.objective_id, framework."key" AS framework \n'
                 'FROM action JOIN framework ON framework.id = action.framework_id \n'
                 'WHERE framework."key" = ? AND action."key" = ?',
                 (('framework', None, False), ('key', None, False)),
                 ('id', 'status', 'version', 'lead_id', 'framework_id', 'objective_id', 'framework'),
                 (None, 'enum', None, None, None, None, None)),
 'member_orgs': ('SELECT framework."key" AS framework, stakeholder.id, stakeholder."key", stakeholder.name \n'
                 'FROM stakeholder JOIN affiliation ON affiliation.stakeholder_id = stakeholder.id JOIN '
                 'framework ON framework.id = affiliation.framework_id \n'
                 'WHERE affiliation.member_id = ? ORDER BY stakeholder.name',
                 (('member', None, False),),
                 ('framework', 'id', 'key', 'name'),
                 (None, None, None, None)),
 'member_roles': ('SELECT framework."key", membership.role \n'
                  'FROM framework JOIN membership ON membership.framework_id = framework.id \n'
                  'WHERE membership.member_id = ?',
                  (('member', None, False),),
                  ('key', 'role'),
                  (None, 'enum')),
 'page/all/either/any': ('SELECT action.id, framework."key" AS framework, action."key", action.title, '
                         'action.status, action.horizon, stakeholder."key" AS lead_key, stakeholder.name AS '
                         'lead_name, action.starts, action.due, action.completed_on, action.cost, '
                         'action.version, action.updated_at, goal."key" AS goal_key, goal.title AS '
                         'goal_title, objective."key" AS objective_key, objective.title AS objective_title, '
                         'framework.currency, owner.login AS owner \n'
                         'FROM action JOIN framework ON framework.id = action.framework_id JOIN objective ON '
                         'objective.id = action.objective_id JOIN goal ON goal.id = objective.goal_id JOIN '
                         'stakeholder ON stakeholder.id = action.lead_id LEFT OUTER JOIN member AS owner ON '
                         'owner.id = action.owner_id \n'
                         'WHERE action.id IN (SELECT action.id \n'
                         'FROM action \n'
                         'WHERE action.lead_id IN (__[POSTCOMPILE_stakeholders]) OR action.id IN (SELECT '
                         'action_partner.action_id \n'
                         'FROM action_partner \n'
                         'WHERE action_partner.stakeholder_id IN (__[POSTCOMPILE_stakeholders])) ORDER BY '
                         'action.due ASC NULLS LAST, action.id ASC\n'
                         ' LIMIT ? OFFSET ?) ORDER BY action.due ASC NULLS LAST, action.id ASC',
                         (('stakeholders', None, True),
                          ('stakeholders', None, True),
                          ('limit', None, False),
                          ('offset', None, False)),
                         ('id',
                          'framework',
                          'key',
                          'title',
                          'status',
                          'horizon',
                          'lead_key',
                          'lead_name',
                          'starts',
                          'due',
                          'completed_on',
                          'cost',
                          'version',
                          'updated_at',
                          'goal_key',
                          'goal_title',
                          'objective_key',
                          'objective_title',
                          'currency',
                          'owner'),
                         (None,
                          None,
                          None,
                          None,
                          'enum',
                          'enum',
                          None,
                          None,
                          'date',
                          'date',
                          'date',
                          'money',
                          None,
                          'utc',
                          None,
                          None,
                          None,
                          None,
                          None,
                          None)),
 'page/all/either/statuses': ('SELECT action.id, framework."key" AS framework, action."key", action.title, '
                              'action.status, action.horizon, stakeholder."key" AS lead_key, '
                              'stakeholder.name AS lead_name, action.starts, action.due, '
                              'action.completed_on, action.cost, action.version, action.updated_at, '
                              'goal."key" AS goal_key, goal.title AS goal_title, objective."key" AS '
                              'objective_key, objective.title AS objective_title, framework.currency, '
                              'owner.login AS owner \n'
                              'FROM action JOIN framework ON framework.id = action.framework_id JOIN '
                              'objective ON objective.id = action.objective_id JOIN goal ON goal.id = '
                              'objective.goal_id JOIN stakeholder ON stakeholder.id = action.lead_id LEFT '
                              'OUTER JOIN member AS owner ON owner.id = action.owner_id \n'
                              'WHERE action.id IN (SELECT action.id \n'
                              'FROM action \n'
                              'WHERE (action.lead_id IN (__[POSTCOMPILE_stakeholders]) OR action.id IN '
                              '(SELECT action_partner.action_id \n'
                              'FROM action_partner \n'
                              'WHERE action_partner.stakeholder_id IN (__[POSTCOMPILE_stakeholders]))) AND '
                              'action.status IN (__[POSTCOMPILE_statuses]) ORDER BY action.due ASC NULLS '
                              'LAST, action.id ASC\n'
                              ' LIMIT ? OFFSET ?) ORDER BY action.due ASC NULLS LAST, action.id ASC',
                              (('stakeholders', None, True),
                               ('stakeholders', None, True),
                               ('statuses', 'enum', True),
                               ('limit', None, False),
                               ('offset', None, False)),
                              ('id',
                               'framework',
                               'key',
                               'title',
                               'status',
                               'horizon',
                               'lead_key',
                               'lead_name',
                               'starts',
                               'due',
                               'completed_on',
                               'cost',
                               'version',
                               'updated_at',
                               'goal_key',
                               'goal_title',
                               'objective_key',
                               'objective_title',
                               'currency',
                               'owner'),
                              (None,
                               None,
                               None,
                               None,
                               'enum',
                               'enum',
                               None,
                               None,
                               'date',
                               'date',
                               'date',
                               'money',
                               None,
                               'utc',
                               None,
                               None,
                               None,
                               None,
                               None,
                               None)),
 'page/all/lead/any': ('SELECT action.id, framework."key" AS framework, action."key", action.title, '
                       'action.status, action.horizon, stakeholder."key" AS lead_key, stakeholder.name AS '
                       'lead_name, action.starts, action.due, action.completed_on, action.cost, '
                       'action.version, action.updated_at, goal."key" AS goal_key, goal.title AS goal_title, '
                       'objective."key" AS objective_key, objective.title AS objective_title, '
                       'framework.currency, owner.login AS owner \n'
                       'FROM action JOIN framework ON framework.id = action.framework_id JOIN objective ON '
                       'objective.id = action.objective_id JOIN goal ON goal.id = objective.goal_id JOIN '
                       'stakeholder ON stakeholder.id = action.lead_id LEFT OUTER JOIN member AS owner ON '
                       'owner.id = action.owner_id \n'
                       'WHERE action.id IN (SELECT action.id \n'
                       'FROM action \n'
                       'WHERE action.lead_id IN (__[POSTCOMPILE_stakeholders]) ORDER BY action.due ASC NULLS '
                       'LAST, action.id ASC\n'
                       ' LIMIT ? OFFSET ?) ORDER BY action.due ASC NULLS LAST, action.id ASC',
                       (('stakeholders', None, True), ('limit', None, False), ('offset', None, False)),
                       ('id',
                        'framework',
                        'key',
                        'title',
                        'status',
                        'horizon',
                        'lead_key',
                        'lead_name',
                        'starts',
                        'due',
                        'completed_on',
                        'cost',
                        'version',
                        'updated_at',
                        'goal_key',
                        'goal_title',
                        'objective_key',
                        'objective_title',
                        'currency',
                        'owner'),
                       (None,
                        None,
                        None,
                        None,
                        'enum',
                        'enum',
                        None,
                        None,
                        'date',
                        'date',
                        'date',
                        'money',
                        None,
                        'utc',
                        None,
                        None,
                        None,
                        None,
                        None,
                        None)),
 'page/all/lead/statuses': ('SELECT action.id, framework."key" AS framework, action."key", action.title, '
                            'action.status, action.horizon, stakeholder."key" AS lead_key, stakeholder.name '
                            'AS lead_name, action.starts, action.due, action.completed_on, action.cost, '
                            'action.version, action.updated_at, goal."key" AS goal_key, goal.title AS '
                            'goal_title, objective."key" AS objective_key, objective.title AS '
                            'objective_title, framework.currency, owner.login AS owner \n'
                            'FROM action JOIN framework ON framework.id = action.framework_id JOIN objective '
                            'ON objective.id = action.objective_id JOIN goal ON goal.id = objective.goal_id '
                            'JOIN stakeholder ON stakeholder.id = action.lead_id LEFT OUTER JOIN member AS '
                            'owner ON owner.id = action.owner_id \n'
                            'WHERE action.id IN (SELECT action.id \n'
                            'FROM action \n'
                            'WHERE action.lead_id IN (__[POSTCOMPILE_stakeholders]) AND action.status IN '
                            '(__[POSTCOMPILE_statuses]) ORDER BY action.due ASC NULLS LAST, action.id ASC\n'
                            ' LIMIT ? OFFSET ?) ORDER BY action.due ASC NULLS LAST, action.id ASC',
                            (('stakeholders', None, True),
                             ('statuses', 'enum', True),
                             ('limit', None, False),
                             ('offset', None, False)),
                            ('id',
                             'framework',
                             'key',
                             'title',
                             'status',
                             'horizon',
                             'lead_key',
                             'lead_name',
                             'starts',
                             'due',
                             'completed_on',
                             'cost',
                             'version',
                             'updated_at',
                             'goal_key',
                             'goal_title',
                             'objective_key',
                             'objective_title',
                             'currency',
                             'owner'),
                            (None,
                             None,
                             None,
                             None,
                             'enum',
                             'enum',
                             None,
                             None,
                             'date',
                             'date',
                             'date',
                             'money',
                             None,
                             'utc',
                             None,
                             None,
                             None,
                             None,
                             None,
                             None)),
 'page/all/none/any': ('SELECT action.id, framework."key" AS framework, action."key", action.title, '
                       'action.status, action.horizon, stakeholder."key" AS lead_key, stakeholder.name AS '
                       'lead_name, action.starts, action.due, action.completed_on, action.cost, '
                       'action.version, action.updated_at, goal."key" AS goal_key, goal.title AS goal_title, '
                       'objective."key" AS objective_key, objective.title AS objective_title, '
                       'framework.currency, owner.login AS owner \n'
                       'FROM action JOIN framework ON framework.id = action.framework_id JOIN objective ON '
                       'objective.id = action.objective_id JOIN goal ON goal.id = objective.goal_id JOIN '
                       'stakeholder ON stakeholder.id = action.lead_id LEFT OUTER JOIN member AS owner ON '
                       'owner.id = action.owner_id \n'
                       'WHERE action.id IN (SELECT action.id \n'
                       'FROM action ORDER BY action.due ASC NULLS LAST, action.id ASC\n'
                       ' LIMIT ? OFFSET ?) ORDER BY action.due ASC NULLS LAST, action.id ASC',
                       (('limit', None, False), ('offset', None, False)),
                       ('id',
                        'framework',
                        'key',
                        'title',
                        'status',
                        'horizon',
                        'lead_key',
                        'lead_name',
                        'starts',
                        'due',
                        'completed_on',
                        'cost',
                        'version',
                        'updated_at',
                        'goal_key',
                        'goal_title',
                        'objective_key',
                        'objective_title',
                        'currency',
                        'owner'),
                       (None,
                        None,
                        None,
                        None,
                        'enum',
                        'enum',
                        None,
                        None,
                        'date',
                        'date',
                        'date',
                        'money',
                        None,
                        'utc',
                        None,
                        None,
                        None,
                        None,
                        None,
                        None)),
 'page/all/none/statuses': ('SELECT action.id, framework."key" AS framework, action."key", action.title, '
                            'action.status, action.horizon, stakeholder."key" AS lead_key, stakeholder.name '
                            'AS lead_name, action.starts, action.due, action.completed_on, action.cost, '
                            'action.version, action.updated_at, goal."key" AS goal_key, goal.title AS '
                            'goal_title, objective."key" AS objective_key, objective.title AS '
                            'objective_title, framework.currency, owner.login AS owner \n'
                            'FROM action JOIN framework ON framework.id = action.framework_id JOIN objective '
                            'ON objective.id = action.objective_id JOIN goal ON goal.id = objective.goal_id '
                            'JOIN stakeholder ON stakeholder.id = action.lead_id LEFT OUTER JOIN member AS '
                            'owner ON owner.id = action.owner_id \n'
                            'WHERE action.id IN (SELECT action.id \n'
                            'FROM action \n'
                            'WHERE action.status IN (__[POSTCOMPILE_statuses]) ORDER BY action.due ASC NULLS '
                            'LAST, action.id ASC\n'
                            ' LIMIT ? OFFSET ?) ORDER BY action.due ASC NULLS LAST, action.id ASC',
                            (('statuses', 'enum', True), ('limit', None, False), ('offset', None, False)),
                            ('id',
                             'framework',
                             'key',
                             'title',
                             'status',
                             'horizon',
                             'lead_key',
                             'lead_name',
                             'starts',
                             'due',
                             'completed_on',
                             'cost',
                             'version',
                             'updated_at',
                             'goal_key',
                             'goal_title',
                             'objective_key',
                             'objective_title',
                             'currency',
                             'owner'),
                            (None,
                             None,
                             None,
                             None,
                             'enum',
                             'enum',
                             None,
                             None,
                             'date',
                             'date',
                             'date',
                             'money',
                             None,
                             'utc',
                             None,
                             None,
                             None,
                             None,
                             None,
                             None)),
 'page/all/partner/any': ('SELECT action.id, framework."key" AS framework, action."key", action.title, '
                          'action.status, action.horizon, stakeholder."key" AS lead_key, stakeholder.name AS '
                          'lead_name, action.starts, action.due, action.completed_on, action.cost, '
                          'action.version, action.updated_at, goal."key" AS goal_key, goal.title AS '
                          'goal_title, objective."key" AS objective_key, objective.title AS objective_title, '
                          'framework.currency, owner.login AS owner \n'
                          'FROM action JOIN framework ON framework.id = action.framework_id JOIN objective '
                          'ON objective.id = action.objective_id JOIN goal ON goal.id = objective.goal_id '
                          'JOIN stakeholder ON stakeholder.id = action.lead_id LEFT OUTER JOIN member AS '
                          'owner ON owner.id = action.owner_id \n'
                          'WHERE action.id IN (SELECT action.id \n'
                          'FROM action \n'
                          'WHERE action.id IN (SELECT action_partner.action_id \n'
                          'FROM action_partner \n'
                          'WHERE action_partner.stakeholder_id IN (__[POSTCOMPILE_stakeholders])) ORDER BY '
                          'action.due ASC NULLS LAST, action.id ASC\n'
                          ' LIMIT ? OFFSET ?) ORDER BY action.due ASC NULLS LAST, action.id ASC',
                          (('stakeholders', None, True), ('limit', None, False), ('offset', None, False)),
                          ('id',
                           'framework',
                           'key',
                           'title',
                           'status',
                           'horizon',
                           'lead_key',
                           'lead_name',
                           'starts',
                           'due',
                           'completed_on',
                           'cost',
                           'version',
                           'updated_at',
                           'goal_key',
                           'goal_title',
                           'objective_key',
                           'objective_title',
                           'currency',
                           'owner'),
                          (None,
                           None,
                           None,
                           None,
                           'enum',
                           'enum',
                           None,
                           None,
                           'date',
                           'date',
                           'date',
                           'money',
                           None,
                           'utc',
                           None,
                           None,
                           None,
                           None,
                           None,
                           None)),
 'page/all/partner/statuses': ('SELECT action.id, framework."key" AS framework, action."key", action.title, '
                               'action.status, action.horizon, stakeholder."key" AS lead_key, '
                               'stakeholder.name AS lead_name, action.starts, action.due, '
                               'action.completed_on, action.cost, action.version, action.updated_at, '
                               'goal."key" AS goal_key, goal.title AS goal_title, objective."key" AS '
                               'objective_key, objective.title AS objective_title, framework.currency, '
                               'owner.login AS owner \n'
                               'FROM action JOIN framework ON framework.id = action.framework_id JOIN '
                               'objective ON objective.id = action.objective_id JOIN goal ON goal.id = '
                               'objective.goal_id JOIN stakeholder ON stakeholder.id = action.lead_id LEFT '
                               'OUTER JOIN member AS owner ON owner.id = action.owner_id \n'
                               'WHERE action.id IN (SELECT action.id \n'
                               'FROM action \n'
                               'WHERE action.id IN (SELECT action_partner.action_id \n'
                               'FROM action_partner \n'
                               'WHERE action_partner.stakeholder_id IN (__[POSTCOMPILE_stakeholders])) AND '
                               'action.status IN (__[POSTCOMPILE_statuses]) ORDER BY action.due ASC NULLS '
                               'LAST, action.id ASC\n'
                               ' LIMIT ? OFFSET ?) ORDER BY action.due ASC NULLS LAST, action.id ASC',
                               (('stakeholders', None, True),
                                ('statuses', 'enum', True),
                                ('limit', None, False),
                                ('offset', None, False)),
                               ('id',
                                'framework',
                                'key',
                                'title',
                                'status',
                                'horizon',
                                'lead_key',
                                'lead_name',
                                'starts',
                                'due',
                                'completed_on',
                                'cost',
                                'version',
                                'updated_at',
                                'goal_key',
                                'goal_title',
                                'objective_key',
                                'objective_title',
                                'currency',
                                'owner'),
                               (None,
                                None,
                                None,
                                None,
                                'enum',
                                'enum',
                                None,
                                None,
                                'date',
                                'date',
                                'date',
                                'money',
                                None,
                                'utc',
                                None,
                                None,
                                None,
                                None,
                                None,
                                None)),
 'page/many/either/any': ('SELECT action.id, framework."key" AS framework, action."key", action.title, '
                          'action.status, action.horizon, stakeholder."key" AS lead_key, stakeholder.name AS '
                          'lead_name, action.starts, action.due, action.completed_on, action.cost, '
                          'action.version, action.updated_at, goal."key" AS goal_key, goal.title AS '
                          'goal_title, objective."key" AS objective_key, objective.title AS objective_title, '
                          'framework.currency, owner.login AS owner \n'
                          'FROM action JOIN framework ON framework.id = action.framework_id JOIN objective '
                          'ON objective.id = action.objective_id JOIN goal ON goal.id = objective.goal_id '
                          'JOIN stakeholder ON stakeholder.id = action.lead_id LEFT OUTER JOIN member AS '
                          'owner ON owner.id = action.owner_id \n'
                          'WHERE action.id IN (SELECT action.id \n'
                          'FROM action \n'
                          'WHERE action.framework_id IN (__[POSTCOMPILE_frameworks]) AND (action.lead_id IN '
                          '(__[POSTCOMPILE_stakeholders]) OR action.id IN (SELECT action_partner.action_id \n'
                          'FROM action_partner \n'
                          'WHERE action_partner.stakeholder_id IN (__[POSTCOMPILE_stakeholders]))) ORDER BY '
                          'action.due ASC NULLS LAST, action.id ASC\n'
                          ' LIMIT ? OFFSET ?) ORDER BY action.due ASC NULLS LAST, action.id ASC',
                          (('frameworks', None, True),
                           ('stakeholders', None, True),
                           ('stakeholders', None, True),
                           ('limit', None, False),
                           ('offset', None, False)),
                          ('id',
                           'framework',
                           'key',
                           'title',
                           'status',
                           'horizon',
                           'lead_key',
                           'lead_name',
                           'starts',
                           'due',
                           'completed_on',
                           'cost',
                           'version',
                           'updated_at',
                           'goal_key',
                           'goal_title',
                           'objective_key',
                           'objective_title',
                           'currency',
                           'owner'),
                          (None,
                           None,
                           None,
                           None,
                           'enum',
                           'enum',
                           None,
                           None,
                           'date',
                           'date',
                           'date',
                           'money',
                           None,
                           'utc',
                           None,
                           None,
                           None,
                           None,
                           None,
                           None)),
 'page/many/either/statuses': ('SELECT action.id, framework."key" AS framework, action."key", action.title, '
                               'action.status, action.horizon, stakeholder."key" AS lead_key, '
                               'stakeholder.name AS lead_name, action.starts, action.due, '
                               'action.completed_on, action.cost, action.version, action.updated_at, '
                               'goal."key" AS goal_key, goal.title AS goal_title, objective."key" AS '
                               'objective_key, objective.title AS objective_title, framework.currency, '
                               'owner.login AS owner \n'
                               'FROM action JOIN framework ON framework.id = action.framework_id JOIN '
                               'objective ON objective.id = action.objective_id JOIN goal ON goal.id = '
                               'objective.goal_id JOIN stakeholder ON stakeholder.id = action.lead_id LEFT '
                               'OUTER JOIN member AS owner ON owner.id = action.owner_id \n'
                               'WHERE action.id IN (SELECT action.id \n'
                               'FROM action \n'
                               'WHERE action.framework_id IN (__[POSTCOMPILE_frameworks]) AND '
                               '(action.lead_id IN (__[POSTCOMPILE_stakeholders]) OR action.id IN (SELECT '
                               'action_partner.action_id \n'
                               'FROM action_partner \n'
                               'WHERE action_partner.stakeholder_id IN (__[POSTCOMPILE_stakeholders]))) AND '
                               'action.status IN (__[POSTCOMPILE_statuses]) ORDER BY action.due ASC NULLS '
                               'LAST, action.id ASC\n'
                               ' LIMIT ? OFFSET ?) ORDER BY action.due ASC NULLS LAST, action.id ASC',
                               (('frameworks', None, True),
                                ('stakeholders', None, True),
                                ('stakeholders', None, True),
                                ('statuses', 'enum', True),
                                ('limit', None, False),
                                ('offset', None, False)),
                               ('id',
                                'framework',
                                'key',
                                'title',
                                'status',
                                'horizon',
                                'lead_key',
                                'lead_name',
                                'starts',
                                'due',
                                'completed_on',
                                'cost',
                                'version',
                                'updated_at',
                                'goal_key',
                                'goal_title',
                                'objective_key',
                                'objective_title',
                                'currency',
                                'owner'),
                               (None,
                                None,
                                None,
                                None,
                                'enum',
                                'enum',
                                None,
                                None,
                                'date',
                                'date',
                                'date',
                                'money',
                                None,
                                'utc',
                                None,
                                None,
                                None,
                                None,
                                None,
                                None)),
 'page/many/lead/any': ('SELECT action.id, framework."key" AS framework, action."key", action.title, '
                        'action.status, action.horizon, stakeholder."key" AS lead_key, stakeholder.name AS '
                        'lead_name, action.starts, action.due, action.completed_on, action.cost, '
                        'action.version, action.updated_at, goal."key" AS goal_key, goal.title AS '
                        'goal_title, objective."key" AS objective_key, objective.title AS objective_title, '
                        'framework.currency, owner.login AS owner \n'
                        'FROM action JOIN framework ON framework.id = action.framework_id JOIN objective ON '
                        'objective.id = action.objective_id JOIN goal ON goal.id = objective.goal_id JOIN '
                        'stakeholder ON stakeholder.id = action.lead_id LEFT OUTER JOIN member AS owner ON '
                        'owner.id = action.owner_id \n'
                        'WHERE action.id IN (SELECT action.id \n'
                        'FROM action \n'
                        'WHERE action.framework_id IN (__[POSTCOMPILE_frameworks]) AND action.lead_id IN '
                        '(__[POSTCOMPILE_stakeholders]) ORDER BY action.due ASC NULLS LAST, action.id ASC\n'
                        ' LIMIT ? OFFSET ?) ORDER BY action.due ASC NULLS LAST, action.id ASC',
                        (('frameworks', None, True),
                         ('stakeholders', None, True),
                         ('limit', None, False),
                         ('offset', None, False)),
                        ('id',
                         'framework',
                         'key',
                         'title',
                         'status',
                         'horizon',
                         'lead_key',
                         'lead_name',
                         'starts',
                         'due',
                         'completed_on',
                         'cost',
                         'version',
                         'updated_at',
                         'goal_key',
                         'goal_title',
                         'objective_key',
                         'objective_title',
                         'currency',
                         'owner'),
                        (None,
                         None,
                         None,
                         None,
                         'enum',
                         'enum',
                         None,
                         None,
                         'date',
                         'date',
                         'date',
                         'money',
                         None,
                         'utc',
                         None,
                         None,
                         None,
                         None,
                         None,
                         None)),
 'page/many/lead/statuses': ('SELECT action.id, framework."key" AS framework, action."key", action.title, '
                             'action.status, action.horizon, stakeholder."key" AS lead_key, stakeholder.name '
                             'AS lead_name, action.starts, action.due, action.completed_on, action.cost, '
                             'action.version, action.updated_at, goal."key" AS goal_key, goal.title AS '
                             'goal_title, objective."key" AS objective_key, objective.title AS '
                             'objective_title, framework.currency, owner.login AS owner \n'
                             'FROM action JOIN framework ON framework.id = action.framework_id JOIN '
                             'objective ON objective.id = action.objective_id JOIN goal ON goal.id = '
                             'objective.goal_id JOIN stakeholder ON stakeholder.id = action.lead_id LEFT '
                             'OUTER JOIN member AS owner ON owner.id = action.owner_id \n'
                             'WHERE action.id IN (SELECT action.id \n'
                             'FROM action \n'
                             'WHERE action.framework_id IN (__[POSTCOMPILE_frameworks]) AND action.lead_id '
                             'IN (__[POSTCOMPILE_stakeholders]) AND action.status IN '
                             '(__[POSTCOMPILE_statuses]) ORDER BY action.due ASC NULLS LAST, action.id ASC\n'
                             ' LIMIT ? OFFSET ?) ORDER BY action.due ASC NULLS LAST, action.id ASC',
                             (('frameworks', None, True),
                              ('stakeholders', None, True),
                              ('statuses', 'enum', True),
                              ('limit', None, False),
                              ('offset', None, False)),
                             ('id',
                              'framework',
                              'key',
                              'title',
                              'status',
                              'horizon',
                              'lead_key',
                              'lead_name',
                              'starts',
                              'due',
                              'completed_on',
                              'cost',
                              'version',
                              'updated_at',
                              'goal_key',
                              'goal_title',
                              'objective_key',
                              'objective_title',
                              'currency',
                              'owner'),
                             (None,
                              None,
                              None,
                              None,
                              'enum',
                              'enum',
                              None,
                              None,
                              'date',
                              'date',
                              'date',
                              'money',
                              None,
                              'utc',
                              None,
                              None,
                              None,
                              None,
                              None,
                              None)),
 'page/many/none/any': ('SELECT action.id, framework."key" AS framework, action."key", action.title, '
                        'action.status, action.horizon, stakeholder."key" AS lead_key, stakeholder.name AS '
                        'lead_name, action.starts, action.due, action.completed_on, action.cost, '
                        'action.version, action.updated_at, goal."key" AS goal_key, goal.title AS '
                        'goal_title, objective."key" AS objective_key, objective.title AS objective_title, '
                        'framework.currency, owner.login AS owner \n'
                        'FROM action JOIN framework ON framework.id = action.framework_id JOIN objective ON '
                        'objective.id = action.objective_id JOIN goal ON goal.id = objective.goal_id JOIN '
                        'stakeholder ON stakeholder.id = action.lead_id LEFT OUTER JOIN member AS owner ON '
                        'owner.id = action.owner_id \n'
                        'WHERE action.id IN (SELECT action.id \n'
                        'FROM action \n'
                        'WHERE action.framework_id IN (__[POSTCOMPILE_frameworks]) ORDER BY action.due ASC '
                        'NULLS LAST, action.id ASC\n'
                        ' LIMIT ? OFFSET ?) ORDER BY action.due ASC NULLS LAST, action.id ASC',
                        (('frameworks', None, True), ('limit', None, False), ('offset', None, False)),
                        ('id',
                         'framework',
                         'key',
                         'title',
                         'status',
                         'horizon',
                         'lead_key',
                         'lead_name',
                         'starts',
                         'due',
                         'completed_on',
                         'cost',
                         'version',
                         'updated_at',
                         'goal_key',
                         'goal_title',
                         'objective_key',
                         'objective_title',
                         'currency',
                         'owner'),
                        (None,
                         None,
                         None,
                         None,
                         'enum',
                         'enum',
                         None,
                         None,
                         'date',
                         'date',
                         'date',
                         'money',
                         None,
                         'utc',
                         None,
                         None,
                         None,
                         None,
                         None,
                         None)),
 'page/many/none/statuses': ('SELECT action.id, framework."key" AS framework, action."key", action.title, '
                             'action.status, action.horizon, stakeholder."key" AS lead_key, stakeholder.name '
                             'AS lead_name, action.starts, action.due, action.completed_on, action.cost, '
                             'action.version, action.updated_at, goal."key" AS goal_key, goal.title AS '
                             'goal_title, objective."key" AS objective_key, objective.title AS '
                             'objective_title, framework.currency, owner.login AS owner \n'
                             'FROM action JOIN framework ON framework.id = action.framework_id JOIN '
                             'objective ON objective.id = action.objective_id JOIN goal ON goal.id = '
                             'objective.goal_id JOIN stakeholder ON stakeholder.id = action.lead_id LEFT '
                             'OUTER JOIN member AS owner ON owner.id = action.owner_id \n'
                             'WHERE action.id IN (SELECT action.id \n'
                             'FROM action \n'
                             'WHERE action.framework_id IN (__[POSTCOMPILE_frameworks]) AND action.status IN '
                             '(__[POSTCOMPILE_statuses]) ORDER BY action.due ASC NULLS LAST, action.id ASC\n'
                             ' LIMIT ? OFFSET ?) ORDER BY action.due ASC NULLS LAST, action.id ASC',
                             (('frameworks', None, True),
                              ('statuses', 'enum', True),
                              ('limit', None, False),
                              ('offset', None, False)),
                             ('id',
                              'framework',
                              'key',
                              'title',
                              'status',
                              'horizon',
                              'lead_key',
                              'lead_name',
                              'starts',
                              'due',
                              'completed_on',
                              'cost',
                              'version',
                              'updated_at',
                              'goal_key',
                              'goal_title',
                              'objective_key',
                              'objective_title',
                              'currency',
                              'owner'),
                             (None,
                              None,
                              None,
                              None,
                              'enum',
                              'enum',
                              None,
                              None,
                              'date',
                              'date',
                              'date',
                              'money',
                              None,
                              'utc',
                              None,
                              None,
                              None,
                              None,
                              None,
                              None)),
 'page/many/partner/any': ('SELECT action.id, framework."key" AS framework, action."key", action.title, '
                           'action.status, action.horizon, stakeholder."key" AS lead_key, stakeholder.name '
                           'AS lead_name, action.starts, action.due, action.completed_on, action.cost, '
                           'action.version, action.updated_at, goal."key" AS goal_key, goal.title AS '
                           'goal_title, objective."key" AS objective_key, objective.title AS '
                           'objective_title, framework.currency, owner.login AS owner \n'
                           'FROM action JOIN framework ON framework.id = action.framework_id JOIN objective '
                           'ON objective.id = action.objective_id JOIN goal ON goal.id = objective.goal_id '
                           'JOIN stakeholder ON stakeholder.id = action.lead_id LEFT OUTER JOIN member AS '
                           'owner ON owner.id = action.owner_id \n'
                           'WHERE action.id IN (SELECT action.id \n'
                           'FROM action \n'
                           'WHERE action.framework_id IN (__[POSTCOMPILE_frameworks]) AND action.id IN '
                           '(SELECT action_partner.action_id \n'
                           'FROM action_partner \n'
                           'WHERE action_partner.stakeholder_id IN (__[POSTCOMPILE_stakeholders])) ORDER BY '
                           'action.due ASC NULLS LAST, action.id ASC\n'
                           ' LIMIT ? OFFSET ?) ORDER BY action.due ASC NULLS LAST, action.id ASC',
                           (('frameworks', None, True),
                            ('stakeholders', None, True),
                            ('limit', None, False),
                            ('offset', None, False)),
                           ('id',
                            'framework',
                            'key',
                            'title',
                            'status',
                            'horizon',
                            'lead_key',
                            'lead_name',
                            'starts',
                            'due',
                            'completed_on',
                            'cost',
                            'version',
                            'updated_at',
                            'goal_key',
                            'goal_title',
                            'objective_key',
                            'objective_title',
                            'currency',
                            'owner'),
                           (None,
                            None,
                            None,
                            None,
                            'enum',
                            'enum',
                            None,
                            None,
                            'date',
                            'date',
                            'date',
                            'money',
                            None,
                            'utc',
                            None,
                            None,
                            None,
                            None,
                            None,
                            None)),
 'page/many/partner/statuses': ('SELECT action.id, framework."key" AS framework, action."key", action.title, '
                                'action.status, action.horizon, stakeholder."key" AS lead_key, '
                                'stakeholder.name AS lead_name, action.starts, action.due, '
                                'action.completed_on, action.cost, action.version, action.updated_at, '
                                'goal."key" AS goal_key, goal.title AS goal_title, objective."key" AS '
                                'objective_key, objective.title AS objective_title, framework.currency, '
                                'owner.login AS owner \n'
                                'FROM action JOIN framework ON framework.id = action.framework_id JOIN '
                                'objective ON objective.id = action.objective_id JOIN goal ON goal.id = '
                                'objective.goal_id JOIN stakeholder ON stakeholder.id = action.lead_id LEFT '
                                'OUTER JOIN member AS owner ON owner.id = action.owner_id \n'
                                'WHERE action.id IN (SELECT action.id \n'
                                'FROM action \n'
                                'WHERE action.framework_id IN (__[POSTCOMPILE_frameworks]) AND action.id IN '
                                '(SELECT action_partner.action_id \n'
                                'FROM action_partner \n'
                                'WHERE action_partner.stakeholder_id IN (__[POSTCOMPILE_stakeholders])) AND '
                                'action.status IN (__[POSTCOMPILE_statuses]) ORDER BY action.due ASC NULLS '
                                'LAST, action.id ASC\n'
                                ' LIMIT ? OFFSET ?) ORDER BY action.due ASC NULLS LAST, action.id ASC',
                                (('frameworks', None, True),
                                 ('stakeholders', None, True),
                                 ('statuses', 'enum', True),
                                 ('limit', None, False),
                                 ('offset', None, False)),
                                ('id',
                                 'framework',
                                 'key',
                                 'title',
                                 'status',
                                 'horizon',
                                 'lead_key',
                                 'lead_name',
                                 'starts',
                                 'due',
                                 'completed_on',
                                 'cost',
                                 'version',
                                 'updated_at',
                                 'goal_key',
                                 'goal_title',
                                 'objective_key',
                                 'objective_title',
                                 'currency',
                                 'owner'),
                                (None,
                                 None,
                                 None,
                                 None,
                                 'enum',
                                 'enum',
                                 None,
                                 None,
                                 'date',
                                 'date',
                                 'date',
                                 'money',
                                 None,
                                 'utc',
                                 None,
                                 None,
                                 None,
                                 None,
                                 None,
                                 None)),
 'page/one/either/any': ('SELECT action.id, framework."key" AS framework, action."key", action.title, '
                         'action.status, action.horizon, stakeholder."key" AS lead_key, stakeholder.name AS '
                         'lead_name, action.starts, action.due, action.completed_on, action.cost, '
                         'action.version, action.updated_at, goal."key" AS goal_key, goal.title AS '
                         'goal_title, objective."key" AS objective_key, objective.title AS objective_title, '
                         'framework.currency, owner.login AS owner \n'
                         'FROM action JOIN framework ON framework.id = action.framework_id JOIN objective ON '
                         'objective.id = action.objective_id JOIN goal ON goal.id = objective.goal_id JOIN '
                         'stakeholder ON stakeholder.id = action.lead_id LEFT OUTER JOIN member AS owner ON '
                         'owner.id = action.owner_id \n'
                         'WHERE action.id IN (SELECT action.id \n'
                         'FROM action \n'
                         'WHERE action.framework_id = ? AND (action.lead_id IN '
                         '(__[POSTCOMPILE_stakeholders]) OR action.id IN (SELECT action_partner.action_id \n'
                         'FROM action_partner \n'
                         'WHERE action_partner.stakeholder_id IN (__[POSTCOMPILE_stakeholders]))) ORDER BY '
                         'action.due ASC NULLS LAST, action.id ASC\n'
                         ' LIMIT ? OFFSET ?) ORDER BY action.due ASC NULLS LAST, action.id ASC',
                         (('framework', None, False),
                          ('stakeholders', None, True),
                          ('stakeholders', None, True),
                          ('limit', None, False),
                          ('offset', None, False)),
                         ('id',
                          'framework',
                          'key',
                          'title',
                          'status',
                          'horizon',
                          'lead_key',
                          'lead_name',
                          'starts',
                          'due',
                          'completed_on',
                          'cost',
                          'version',
                          'updated_at',
                          'goal_key',
                          'goal_title',
                          'objective_key',
                          'objective_title',
                          'currency',
                          'owner'),
                         (None,
                          None,
                          None,
                          None,
                          'enum',
                          'enum',
                          None,
                          None,
                          'date',
                          'date',
                          'date',
                          'money',
                          None,
                          'utc',
                          None,
                          None,
                          None,
                          None,
                          None,
                          None)),
 'page/one/either/statuses': ('SELECT action.id, framework."key" AS framework, action."key", action.title, '
                              'action.status, action.horizon, stakeholder."key" AS lead_key, '
                              'stakeholder.name AS lead_name, action.starts, action.due, '
                              'action.completed_on, action.cost, action.version, action.updated_at, '
                              'goal."key" AS goal_key, goal.title AS goal_title, objective."key" AS '
                              'objective_key, objective.title AS objective_title, framework.currency, '
                              'owner.login AS owner \n'
                              'FROM action JOIN framework ON framework.id = action.framework_id JOIN '
                              'objective ON objective.id = action.objective_id JOIN goal ON goal.id = '
                              'objective.goal_id JOIN stakeholder ON stakeholder.id = action.lead_id LEFT '
                              'OUTER JOIN member AS owner ON owner.id = action.owner_id \n'
                              'WHERE action.id IN (SELECT action.id \n'
                              'FROM action \n'
                              'WHERE action.framework_id = ? AND (action.lead_id IN '
                              '(__[POSTCOMPILE_stakeholders]) OR action.id IN (SELECT '
                              'action_partner.action_id \n'
                              'FROM action_partner \n'
                              'WHERE action_partner.stakeholder_id IN (__[POSTCOMPILE_stakeholders]))) AND '
                              'action.status IN (__[POSTCOMPILE_statuses]) ORDER BY action.due ASC NULLS '
                              'LAST, action.id ASC\n'
                              ' LIMIT ? OFFSET ?) ORDER BY action.due ASC NULLS LAST, action.id ASC',
                              (('framework', None, False),
                               ('stakeholders', None, True),
                               ('stakeholders', None, True),
                               ('statuses', 'enum', True),
                               ('limit', None, False),
                               ('offset', None, False)),
                              ('id',
                               'framework',
                               'key',
                               'title',
                               'status',
                               'horizon',
                               'lead_key',
                               'lead_name',
                               'starts',
                               'due',
                               'completed_on',
                               'cost',
                               'version',
                               'updated_at',
                               'goal_key',
                               'goal_title',
                               'objective_key',
                               'objective_title',
                               'currency',
                               'owner'),
                              (None,
                               None,
                               None,
                               None,
                               'enum',
                               'enum',
                               None,
                               None,
                               'date',
                               'date',
                               'date',
                               'money',
                               None,
                               'utc',
                               None,
                               None,
                               None,
                               None,
                               None,
                               None)),
 'page/one/lead/any': ('SELECT action.id, framework."key" AS framework, action."key", action.title, '
                       'action.status, action.horizon, stakeholder."key" AS lead_key, stakeholder.name AS '
                       'lead_name, action.starts, action.due, action.completed_on, action.cost, '
                       'action.version, action.updated_at, goal."key" AS goal_key, goal.title AS goal_title, '
                       'objective."key" AS objective_key, objective.title AS objective_title, '
                       'framework.currency, owner.login AS owner \n'
                       'FROM action JOIN framework ON framework.id = action.framework_id JOIN objective ON '
                       'objective.id = action.objective_id JOIN goal ON goal.id = objective.goal_id JOIN '
                       'stakeholder ON stakeholder.id = action.lead_id LEFT OUTER JOIN member AS owner ON '
                       'owner.id = action.owner_id \n'
                       'WHERE action.id IN (SELECT action.id \n'
                       'FROM action \n'
                       'WHERE action.framework_id = ? AND action.lead_id IN (__[POSTCOMPILE_stakeholders]) '
                       'ORDER BY action.due ASC NULLS LAST, action.id ASC\n'
                       ' LIMIT ? OFFSET ?) ORDER BY action.due ASC NULLS LAST, action.id ASC',
                       (('framework', None, False),
                        ('stakeholders', None, True),
                        ('limit', None, False),
                        ('offset', None, False)),
                       ('id',
                        'framework',
                        'key',
                        'title',
                        'status',
                        'horizon',
                        'lead_key',
                        'lead_name',
                        'starts',
                        'due',
                        'completed_on',
                        'cost',
                        'version',
                        'updated_at',
                        'goal_key',
                        'goal_title',
                        'objective_key',
                        'objective_title',
                        'currency',
                        'owner'),
                       (None,
                        None,
                        None,
                        None,
                        'enum',
                        'enum',
                        None,
                        None,
                        'date',
                        'date',
                        'date',
                        'money',
                        None,
                        'utc',
                        None,
                        None,
                        None,
                        None,
                        None,
                        None)),
 'page/one/lead/statuses': ('SELECT action.id, framework."key" AS framework, action."key", action.title, '
                            'action.status, action.horizon, stakeholder."key" AS lead_key, stakeholder.name '
                            'AS lead_name, action.starts, action.due, action.completed_on, action.cost, '
                            'action.version, action.updated_at, goal."key" AS goal_key, goal.title AS '
                            'goal_title, objective."key" AS objective_key, objective.title AS '
                            'objective_title, framework.currency, owner.login AS owner \n'
                            'FROM action JOIN framework ON framework.id = action.framework_id JOIN objective '
                            'ON objective.id = action.objective_id JOIN goal ON goal.id = objective.goal_id '
                            'JOIN stakeholder ON stakeholder.id = action.lead_id LEFT OUTER JOIN member AS '
                            'owner ON owner.id = action.owner_id \n'
                            'WHERE action.id IN (SELECT action.id \n'
                            'FROM action \n'
                            'WHERE action.framework_id = ? AND action.lead_id IN '
                            '(__[POSTCOMPILE_stakeholders]) AND action.status IN (__[POSTCOMPILE_statuses]) '
                            'ORDER BY action.due ASC NULLS LAST, action.id ASC\n'
                            ' LIMIT ? OFFSET ?) ORDER BY action.due ASC NULLS LAST, action.id ASC',
                            (('framework', None, False),
                             ('stakeholders', None, True),
                             ('statuses', 'enum', True),
                             ('limit', None, False),
                             ('offset', None, False)),
                            ('id',
                             'framework',
                             'key',
                             'title',
                             'status',
                             'horizon',
                             'lead_key',
                             'lead_name',
                             'starts',
                             'due',
                             'completed_on',
                             'cost',
                             'version',
                             'updated_at',
                             'goal_key',
                             'goal_title',
                             'objective_key',
                             'objective_title',
                             'currency',
                             'owner'),
                            (None,
                             None,
                             None,
                             None,
                             'enum',
                             'enum',
                             None,
                             None,
                             'date',
                             'date',
                             'date',
                             'money',
                             None,
                             'utc',
                             None,
                             None,
                             None,
                             None,
                             None,
                             None)),
 'page/one/none/any': ('SELECT action.id, framework."key" AS framework, action."key", action.title, '
                       'action.status, action.horizon, stakeholder."key" AS lead_key, stakeholder.name AS '
                       'lead_name, action.starts, action.due, action.completed_on, action.cost, '
                       'action.version, action.updated_at, goal."key" AS goal_key, goal.title AS goal_title, '
                       'objective."key" AS objective_key, objective.title AS objective_title, '
                       'framework.currency, owner.login AS owner \n'
                       'FROM action JOIN framework ON framework.id = action.framework_id JOIN objective ON '
                       'objective.id = action.objective_id JOIN goal ON goal.id = objective.goal_id JOIN '
                       'stakeholder ON stakeholder.id = action.lead_id LEFT OUTER JOIN member AS owner ON '
                       'owner.id = action.owner_id \n'
                       'WHERE action.id IN (SELECT action.id \n'
                       'FROM action \n'
                       'WHERE action.framework_id = ? ORDER BY action.due ASC NULLS LAST, action.id ASC\n'
                       ' LIMIT ? OFFSET ?) ORDER BY action.due ASC NULLS LAST, action.id ASC',
                       (('framework', None, False), ('limit', None, False), ('offset', None, False)),
                       ('id',
                        'framework',
                        'key',
                        'title',
                        'status',
                        'horizon',
                        'lead_key',
                        'lead_name',
                        'starts',
                        'due',
                        'completed_on',
                        'cost',
                        'version',
                        'updated_at',
                        'goal_key',
                        'goal_title',
                        'objective_key',
                        'objective_title',
                        'currency',
                        'owner'),
                       (None,
                        None,
                        None,
                        None,
                        'enum',
                        'enum',
                        None,
                        None,
                        'date',
                        'date',
                        'date',
                        'money',
                        None,
                        'utc',
                        None,
                        None,
                        None,
                        None,
                        None,
                        None)),
 'page/one/none/statuses': ('SELECT action.id, framework."key" AS framework, action."key", action.title, '
                            'action.status, action.horizon, stakeholder."key" AS lead_key, stakeholder.name '
                            'AS lead_name, action.starts, action.due, action.completed_on, action.cost, '
                            'action.version, action.updated_at, goal."key" AS goal_key, goal.title AS '
                            'goal_title, objective."key" AS objective_key, objective.title AS '
                            'objective_title, framework.currency, owner.login AS owner \n'
                            'FROM action JOIN framework ON framework.id = action.framework_id JOIN objective '
                            'ON objective.id = action.objective_id JOIN goal ON goal.id = objective.goal_id '
                            'JOIN stakeholder ON stakeholder.id = action.lead_id LEFT OUTER JOIN member AS '
                            'owner ON owner.id = action.owner_id \n'
                            'WHERE action.id IN (SELECT action.id \n'
                            'FROM action \n'
                            'WHERE action.framework_id = ? AND action.status IN (__[POSTCOMPILE_statuses]) '
                            'ORDER BY action.due ASC NULLS LAST, action.id ASC\n'
                            ' LIMIT ? OFFSET ?) ORDER BY action.due ASC NULLS LAST, action.id ASC',
                            (('framework', None, False),
                             ('statuses', 'enum', True),
                             ('limit', None, False),
                             ('offset', None, False)),
                            ('id',
                             'framework',
                             'key',
                             'title',
                             'status',
                             'horizon',
                             'lead_key',
                             'lead_name',
                             'starts',
                             'due',
                             'completed_on',
                             'cost',
                             'version',
                             'updated_at',
                             'goal_key',
                             'goal_title',
                             'objective_key',
                             'objective_title',
                             'currency',
                             'owner'),
                            (None,
                             None,
                             None,
                             None,
                             'enum',
                             'enum',
                             None,
                             None,
                             'date',
                             'date',
                             'date',
                             'money',
                             None,
                             'utc',
                             None,
                             None,
                             None,
                             None,
                             None,
                             None)),
 'page/one/partner/any': ('SELECT action.id, framework."key" AS framework, action."key", action.title, '
                          'action.status, action.horizon, stakeholder."key" AS lead_key, stakeholder.name AS '
                          'lead_name, action.starts, action.due, action.completed_on, action.cost, '
                          'action.version, action.updated_at, goal."key" AS goal_key, goal.title AS '
                          'goal_title, objective."key" AS objective_key, objective.title AS objective_title, '
                          'framework.currency, owner.login AS owner \n'
                          'FROM action JOIN framework ON framework.id = action.framework_id JOIN objective '
                          'ON objective.id = action.objective_id JOIN goal ON goal.id = objective.goal_id '
                          'JOIN stakeholder ON stakeholder.id = action.lead_id LEFT OUTER JOIN member AS '
                          'owner ON owner.id = action.owner_id \n'
                          'WHERE action.id IN (SELECT action.id \n'
                          'FROM action \n'
                          'WHERE action.framework_id = ? AND action.id IN (SELECT action_partner.action_id \n'
                          'FROM action_partner \n'
                          'WHERE action_partner.stakeholder_id IN (__[POSTCOMPILE_stakeholders])) ORDER BY '
                          'action.due ASC NULLS LAST, action.id ASC\n'
                          ' LIMIT ? OFFSET ?) ORDER BY action.due ASC NULLS LAST, action.id ASC',
                          (('framework', None, False),
                           ('stakeholders', None, True),
                           ('limit', None, False),
                           ('offset', None, False)),
                          ('id',
                           'framework',
                           'key',
                           'title',
                           'status',
                           'horizon',
                           'lead_key',
                           'lead_name',
                           'starts',
                           'due',
                           'completed_on',
                           'cost',
                           'version',
                           'updated_at',
                           'goal_key',
                           'goal_title',
                           'objective_key',
                           'objective_title',
                           'currency',
                           'owner'),
                          (None,
                           None,
                           None,
                           None,
                           'enum',
                           'enum',
                           None,
                           None,
                           'date',
                           'date',
                           'date',
                           'money',
                           None,
                           'utc',
                           None,
                           None,
                           None,
                           None,
                           None,
                           None)),
 'page/one/partner/statuses': ('SELECT action.id, framework."key" AS framework, action."key", action.title, '
                               'action.status, action.horizon, stakeholder."key" AS lead_key, '
                               'stakeholder.name AS lead_name, action.starts, action.due, '
                               'action.completed_on, action.cost, action.version, action.updated_at, '
                               'goal."key" AS goal_key, goal.title AS goal_title, objective."key" AS '
                               'objective_key, objective.title AS objective_title, framework.currency, '
                               'owner.login AS owner \n'
                               'FROM action JOIN framework ON framework.id = action.framework_id JOIN '
                               'objective ON objective.id = action.objective_id JOIN goal ON goal.id = '
                               'objective.goal_id JOIN stakeholder ON stakeholder.id = action.lead_id LEFT '
                               'OUTER JOIN member AS owner ON owner.id = action.owner_id \n'
                               'WHERE action.id IN (SELECT action.id \n'
                               'FROM action \n'
                               'WHERE action.framework_id = ? AND action.id IN (SELECT '
                               'action_partner.action_id \n'
                               'FROM action_partner \n'
                               'WHERE action_partner.stakeholder_id IN (__[POSTCOMPILE_stakeholders])) AND '
                               'action.status IN (__[POSTCOMPILE_statuses]) ORDER BY action.due ASC NULLS '
                               'LAST, action.id ASC\n'
                               ' LIMIT ? OFFSET ?) ORDER BY action.due ASC NULLS LAST, action.id ASC',
                               (('framework', None, False),
                                ('stakeholders', None, True),
                                ('statuses', 'enum', True),
                                ('limit', None, False),
                                ('offset', None, False)),
                               ('id',
                                'framework',
                                'key',
                                'title',
                                'status',
                                'horizon',
                                'lead_key',
                                'lead_name',
                                'starts',
                                'due',
                                'completed_on',
                                'cost',
                                'version',
                                'updated_at',
                                'goal_key',
                                'goal_title',
                                'objective_key',
                                'objective_title',
                                'currency',
                                'owner'),
                               (None,
                                None,
                                None,
                                None,
                                'enum',
                                'enum',
                                None,
                                None,
                                'date',
                                'date',
                                'date',
                                'money',
                                None,
                                'utc',
                                None,
                                None,
                                None,
                                None,
                                None,
                                None)),
 'page_funding': ('SELECT allocation.action_id, funding_source.currency, sum(allocation.amount) AS sum_1, '
                  'count(*) FILTER (WHERE allocation.amount IS NULL) AS anon_1, count(allocation.amount) AS '
                  'count_1 \n'
                  'FROM allocation JOIN funding_source ON funding_source.id = allocation.source_id \n'
                  'WHERE allocation.action_id IN (__[POSTCOMPILE_ids]) GROUP BY allocation.action_id, '
                  'funding_source.currency',
                  (('ids', None, True),),
                  ('action_id', 'currency', None, None, None),
                  (None, None, 'money', None, None)),
 'page_latest': ('SELECT status_change.id, status_change.action_id, status_change.member_id, '
                 'status_change.via_key, status_change.from_status, status_change.to_status, '
                 'status_change.note, status_change.forced, status_change.at, status_change.on_behalf_of, '
                 'status_change.import_key, member.login \n'
                 'FROM status_change JOIN (SELECT status_change.action_id AS action_id, '
                 'max(status_change.id) AS id \n'
                 'FROM status_change \n'
                 'WHERE status_change.action_id IN (__[POSTCOMPILE_ids]) GROUP BY status_change.action_id) '
                 'AS anon_1 ON status_change.id = anon_1.id LEFT OUTER JOIN member ON member.id = '
                 'status_change.member_id',
                 (('ids', None, True),),
                 ('id',
                  'action_id',
                  'member_id',
                  'via_key',
                  'from_status',
                  'to_status',
                  'note',
                  'forced',
                  'at',
                  'on_behalf_of',
                  'import_key',
                  'login'),
                 (None, None, None, None, 'enum', 'enum', None, 'bool', 'utc', None, None, None)),
 'page_partners': ('SELECT action_partner.action_id, stakeholder."key", stakeholder.name \n'
                   'FROM action_partner JOIN stakeholder ON stakeholder.id = action_partner.stakeholder_id \n'
                   'WHERE action_partner.action_id IN (__[POSTCOMPILE_ids]) ORDER BY stakeholder.name',
                   (('ids', None, True),),
                   ('action_id', 'key', 'name'),
                   (None, None, None)),
 'partners': ('SELECT action_partner.stakeholder_id \n'
              'FROM action_partner \n'
              'WHERE action_partner.action_id = ?',
              (('id', None, False),),
              ('stakeholder_id',),
              (None,)),
 'revision': ('SELECT version_num FROM alembic_version', (), (), ()),
 'set_status': ('UPDATE action SET status=?, completed_on=?, version=?, updated_at=? WHERE action.id = ? AND '
                'action.version = ?',
                (('status', 'enum', False),
                 ('completed_on', 'date', False),
                 ('version', None, False),
                 ('updated_at', 'utc', False),
                 ('_id', None, False),
                 ('_version', None, False)),
                (),
                ()),
 'stakeholder_ids': ('SELECT stakeholder."key", stakeholder.id \n'
                     'FROM stakeholder \n'
                     'WHERE stakeholder."key" IN (__[POSTCOMPILE_keys])',
                     (('keys', None, True),),
                     ('key', 'id'),
                     (None, None)),
 'standing': ('SELECT member.id, framework."key", membership.role, EXISTS (SELECT * \n'
              'FROM admin \n'
              'WHERE admin.member_id = member.id) AS is_admin, stakeholder.id AS org_id, stakeholder."key" '
              'AS org_key, stakeholder.name AS org_name \n'
              'FROM member JOIN framework ON framework.id = ? LEFT OUTER JOIN membership ON '
              'membership.member_id = member.id AND membership.framework_id = framework.id LEFT OUTER JOIN '
              'affiliation ON affiliation.member_id = member.id AND affiliation.framework_id = framework.id '
              'LEFT OUTER JOIN stakeholder ON stakeholder.id = affiliation.stakeholder_id \n'
              'WHERE member.login = ? ORDER BY stakeholder.name',
              (('framework', None, False), ('login', None, False)),
              ('id', 'key', 'role', 'is_admin', 'org_id', 'org_key', 'org_name'),
              (None, None, 'enum', 'bool', None, None, None)),
 'visible_ids': ('SELECT framework.id \nFROM framework \nWHERE framework."key" IN (__[POSTCOMPILE_keys])',
                 (('keys', None, True),),
                 ('id',),
                 (None,))}
