#!/usr/bin/env bash
# ctest entry of the browser tier: checks that Node, the npm packages and Debian's chromium are
# there (scripts/install-deps --with-test installs all three), then runs dashboard.mjs.
# Usage: run.sh /path/to/task-server SCREENSHOT_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
missing=()
# Debian 12's Node.js 18: the node on PATH when it is 18.x, else the one scripts/install-deps
# unpacked from Debian's packages into .cache/node18.
node=node
if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)" != 18 ]; then
  n18="$here/../../.cache/node18"
  node="$n18/usr/bin/node"
  export LD_LIBRARY_PATH="$n18/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  "$node" --version 2>/dev/null | grep -q '^v18\.' || missing+=("Debian's Node.js 18 in .cache/node18")
fi
[ -x "${TASK_CHROMIUM:-/usr/bin/chromium}" ] || missing+=("chromium (${TASK_CHROMIUM:-/usr/bin/chromium})")
[ -d "$here/node_modules/puppeteer-core" ] && [ -d "$here/node_modules/axe-core" ] || missing+=("npm packages in tests/browser/node_modules")
if [ ${#missing[@]} -gt 0 ]; then
  echo "browser tests cannot run: missing ${missing[*]}; run scripts/install-deps --with-test" >&2
  exit 1
fi
export PUPPETEER_SKIP_DOWNLOAD=1
echo "browser tests on Node.js $("$node" --version) ($node)"
exec "$node" "$here/dashboard.mjs" "$@"
