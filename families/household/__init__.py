"""Household records: people joining and leaving a family, corrections to a person's
details and the family's address, protected addresses, and the "changes" views."""
