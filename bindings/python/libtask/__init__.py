"""libtask for Python: the task service of libtask, in process, over its C ABI (ctypes).

    import libtask

    with libtask.Service.open("sqlite:///tmp/tasks.db") as svc:
        task = svc.create_task("alice", {"name": "Buy milk", "task_type": "todo"})
        svc.execute_task("alice", task["task_id"])
        for t in svc.iter_tasks("alice", status="completed"):
            print(t["task_id"], t["name"])

Every method takes the caller's user id first and returns plain dicts/lists with the field names
of the HTTP API (docs/api.md). Errors raise the TaskError subclass of their code (NotFound,
ValidationError, Conflict, QuotaExceeded, Unavailable, ...). A Service may be used from many
threads at once; the C library releases the GIL while it works.
"""
from __future__ import annotations

import ctypes
import threading
from datetime import datetime, timezone
from typing import Any, Dict, Iterator, List, Mapping, Optional, Union

from . import _native
from .errors import (
    Conflict,
    InternalError,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    QuotaExceeded,
    TaskError,
    Unavailable,
    UpgradeRequired,
    ValidationError,
)

__version__ = "0.2.0"

__all__ = [
    "Service",
    "TaskError",
    "NotFound",
    "ValidationError",
    "PermissionDenied",
    "UpgradeRequired",
    "Conflict",
    "PreconditionFailed",
    "QuotaExceeded",
    "Unavailable",
    "InternalError",
    "InvalidArgument",
    "library_version",
]

Json = Dict[str, Any]
Query = Optional[Mapping[str, Any]]

_lib = _native.lib
_call = _native.call
_text = _native.text
_json = _native.json_text


def library_version() -> str:
    """The version of the loaded libtask_c library, "MAJOR.MINOR.PATCH"."""
    return _lib.task_version().decode()


def _query(params: Mapping[str, Any]) -> Optional[bytes]:
    clean = {k: v for k, v in params.items() if v is not None}
    return _json(clean) if clean else None


def _timestamp(now: Union[datetime, str, None]) -> Optional[bytes]:
    if now is None or isinstance(now, str):
        return _text(now)
    if now.tzinfo is None:
        raise InvalidArgument("step(now): the datetime must be timezone-aware (e.g. timezone.utc)")
    utc = now.astimezone(timezone.utc)
    frac = f".{utc.microsecond:06d}" if utc.microsecond else ""
    return _text(utc.strftime("%Y-%m-%dT%H:%M:%S") + frac + "Z")


class Service:
    """The task service over one database. Open with Service.open(url); use as a context
    manager or call close(). Thread-safe; close() waits for calls in progress on other threads."""

    def __init__(self, handle: ctypes.c_void_p, url: str) -> None:
        self._handle: Optional[ctypes.c_void_p] = handle
        self._url = url
        self._active = 0
        self._cv = threading.Condition()

    @classmethod
    def open(cls, url: str, config: Optional[Mapping[str, Any]] = None) -> "Service":
        """Opens storage (migrations applied, templates seeded) and wires the service.

        url: "memory:", "sqlite:///path/file.db" or "postgresql://user@host:port/db".
        config: settings named like task-server's flags without dashes, e.g.
        {"workers": 4, "nats-url": "nats://127.0.0.1:4222", "webhook-allow-private": True}.
        The scheduler is off until start_scheduler() (or driven with step()).
        Raises ValidationError for a bad setting, Unavailable when storage cannot be opened.
        """
        handle = ctypes.c_void_p()
        err = ctypes.c_void_p()
        code = _lib.task_service_open(
            _text(url), _json(dict(config)) if config else None, ctypes.byref(handle),
            ctypes.byref(err))
        if code != 0:
            _native.raise_error(code, err)
        return cls(handle, url)

    # --- lifetime --------------------------------------------------------------------------------

    def close(self) -> None:
        """Stops the scheduler and the event relay and closes storage. Idempotent."""
        with self._cv:
            handle, self._handle = self._handle, None
            self._cv.wait_for(lambda: self._active == 0)
        if handle is not None:
            _lib.task_service_close(handle)

    @property
    def closed(self) -> bool:
        return self._handle is None

    def __enter__(self) -> "Service":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self) -> str:
        return f"<libtask.Service {self._url!r}{' closed' if self.closed else ''}>"

    def _invoke(self, fn: Any, *args: Any, result: bool = True) -> Any:
        with self._cv:
            if self._handle is None:
                raise InvalidArgument("the service is closed")
            handle = self._handle
            self._active += 1
        try:
            return _call(fn, handle, *args, result=result)
        finally:
            with self._cv:
                self._active -= 1
                self._cv.notify_all()

    # --- tasks -----------------------------------------------------------------------------------

    def create_task(self, user_id: str, body: Mapping[str, Any]) -> Json:
        """Creates a task from a body like POST /api/v1/tasks; returns the task (with "etag")."""
        return self._invoke(_lib.task_create_task, _text(user_id), _json(dict(body)))

    def get_task(self, user_id: str, task_id: str) -> Json:
        """The caller's task (NotFound otherwise)."""
        return self._invoke(_lib.task_get_task, _text(user_id), _text(task_id))

    def list_tasks(self, user_id: str, **query: Any) -> Json:
        """One page: {"tasks", "count", "total", "limit", "offset", "next_cursor", "filters"}.
        Query parameters as the HTTP API names them (status, task_type, priority, tag, search,
        sort_by, sort_order, limit, offset, cursor, ...); a list value repeats a parameter."""
        return self._invoke(_lib.task_list_tasks, _text(user_id), _query(query))

    def iter_tasks(self, user_id: str, **query: Any) -> Iterator[Json]:
        """Every matching task, page after page (following next_cursor)."""
        while True:
            page = self.list_tasks(user_id, **query)
            yield from page["tasks"]
            cursor = page.get("next_cursor")
            if not cursor or not page["tasks"]:
                return
            query = {**query, "cursor": cursor}
            query.pop("offset", None)

    def update_task(
        self,
        user_id: str,
        task_id: str,
        patch: Mapping[str, Any],
        if_match: Optional[str] = None,
    ) -> Json:
        """Partial update like PUT /api/v1/tasks/{id}; if_match = an "etag" read before
        (PreconditionFailed when the task changed since). Returns the task as stored."""
        return self._invoke(
            _lib.task_update_task, _text(user_id), _text(task_id), _json(dict(patch)),
            _text(if_match))

    def delete_task(self, user_id: str, task_id: str) -> Json:
        """Soft delete: {"message": "Task deleted successfully", "task_id": ...}."""
        return self._invoke(_lib.task_delete_task, _text(user_id), _text(task_id))

    # --- executions ------------------------------------------------------------------------------

    def execute_task(
        self, user_id: str, task_id: str, trigger_data: Optional[Mapping[str, Any]] = None
    ) -> Json:
        """Runs the task now on this thread and returns the stored execution (a failed run is a
        result with "status": "failed", not an exception)."""
        body = None if trigger_data is None else {"trigger_data": dict(trigger_data)}
        return self._invoke(_lib.task_execute_task, _text(user_id), _text(task_id), _json(body))

    def get_executions(
        self, user_id: str, task_id: str, limit: Optional[int] = None, offset: Optional[int] = None
    ) -> Json:
        """A page of the task's executions, newest first: {"executions", "total", "limit",
        "offset"}."""
        return self._invoke(
            _lib.task_get_executions, _text(user_id), _text(task_id),
            _query({"limit": limit, "offset": offset}))

    def iter_executions(self, user_id: str, task_id: str, page_size: int = 100) -> Iterator[Json]:
        """Every execution of the task, newest first, page after page."""
        offset = 0
        while True:
            page = self.get_executions(user_id, task_id, limit=page_size, offset=offset)
            yield from page["executions"]
            offset += len(page["executions"])
            if not page["executions"] or offset >= page["total"]:
                return

    # --- templates and analytics -----------------------------------------------------------------

    def list_templates(
        self, user_id: str, category: Optional[str] = None, task_type: Optional[str] = None
    ) -> List[Json]:
        """Templates at or below the caller's subscription level."""
        return self._invoke(
            _lib.task_list_templates, _text(user_id),
            _query({"category": category, "task_type": task_type}))

    def create_from_template(self, user_id: str, body: Mapping[str, Any]) -> Json:
        """Creates a task from {"template_id": ..., "name": ..., "config": {...}}."""
        return self._invoke(_lib.task_create_from_template, _text(user_id), _json(dict(body)))

    def get_analytics(self, user_id: str, days: Optional[int] = None, tz: Optional[str] = None) -> Json:
        """The caller's analytics for the last `days` days (1-365, default 30), bucketed in `tz`."""
        return self._invoke(_lib.task_get_analytics, _text(user_id), _query({"days": days, "tz": tz}))

    # --- the scheduler ---------------------------------------------------------------------------

    def step(self, now: Union[datetime, str, None] = None) -> Json:
        """One scheduler round on this thread at `now` (an aware datetime or RFC 3339 text;
        None = the current time): fires reminders, runs the due tasks to completion.
        Returns {"claimed", "runs", "reminders"}."""
        return self._invoke(_lib.task_scheduler_step, _timestamp(now))

    def start_scheduler(self) -> None:
        """Starts the background scheduler (its own threads, the system clock)."""
        self._invoke(_lib.task_scheduler_start, result=False)

    def stop_scheduler(self) -> None:
        """Stops the background scheduler, waiting for the runs in progress."""
        self._invoke(_lib.task_scheduler_stop, result=False)

    @property
    def scheduler_running(self) -> bool:
        with self._cv:
            return self._handle is not None and bool(_lib.task_scheduler_running(self._handle))
