"""The standalone server: the Batch API (and moto for every other service) over HTTP."""

from __future__ import annotations

from batchmock.server.app import make_app
from batchmock.server.threaded import ThreadedServer

__all__ = ["ThreadedServer", "make_app"]
