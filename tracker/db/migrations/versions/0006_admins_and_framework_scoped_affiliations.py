"""admins of the database; a member's organisations count per framework

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 06:20:00

Written by hand: the affiliation table is rebuilt with a framework column, and each
existing affiliation is given to every framework where that member already has a
membership (affiliations of a member without any membership counted nowhere and
are dropped). The downgrade folds them back into one row per member and
organisation.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tracker.models.types


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "admin",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("granted_at", tracker.models.types.UTCDateTime(), nullable=False),
        sa.Column("granted_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["granted_by"], ["member.id"], name=op.f("fk_admin_granted_by_member"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_admin_member_id_member"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_admin")),
    )

    conn = op.get_bind()
    kept = conn.execute(
        sa.text(
            "SELECT DISTINCT a.member_id, m.framework_id, a.stakeholder_id "
            "FROM affiliation a JOIN membership m ON m.member_id = a.member_id"
        )
    ).all()
    with op.batch_alter_table("affiliation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_affiliation_stakeholder_id"))
    op.drop_table("affiliation")
    affiliation = _affiliation_table(with_framework=True)
    if kept:
        op.bulk_insert(affiliation, [{"member_id": m, "framework_id": f, "stakeholder_id": s} for m, f, s in kept])


def downgrade() -> None:
    conn = op.get_bind()
    kept = conn.execute(sa.text("SELECT DISTINCT member_id, stakeholder_id FROM affiliation")).all()
    with op.batch_alter_table("affiliation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_affiliation_stakeholder_id"))
    op.drop_table("affiliation")
    affiliation = _affiliation_table(with_framework=False)
    if kept:
        op.bulk_insert(affiliation, [{"member_id": m, "stakeholder_id": s} for m, s in kept])
    op.drop_table("admin")


def _affiliation_table(*, with_framework: bool) -> sa.Table:
    if with_framework:
        table = op.create_table(
            "affiliation",
            sa.Column("member_id", sa.Integer(), nullable=False),
            sa.Column("framework_id", sa.Integer(), nullable=False),
            sa.Column("stakeholder_id", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(
                ["member_id", "framework_id"],
                ["membership.member_id", "membership.framework_id"],
                name="fk_affiliation_membership",
                ondelete="CASCADE",
            ),
            sa.ForeignKeyConstraint(
                ["stakeholder_id"],
                ["stakeholder.id"],
                name=op.f("fk_affiliation_stakeholder_id_stakeholder"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("member_id", "framework_id", "stakeholder_id", name=op.f("pk_affiliation")),
        )
    else:
        table = op.create_table(
            "affiliation",
            sa.Column("member_id", sa.Integer(), nullable=False),
            sa.Column("stakeholder_id", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(
                ["member_id"], ["member.id"], name=op.f("fk_affiliation_member_id_member"), ondelete="CASCADE"
            ),
            sa.ForeignKeyConstraint(
                ["stakeholder_id"],
                ["stakeholder.id"],
                name=op.f("fk_affiliation_stakeholder_id_stakeholder"),
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("member_id", "stakeholder_id", name=op.f("pk_affiliation")),
        )
    with op.batch_alter_table("affiliation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_affiliation_stakeholder_id"), ["stakeholder_id"], unique=False)
    assert table is not None
    return table
