"""Merge mode: one report from the results files of several matrix jobs."""
