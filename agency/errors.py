"""Domain errors that services raise and every face renders the same way.

The API renders them in the contract's shape:
{"error": {"code", "message", "details": [{"line", "field", "code", "message"}]}}"""

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ErrorDetail:
    code: str
    message: str
    field: str | None = None
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.line is not None:
            out["line"] = self.line
        if self.field is not None:
            out["field"] = self.field
        out["code"] = self.code
        out["message"] = self.message
        return out


@dataclass
class DomainError(Exception):
    """A rule of the business was broken. `status` is the HTTP status the API answers."""

    code: str
    message: str
    details: list[ErrorDetail] = field(default_factory=list)
    status: int = 400

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "error": {
                "code": self.code,
                "message": str(self.message),
                "details": [d.as_dict() for d in self.details],
            }
        }


class ValidationFailed(DomainError):
    def __init__(self, details: list[ErrorDetail], message: str = "") -> None:
        super().__init__(
            code="validation_failed",
            message=message or "输入有误 / Validation failed",
            details=details,
            status=400,
        )


class Conflict(DomainError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(code=code, message=message, status=409)


class RateLimited(DomainError):
    """Too much of something in too short a time; the API adds `Retry-After`."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(code="throttled", message=message, status=429)
        self.retry_after = retry_after
