"""Subject access requests (docs/subject-access.md; docs/decisions/0017): a DPO records
a person's request, OnePlan assembles everything held about them from the personal data
registry (audit.personal_data), the DPO redacts what is about other people, and
downloads the bundle as PDF and CSV."""
