"""Exceptions of libtask, one per error code of the C ABI (the rows of the HTTP error table)."""
from __future__ import annotations

from typing import Any, Dict, List, Optional


class TaskError(Exception):
    """Base of every libtask error.

    code: the C ABI's task_code; name: its stable name ("not_found", ...); http_status: the
    status the HTTP API answers with; message: one line; detail: the HTTP API's JSON error body
    (a dict), e.g. {"detail": "Task not found", "task_id": "tsk_..."}.
    """

    code = 9
    name = "internal"
    http_status = 500

    def __init__(self, message: str, detail: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail: Dict[str, Any] = detail or {}


class NotFound(TaskError):
    """A task, template or execution that is missing, deleted or not the caller's (404)."""

    code, name, http_status = 1, "not_found", 404


class ValidationError(TaskError, ValueError):
    """Invalid input (422). `errors` lists every problem: {"loc": [...], "msg": ..., "type": ...}."""

    code, name, http_status = 2, "validation", 422

    @property
    def errors(self) -> List[Dict[str, Any]]:
        items = self.detail.get("detail")
        return list(items) if isinstance(items, list) else []


class PermissionDenied(TaskError):
    """The caller may not do this (403)."""

    code, name, http_status = 3, "permission", 403


class UpgradeRequired(PermissionDenied):
    """A template above the caller's subscription level (403); see detail["required_level"]."""

    code, name, http_status = 4, "upgrade_required", 403


class Conflict(TaskError):
    """An invalid status transition, or a run while one is active (409)."""

    code, name, http_status = 5, "conflict", 409


class PreconditionFailed(TaskError):
    """if_match did not match the task's current ETag (412); detail["etag"] is the current one."""

    code, name, http_status = 6, "precondition", 412


class QuotaExceeded(TaskError):
    """A task or daily-execution quota is used up (429); see detail["limit_type"], ["limit"]."""

    code, name, http_status = 7, "quota", 429


class Unavailable(TaskError):
    """Storage (or another dependency) cannot be reached (503); `message` says why."""

    code, name, http_status = 8, "unavailable", 503


class InternalError(TaskError):
    """Anything else (500): a bug; `message` says what."""


class InvalidArgument(TaskError, ValueError):
    """Misuse of the binding, e.g. a call on a closed Service (400)."""

    code, name, http_status = 10, "invalid_argument", 400


_BY_CODE = {
    cls.code: cls
    for cls in (
        NotFound,
        ValidationError,
        PermissionDenied,
        UpgradeRequired,
        Conflict,
        PreconditionFailed,
        QuotaExceeded,
        Unavailable,
        InternalError,
        InvalidArgument,
    )
}


def from_code(
    code: int, name: str, http_status: int, message: str, detail: Optional[Dict[str, Any]]
) -> TaskError:
    """The exception for a C ABI error code (InternalError for a code this version does not know)."""
    cls = _BY_CODE.get(code, InternalError)
    error = cls(message or name, detail if isinstance(detail, dict) else None)
    if cls is InternalError and code != InternalError.code:
        error.code, error.name, error.http_status = code, name, http_status
    return error
