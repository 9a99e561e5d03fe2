"""Allow ``python -m rampkit``."""

import sys

from rampkit.cli import main

sys.exit(main())
