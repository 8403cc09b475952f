"""zenodo-action: keep a repository's Zenodo record current."""

__version__ = "0.1.0"
USER_AGENT = f"zenodo-action/{__version__} (+https://github.com/zenodo-action/zenodo-action)"
