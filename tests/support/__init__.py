"""Helpers that tests and benchmarks share: data in the state the services leave it.

Test code only: no production module imports anything from here.
"""
