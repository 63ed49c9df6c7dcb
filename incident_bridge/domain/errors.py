"""One exception hierarchy for the whole bridge, translated at the edges."""

from __future__ import annotations


class BridgeError(Exception):
    """Base class of every error the bridge raises on purpose."""

    #: A message fit to show a person (Russian), set by subclasses.
    user_message: str = "Операция не выполнена."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.user_message)
        if message:
            self.user_message = message


class IllegalTransition(BridgeError):
    """The action is not allowed in the message's current state."""


class PermissionDenied(BridgeError):
    """The person may not take this action on this message."""


class ConcurrentUpdate(BridgeError):
    """Somebody else changed the message first; the caller's view is stale."""

    user_message = "Сообщение уже изменил другой сотрудник. Обновите страницу и повторите действие."


class NotFound(BridgeError):
    """The thing asked for does not exist."""

    user_message = "Не найдено."


class InvalidInput(BridgeError):
    """Input from a person or a file failed validation."""


class StorageError(BridgeError):
    """The database refused to store something (a value it cannot hold, a duplicate key).

    ``conflict`` is True for a duplicate: someone else stored the same thing at once.
    """

    user_message = "Не удалось сохранить данные."

    def __init__(self, message: str | None = None, *, conflict: bool = False) -> None:
        super().__init__(message)
        self.conflict = conflict


class ConfigurationError(BridgeError):
    """A setting, profile or calendar file is wrong; the message says which and why."""


class IncidentSystemError(BridgeError):
    """The incident system could not be reached or refused a request."""


class TransientDeliveryError(IncidentSystemError):
    """Network trouble, a timeout, a 5xx or a 429: worth retrying later.

    ``retry_after`` is the number of seconds the system asked us to wait, if it did.
    """

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class DeliveryRejected(IncidentSystemError):
    """The system refused the request for good (a 4xx other than 429)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class WebhookError(BridgeError):
    """A host system's webhook receiver did not take a delivery; ``status`` if it answered."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class WebhookTransientError(WebhookError):
    """Network trouble, a timeout, a 5xx or a 429: the delivery is tried again later."""

    def __init__(
        self, message: str, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, status)
        self.retry_after = retry_after


class WebhookRejected(WebhookError):
    """The receiver refused the delivery for good (a redirect or a 4xx other than 429)."""
