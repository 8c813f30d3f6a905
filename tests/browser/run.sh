#!/usr/bin/env bash
# ctest entry of the browser tier: checks that Node, the npm packages and Debian's chromium are
# there (scripts/install-deps --with-test installs all three), then runs dashboard.mjs.
# Usage: run.sh /path/to/task-server SCREENSHOT_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
missing=()
command -v node >/dev/null || missing+=("node")
[ -x "${TASK_CHROMIUM:-/usr/bin/chromium}" ] || missing+=("chromium (${TASK_CHROMIUM:-/usr/bin/chromium})")
[ -d "$here/node_modules/puppeteer-core" ] && [ -d "$here/node_modules/axe-core" ] || missing+=("npm packages in tests/browser/node_modules")
if [ ${#missing[@]} -gt 0 ]; then
  echo "browser tests cannot run: missing ${missing[*]}; run scripts/install-deps --with-test" >&2
  exit 1
fi
export PUPPETEER_SKIP_DOWNLOAD=1
exec node "$here/dashboard.mjs" "$@"
