"""The Autosana API: the HTTP client and the models of what it sends back."""
