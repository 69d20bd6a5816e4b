"""Who may do what: the one place for the rules, members and admins."""
