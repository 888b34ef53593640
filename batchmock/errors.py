"""The two errors of the Batch service model, raised anywhere below the wire layer."""

from __future__ import annotations


class BatchError(Exception):
    """Base of the modeled Batch errors; the wire layer turns one into an HTTP error."""

    code: str = "ClientException"
    status: int = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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


def invalid(member: str, rule: str) -> ClientException:
    """A validation error that names the member and the rule it broke."""
    return ClientException(f"Error executing request, Exception : {member}: {rule}")
