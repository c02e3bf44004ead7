"""Cross-app journeys; the browser fixtures are shared by every folder (browser_fixtures)."""
