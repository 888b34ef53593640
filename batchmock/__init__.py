"""batchmock: an in-memory AWS Batch for test suites, as faithful as we can make it.

The public names are importable from here: :func:`mock_batch` and its controller
:class:`BatchMock`, the options (:class:`MockOptions`, :class:`Delays`), what ``on_job`` handlers
receive and return (:class:`AttemptContext`, :class:`Outcome`), the executor contract
(:class:`Executor`, :class:`Execution`, :class:`StartFailure`), what ``run_until_idle`` returns
(:class:`UnfinishedJob`) and the errors and warnings a test may meet. The standalone server's
in-process form is :class:`batchmock.server.ThreadedServer`.
"""

from __future__ import annotations

from batchmock._version import __version__
from batchmock.engine.idle import UnfinishedJob
from batchmock.errors import JobEventWarning, MockNotActiveError, NetworkRefusedError
from batchmock.executors.base import AttemptContext, Execution, Executor, Outcome, StartFailure
from batchmock.interceptor import patch_client
from batchmock.mock import BatchMock, mock_batch
from batchmock.options import Delays, MockOptions

__all__ = [
    "AttemptContext",
    "BatchMock",
    "Delays",
    "Execution",
    "Executor",
    "JobEventWarning",
    "MockNotActiveError",
    "MockOptions",
    "NetworkRefusedError",
    "Outcome",
    "StartFailure",
    "UnfinishedJob",
    "__version__",
    "mock_batch",
    "patch_client",
]

for _name in __all__:
    _value = globals()[_name]
    if isinstance(_value, type):
        _value.__module__ = "batchmock"
del _name, _value
