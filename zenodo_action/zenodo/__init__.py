"""The Zenodo side: the deposit API client, publish planning and its errors."""
