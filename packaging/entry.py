"""PyInstaller entry point of the ``commandwall`` executable: the same ``main()`` as the console script."""

import sys

from commandwall.cli import main

if __name__ == "__main__":
    sys.exit(main())
