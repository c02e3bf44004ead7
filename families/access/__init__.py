"""Who may see and do what with a family: the permission registry, the access policy,
grants and their guardian rows, the team, lawful bases and break glass."""
