"""``python -m batchmock``: the same as the ``batchmock`` command."""

from __future__ import annotations

import sys

from batchmock.cli import main

if __name__ == "__main__":
    sys.exit(main())
