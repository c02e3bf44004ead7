"""Demo data for OnePlan: Hampshire's LCGs, agencies, staff and a synthetic caseload.

The logic lives in ``oneplan.site.demo.seed``; ``manage.py seed_demo`` is a thin wrapper.
"""
