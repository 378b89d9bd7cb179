"""Explain the runs that did not pass: read their run details."""
