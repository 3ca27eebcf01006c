"""Helpers shared by the test suite, imported as ``helpers.<module>``.

pytest puts tests/ on sys.path (``pythonpath`` in pyproject.toml), so a test in
any folder imports ``from helpers.synthetic import …``; bench/ adds tests/ to its
path for the same imports. Nothing here is collected as a test.
"""
