#!/usr/bin/env bash
# pip installs bindings/python offline (Debian's setuptools, no build isolation, no index) from a
# copy of the folder (so the source tree stays clean) into a target directory, then imports the
# installed package and uses it.   pip_install_test.sh PYTHON_DIR WORK_DIR LIBTASK_C_LIBRARY
set -euo pipefail
src=$1 work=$2 lib=$3
rm -rf "$work"; mkdir -p "$work"
cp -r "$src" "$work/src"
rm -rf "$work/src/tests"
/usr/bin/python3 -m pip install --quiet --no-index --no-build-isolation --no-deps \
  --target "$work/site" "$work/src"
test -f "$work/site/libtask/py.typed"
cd "$work"
PYTHONPATH="$work/site" LIBTASK_C_LIBRARY="$lib" /usr/bin/python3 - <<'PY'
import libtask, os
assert os.path.dirname(libtask.__file__).endswith("site/libtask"), libtask.__file__
with libtask.Service.open("memory:") as svc:
    t = svc.create_task("pip", {"name": "installed", "task_type": "todo"})
    assert svc.get_task("pip", t["task_id"])["name"] == "installed"
print("pip install: ok,", libtask.__version__)
PY
