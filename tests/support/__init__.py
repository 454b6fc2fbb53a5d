"""Helpers and data shared by more than one test module."""
