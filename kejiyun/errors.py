"""Domain errors. Each carries a message fit to show the user (Chinese first)."""


class KejiyunError(Exception):
    """An expected failure with a user-facing message."""


class BadInput(KejiyunError):
    """The input (file, argument, message) is wrong; CLI exit status 2."""


class NotInitialised(KejiyunError):
    """The store has no schema yet, or an old one."""
