"""The GitHub side: workflow commands, the event payload, and the REST API (client.py) with
what uses it: releases, the write-back's pull request, the repository's own metadata."""
