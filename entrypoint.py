"""The container's entrypoint: the runner's environment in, an exit code out.

All logic lives in the installed package (zenodo_action.action); this file only calls it.
"""

from zenodo_action import process
from zenodo_action.action import main

if __name__ == "__main__":
    process.end(main())
