"""Who may see and do what with a family: the permission registry, the access policy,
grants, the team, lawful bases and break glass."""
