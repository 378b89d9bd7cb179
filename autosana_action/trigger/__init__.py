"""Start the flows: the flows/run request and what its answer means."""
