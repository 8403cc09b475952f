"""The Zenodo side: the deposit API (api.py) and its legacy client (client.py), deciding a
publish (plan.py), observing and applying it (deposit.py), its results and errors.

Nothing here knows GitHub (tests/test_layout.py keeps it so)."""
