"""Domain errors. Each carries a message fit to show the user (Chinese first)."""


class KejiyunError(Exception):
    """An expected failure with a user-facing message."""


class BadInput(KejiyunError):
    """The input (file, argument, message) is wrong; CLI exit status 2."""


class NotInitialised(KejiyunError):
    """The store has no schema yet, or an old one."""


class StoreUnavailable(Exception):
    """The database cannot be reached (restarting, failing over). Not the user's fault and not
    theirs to fix: HTTP entry points answer 503 with Retry-After, webhooks give the message
    back to the platform (which re-delivers it), and nothing half-done is kept."""

    MESSAGE = "系统正在维护或重启，请稍后再试。"


def is_store_outage(exc: BaseException) -> bool:
    """A lost or refused database connection, as opposed to a bug or bad data."""
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

    if isinstance(exc, StoreUnavailable | OperationalError | InterfaceError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)
