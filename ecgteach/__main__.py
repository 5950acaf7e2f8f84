"""``python -m ecgteach`` runs the ``ecgteach`` command line."""

import sys

from ecgteach.cli import main

sys.exit(main())
