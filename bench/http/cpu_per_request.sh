#!/usr/bin/env bash
# CPU and SQL statements per request of one task-server binary (docs/performance.md, "where a
# GET of one task spends its CPU"). Starts BINARY on a fresh SQLite file, creates one task, warms
# up, then runs wrk -t2 -c32 for 6 s against GET /api/v1/tasks/{id} (or PATH, where {id} is
# replaced) and prints req/s, the server's CPU µs per request (utime+stime from /proc) and the
# store statements per request (task_store_statement_duration_seconds_count). For a before/after
# comparison run two binaries in turn, several times: A B A B. With SEED_PAGES=1 it also creates
# the pages of bench/http/run.sh first: 30 tasks tagged `page` and 50 executions of the {id} task
# (PATH '/api/v1/tasks?status=pending&task_type=todo&tag=page&limit=20' or
# '/api/v1/tasks/{id}/executions?limit=50').
# Usage: [SEED_PAGES=1] bench/http/cpu_per_request.sh BINARY [PATH]
set -euo pipefail
bin=$1; path=${2:-/api/v1/tasks/{id\}}
command -v wrk >/dev/null || { echo "wrk missing (scripts/install-deps --with-bench)" >&2; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dir=$(mktemp -d /tmp/bench-cpu.XXXXXX)
"$bin" --port "$port" --bind 127.0.0.1 --database-url "sqlite://$dir/t.db" --scheduler off \
  --default-tier enterprise >"$dir/log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
base=http://127.0.0.1:$port
for _ in $(seq 200); do curl -sf "$base/health" >/dev/null && break; sleep 0.05; done
id=$(curl -sf -X POST "$base/api/v1/tasks" -H 'X-User-ID: bench' -H 'Content-Type: application/json' \
  -d '{"name":"bench","task_type":"todo","description":"bench task","tags":["a","b"]}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["task_id"])')
if [ "${SEED_PAGES:-0}" = 1 ]; then
  for i in $(seq 30); do
    curl -sf -o /dev/null -X POST "$base/api/v1/tasks" -H 'X-User-ID: bench' \
      -H 'Content-Type: application/json' \
      -d '{"name":"page '"$i"'","task_type":"todo","description":"a listed task","tags":["page"]}'
  done
  for i in $(seq 50); do
    curl -sf -o /dev/null -X POST "$base/api/v1/tasks/$id/execute" -H 'X-User-ID: bench'
  done
fi
url=$base${path//\{id\}/$id}
statements() {
  curl -sf "$base/metrics" | awk '/^task_store_statement_duration_seconds_count/ {s += $2} END {print s + 0}'
}
wrk -t2 -c32 -d2s "$url" -H 'X-User-ID: bench' >/dev/null
cpu0=$(awk '{print $14 + $15}' "/proc/$pid/stat"); st0=$(statements)
wrk -t2 -c32 -d6s "$url" -H 'X-User-ID: bench' >"$dir/wrk"
cpu1=$(awk '{print $14 + $15}' "/proc/$pid/stat"); st1=$(statements)
n=$(grep -Eo '[0-9]+ requests' "$dir/wrk" | cut -d' ' -f1)
tick=$(getconf CLK_TCK)
python3 - "$n" "$cpu0" "$cpu1" "$st0" "$st1" "$tick" "$(grep Requests/sec "$dir/wrk" | awk '{print $2}')" \
  "$(basename "$bin")" "$(cut -d' ' -f1 /proc/loadavg)" <<'PY'
import sys
n, c0, c1, s0, s1, tick = (float(x) for x in sys.argv[1:7])
print(f"{sys.argv[8]}: {sys.argv[7]} req/s, {(c1 - c0) / tick * 1e6 / n:.1f} us CPU/request, "
      f"{(s1 - s0) / n:.2f} statements/request, load {sys.argv[9]}")
PY
