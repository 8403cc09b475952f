"""The container's entrypoint: the runner's environment in, an exit code out.

All logic lives in the installed package (zenodo_action.action); this file only calls it.
"""

import sys

from zenodo_action.action import main

if __name__ == "__main__":
    sys.exit(main())
