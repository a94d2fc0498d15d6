"""``python -m commandwall`` runs the command line."""

import sys

from commandwall.cli import main

sys.exit(main())
