"""The GitHub side: the event that started the job and everything posted back (check run, PR comment)."""
