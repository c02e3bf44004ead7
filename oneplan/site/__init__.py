"""The site layer: what assembles OnePlan from its apps, on top of all of them.

Root URLs and the API router, start pages and navigation, sign-in (allauth adapters and
forms, lockout, two-step verification and session limits, API token endpoint and pages)
and the demo seeder. It may import every app and the ``oneplan`` core; nothing imports
it (the import contracts in ``pyproject.toml`` check both).
"""
