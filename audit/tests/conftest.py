"""Fixtures and hooks for the audit tests.

The teardown hook of audit/tests/plugin.py is imported here so these tests use it even
before the root conftest.py enables the plugin for the whole suite.
"""

from audit.tests.plugin import pytest_runtest_teardown

__all__ = ["pytest_runtest_teardown"]
