"""``python -m widgets`` is the ``neuguong`` command."""

import sys

from widgets.cli import main

sys.exit(main())
