"""Domain errors: each carries a French message that the view shows as it is."""


class DomainError(Exception):
    """A rule refused a change; str(error) is the French message for the user."""

    def __init__(self, message: str, *, messages: list[str] | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.messages = messages or [message]
        self.field = field  # the form field the message goes beside (None: at the top of the form)


class ConflictError(DomainError):
    """Someone else saved the same object since this user loaded it."""
