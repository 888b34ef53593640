"""The errors of batchmock: the two of the Batch service model (raised anywhere below the wire
layer, turned into HTTP errors), and the two a test meets when it uses a mock the wrong way."""

from __future__ import annotations


class BatchError(Exception):
    """Base of the modeled Batch errors; the wire layer turns one into an HTTP error.

    ``request_id_tail``: the wire layer appends ``, RequestId: <the response's request id>`` to
    the message, as AWS does on its ``Error executing request`` family (reference §2.5, §21.4).
    """

    code: str = "ClientException"
    status: int = 400

    def __init__(self, message: str, *, request_id_tail: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.request_id_tail = request_id_tail


class ClientException(BatchError):
    """HTTP 400: a bad request, an unknown identifier, or a rule of AWS Batch broken."""

    code = "ClientException"
    status = 400


class ServerException(BatchError):
    """HTTP 500: a fault inside the service (only ever raised on purpose, e.g. injected)."""

    code = "ServerException"
    status = 500


def not_found(kind: str, ref: str) -> ClientException:
    """The error for a name or ARN that names nothing, e.g. ``JobQueue q not found.``."""
    return ClientException(f"{kind} {ref} not found.")


EXECUTING_REQUEST = "Error executing request, Exception : "
"""The prefix of AWS's validation errors (§2.5); such a message ends with the request id."""


def executing_request(detail: str) -> ClientException:
    """``Error executing request, Exception : <detail>, RequestId: <uuid>`` (§2.5, §21.4).

    The request id is the response's own (``x-amzn-RequestId``), added by the wire layer.
    """
    return ClientException(EXECUTING_REQUEST + detail, request_id_tail=True)


def invalid(member: str, rule: str) -> ClientException:
    """A validation error that names the member and the rule it broke (AWS's wrapper, §2.5)."""
    return executing_request(f"{member}: {rule}")


class MockNotActiveError(RuntimeError):
    """A controller method (``mock.client()``, ``advance``, ``run_until_idle``, ...) was called
    while its mock was not active: outside ``with mock_batch() as mock:`` or the decorated test."""


class NetworkRefusedError(RuntimeError):
    """A request tried to leave this machine while ``mock_batch`` was active, and was refused.

    Raised by botocore's HTTP layer for a request no mock answered whose host is not a loopback
    address; the boto3 call that made it fails with this error (it is not retried).
    """


class JobEventWarning(RuntimeWarning):
    """moto's EventBridge did not take one of Batch's events ("Batch Job State Change", "Batch
    Service Job State Change", "Batch Job Queue Blocked"): a target it could not deliver to,
    moto's events without its ``jsonpath_ng`` dependency. The job is not affected."""
