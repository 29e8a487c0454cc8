"""One exception hierarchy; the CLI turns each into a single line and an exit code."""


class WpcpdError(Exception):
    """An error whose message is fit to show a person as it is."""

    exit_code = 1


class UsageError(WpcpdError):
    """The command was asked for something that cannot be done as asked."""

    exit_code = 2


class SourceError(WpcpdError):
    """A source (file or site) could not be read, or is not what it claims to be."""


class ArchiveError(WpcpdError):
    """The archive file is missing, locked, corrupt or of a newer schema."""
