"""Fixtures: a database URL per backend. PostgreSQL tests get a fresh database on the server of
TASK_TEST_PG_URL (created with createdb, dropped afterwards)."""
import os
import subprocess
import urllib.parse
import uuid

import pytest


def _pg_admin_args(url: str):
    u = urllib.parse.urlparse(url)
    args = ["-h", u.hostname or "127.0.0.1", "-p", str(u.port or 5432)]
    if u.username:
        args += ["-U", u.username]
    return args, u


@pytest.fixture
def pg_url():
    base = os.environ.get("TASK_TEST_PG_URL")
    if not base:
        pytest.skip("TASK_TEST_PG_URL is not set (ctest sets it: the `services` fixture)")
    args, u = _pg_admin_args(base)
    name = "py_" + uuid.uuid4().hex[:12]
    subprocess.run(["createdb", *args, name], check=True, timeout=30)
    yield urllib.parse.urlunparse(u._replace(path="/" + name))
    subprocess.run(["dropdb", "--if-exists", *args, name], check=False, timeout=30)


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite://{tmp_path}/tasks.db"


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request):
    if request.param == "memory":
        return "memory:"
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def durable_url(request):
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
