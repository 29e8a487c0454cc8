"""Migrating an archived blog to another WordPress: push and verify."""
