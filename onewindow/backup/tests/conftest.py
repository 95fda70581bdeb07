"""Backup fixtures: the cases app's world (a published item, an applicant, a clerk)."""

from onewindow.cases.tests.conftest import world  # noqa: F401
