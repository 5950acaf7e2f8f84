"""``python -m ecgteach`` runs the ``ecgteach`` command line."""

import sys

from .cli import main

sys.exit(main())
