"""Allow ``python -m rampkit.cli``."""

import sys

from rampkit.cli import main

sys.exit(main())
