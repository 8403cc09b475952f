"""The GitHub side: workflow commands, the event payload and the releases API."""
