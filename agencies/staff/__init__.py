"""Staff administration: the system administrator's pages and API for accounts.

Invite a member of staff (an account, a staff profile, memberships of groups that higher
apps keep, such as LCGs, and a one-time set-up link), change their agency, job title,
roles and memberships, deactivate them, reset their two-step verification, and list
them by agency and role. The set-up page where an invited person chooses their password
is here too. Docs: docs/roles/system-administrators.md, docs/decisions/0014.
"""
