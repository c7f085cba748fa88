"""Every domain exception. The API maps each to a status code once (skyvern_site/api.py); the dashboard
shows its message; the worker turns RunSetupError into the run's failure_reason."""


class DomainError(Exception):
    """An error whose message is written for the person who sent the request."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidRunRequest(DomainError):
    """A request that is well-formed but cannot be run (HTTP 400)."""


class NotFound(DomainError):
    """Nothing by that id in the caller's organization; another organization's row looks the same (HTTP 404)."""


class IllegalTransition(DomainError):
    """A status move the state machine does not allow, or one another process made first (HTTP 409)."""


class RunSetupError(DomainError):
    """A stored run cannot be executed as asked; the message becomes the run's failure_reason."""


class Throttled(DomainError):
    """Too many failed logins or API keys from one client (HTTP 429 with Retry-After)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
