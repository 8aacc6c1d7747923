"""Errors the services raise; views, admin and tasks turn them into messages."""


class ServiceError(Exception):
    """A business rule refused the action. `message` is safe to show to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidTransition(ServiceError):
    """The object is not in a state that allows the requested move (e.g. already decided)."""


class ActionNotAllowed(ServiceError):
    """The acting user or organization may not take this action."""
