"""Settings split by where OnePlan runs: base, demo, test, production."""
