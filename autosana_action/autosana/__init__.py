"""The Autosana side: API client and models, polling, run details, and the simulator."""
