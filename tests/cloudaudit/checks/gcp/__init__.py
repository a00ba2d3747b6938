"""Tests of cloudaudit.checks."""
