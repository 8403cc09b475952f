import sys

from zenodo_action.cli import main

sys.exit(main())
