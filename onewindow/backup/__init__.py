"""Backups and restores of the whole platform: database and uploaded files in one archive
(docs/rules/audit.md §Z8, §Z9)."""
