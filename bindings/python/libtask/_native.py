"""The C ABI of libtask (<task/task.h>) loaded with ctypes: prototypes and the calling glue.

The library is looked up, in order: $LIBTASK_C_LIBRARY (a path), a libtask_c.so placed inside
this package, the dynamic linker's search path (ldconfig), then <prefix>/lib of common prefixes.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import pathlib
from typing import Any, List, Optional

from . import errors

_c_char_p = ctypes.c_char_p
_void_p = ctypes.c_void_p
_out = ctypes.POINTER(ctypes.c_void_p)


def _candidates() -> List[str]:
    names: List[str] = []
    env = os.environ.get("LIBTASK_C_LIBRARY")
    if env:
        names.append(env)
    here = pathlib.Path(__file__).resolve().parent
    names += [str(p) for p in sorted(here.glob("libtask_c.so*"))]
    found = ctypes.util.find_library("task_c")
    if found:
        names.append(found)
    for prefix in ("/usr/local", "/usr", "/opt/libtask"):
        for libdir in ("lib", "lib64", "lib/x86_64-linux-gnu", "lib/aarch64-linux-gnu"):
            names.append(f"{prefix}/{libdir}/libtask_c.so")
    return names


def _load() -> ctypes.CDLL:
    tried = []
    for name in _candidates():
        try:
            return ctypes.CDLL(name)
        except OSError as e:
            if os.environ.get("LIBTASK_C_LIBRARY") == name:
                raise ImportError(f"libtask: LIBTASK_C_LIBRARY={name} cannot be loaded: {e}") from e
            tried.append(name)
    raise ImportError(
        "libtask: the C library libtask_c.so was not found (install libtask with "
        "`cmake --install`, or set LIBTASK_C_LIBRARY to the path of libtask_c.so); tried: "
        + ", ".join(tried)
    )


lib = _load()

_PROTOTYPES = {
    "task_version": (_c_char_p, []),
    "task_code_name": (_c_char_p, [ctypes.c_int]),
    "task_error_http_status": (ctypes.c_int, [ctypes.c_int]),
    "task_error_code": (ctypes.c_int, [_void_p]),
    "task_error_message": (_c_char_p, [_void_p]),
    "task_error_detail": (_c_char_p, [_void_p]),
    "task_error_free": (None, [_void_p]),
    "task_free": (None, [_void_p]),
    "task_service_open": (ctypes.c_int, [_c_char_p, _c_char_p, _out, _out]),
    "task_service_close": (None, [_void_p]),
    "task_create_task": (ctypes.c_int, [_void_p, _c_char_p, _c_char_p, _out, _out]),
    "task_get_task": (ctypes.c_int, [_void_p, _c_char_p, _c_char_p, _out, _out]),
    "task_list_tasks": (ctypes.c_int, [_void_p, _c_char_p, _c_char_p, _out, _out]),
    "task_update_task": (
        ctypes.c_int,
        [_void_p, _c_char_p, _c_char_p, _c_char_p, _c_char_p, _out, _out],
    ),
    "task_delete_task": (ctypes.c_int, [_void_p, _c_char_p, _c_char_p, _out, _out]),
    "task_execute_task": (ctypes.c_int, [_void_p, _c_char_p, _c_char_p, _c_char_p, _out, _out]),
    "task_get_executions": (
        ctypes.c_int,
        [_void_p, _c_char_p, _c_char_p, _c_char_p, _out, _out],
    ),
    "task_list_templates": (ctypes.c_int, [_void_p, _c_char_p, _c_char_p, _out, _out]),
    "task_create_from_template": (ctypes.c_int, [_void_p, _c_char_p, _c_char_p, _out, _out]),
    "task_get_analytics": (ctypes.c_int, [_void_p, _c_char_p, _c_char_p, _out, _out]),
    "task_scheduler_step": (ctypes.c_int, [_void_p, _c_char_p, _out, _out]),
    "task_scheduler_start": (ctypes.c_int, [_void_p, _out]),
    "task_scheduler_stop": (ctypes.c_int, [_void_p, _out]),
    "task_scheduler_running": (ctypes.c_int, [_void_p]),
}
for _name, (_restype, _argtypes) in _PROTOTYPES.items():
    _fn = getattr(lib, _name)
    _fn.restype = _restype
    _fn.argtypes = _argtypes


def text(value: Optional[str]) -> Optional[bytes]:
    """A Python string as the C ABI's UTF-8 text (None stays NULL)."""
    return None if value is None else value.encode("utf-8")


def json_text(value: Any) -> Optional[bytes]:
    """A JSON-serialisable value as UTF-8 JSON text (None stays NULL)."""
    return None if value is None else json.dumps(value, ensure_ascii=False).encode("utf-8")


def take_string(ptr: ctypes.c_void_p) -> str:
    """Copies a string libtask returned and frees it with task_free()."""
    try:
        return ctypes.string_at(ptr.value).decode("utf-8")
    finally:
        lib.task_free(ptr)


def raise_error(code: int, err: ctypes.c_void_p) -> None:
    """Raises the exception of `code`, with the message and detail of `err` (then freed)."""
    message, detail = "", None
    if err.value:
        try:
            message = lib.task_error_message(err).decode("utf-8", "replace")
            detail = json.loads(lib.task_error_detail(err).decode("utf-8", "replace"))
        finally:
            lib.task_error_free(err)
    name = lib.task_code_name(code).decode()
    raise errors.from_code(code, name, lib.task_error_http_status(code), message, detail)


def call(fn: Any, *args: Any, result: bool = True) -> Any:
    """Calls a C ABI function whose last parameters are (char** result, task_error** error) —
    or only the error when `result` is False — and returns the parsed JSON result."""
    out = ctypes.c_void_p()
    err = ctypes.c_void_p()
    if result:
        code = fn(*args, ctypes.byref(out), ctypes.byref(err))
    else:
        code = fn(*args, ctypes.byref(err))
    if code != 0:
        raise_error(code, err)
    if not result:
        return None
    return json.loads(take_string(out))
