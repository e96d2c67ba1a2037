"""The one error hierarchy of lcagraph.

Every expected failure is a subclass of :class:`LcaGraphError`. Messages name the value
that was wrong and say how to fix it. Library errors are wrapped at the edge with ``from e``.
"""

from __future__ import annotations

_QUOTED = 60  # characters of a value quoted in a message


def quoted(value: object) -> str:
    """repr(value), cut to a readable length: a 50 MB value must not become a 50 MB message."""
    try:
        text = repr(value)
    except ValueError:  # an int beyond Python's 4,300-digit conversion limit
        return "an integer too long to show"
    return text if len(text) <= _QUOTED else f"{text[:_QUOTED - 20]}… ({len(text)} characters)"


class LcaGraphError(Exception):
    """Base of every error lcagraph raises on purpose."""


class ConfigurationError(LcaGraphError):
    """A setting (URL, path, environment variable) is missing or wrong."""


class EngineUnavailable(LcaGraphError):
    """The graph engine cannot be started or reached."""


class EngineError(LcaGraphError):
    """The graph engine rejected a statement (wrapped driver error)."""


class ReadOnlyViolation(LcaGraphError):
    """A statement that writes was sent where only reads are allowed."""


class StoreBusy(LcaGraphError):
    """Another lcagraph process holds the write lock of this store."""


class NodeNotFound(LcaGraphError):
    """A process, flow, database, method or path does not exist in the graph."""


class InvalidArgument(LcaGraphError):
    """An argument is out of range or inconsistent."""


class MalformedDataset(LcaGraphError):
    """Input data is not well-formed; the message names file, dataset and field."""

    def __init__(self, message: str, *, file: str = "", dataset: str = "", field: str = "") -> None:
        where = ", ".join(
            part for part in (
                f"file {file!r}" if file else "",
                f"dataset {dataset!r}" if dataset else "",
                f"field {field!r}" if field else "",
            ) if part
        )
        super().__init__(f"{where}: {message}" if where else message)
        self.file = file
        self.dataset = dataset
        self.field = field


class UnresolvedReference(MalformedDataset):
    """A dataset refers to a flow, unit or provider that is not there."""


class UnitMismatch(MalformedDataset):
    """An amount is given in a unit of another quantity than its flow's (kWh for a flow in kg)."""


class UnsafeArchive(MalformedDataset):
    """A package or file refused unread: path traversal, a symbolic link or an archive inside the
    archive, XML with a DTD (entity bombs, external entities), an excessive expansion ratio, or more
    bytes or members than the input limits allow."""


class LimitExceeded(MalformedDataset):
    """Content beyond an input limit (string length, JSON depth, exchanges, formula size); the
    message names the limit's environment variable (lcagraph/config.py InputLimits)."""


class UnsupportedFormat(LcaGraphError):
    """The input is in a format lcagraph cannot read (the message names what it found)."""


class DuplicateDataset(LcaGraphError):
    """A dataset id already belongs to another database."""


class SingularTechnosphere(LcaGraphError):
    """The technosphere matrix cannot be solved; the message names the processes involved."""

    def __init__(self, message: str, processes: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.processes = processes


class NonFiniteResult(LcaGraphError):
    """A NaN or infinity appeared in matrices or results."""


class StaleResult(LcaGraphError):
    """A cached result belongs to an older graph version."""


class ChecksumMismatch(LcaGraphError):
    """A downloaded file does not have the published sha256 (corrupt or different release)."""


class NotAuthorized(LcaGraphError):
    """The request lacks a valid API token."""


class NotAuthenticated(LcaGraphError):
    """Client credentials or an access token were missing, wrong or expired."""


class CallbackFailed(LcaGraphError):
    """A data recipient did not accept an event sent to its configured callback."""


class TokenExpired(NotAuthenticated):
    """An access token was valid but its lifetime is over."""


class PortInUse(LcaGraphError):
    """The TCP address a server should listen on is taken or not available."""


class WorkerFailed(LcaGraphError):
    """A worker process of a parallel reader ended abnormally (killed, or out of memory)."""


def process_not_found(process_id: str) -> NodeNotFound:
    """The one wording of an unknown process id (footprint, tree, qr, the viewer's links)."""
    return NodeNotFound(f"process {process_id!r} is not in the graph; find a process id by name with "
                        "`lcagraph search WORDS`")
