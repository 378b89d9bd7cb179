"""What is rendered from a verdict: the Markdown report, the log lines, JUnit, the results file, history."""
