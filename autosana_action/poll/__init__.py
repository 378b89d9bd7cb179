"""Wait for the flows: poll the batch status until it is complete, within the deadline."""
