#!/usr/bin/env bash
# HTTP benchmark (docs/performance.md, section "HTTP"). Builds the `bench` preset (Release), then
# with wrk on loopback (2 threads, 32 connections, --latency) measures, in one run:
#   ceiling  : bench/http/http_ceiling (cpp-httplib configured like task-server, fixed 1 KiB JSON)
#   sqlite   : task-server --database-url sqlite:///<tmp>/tasks.db
#   postgres : task-server on PostgreSQL 15 started by scripts/test-services
# for GET /api/v1/tasks/{id}, the same with `Connection: close` (a new connection per request),
# GET /api/v1/tasks?status=pending&task_type=todo&tag=page&limit=20 (a list page of 20 of 30
# matching tasks), GET /api/v1/tasks/{id}/executions?limit=50 (50 executions) and
# POST /api/v1/tasks. The ceiling runs first and last (GET, GET with `Connection: close`, POST);
# ratios are to the mean of its two runs of the same kind (pages to its GET, `-close` rows to its
# `-close` GET). Prints a table with req/s, ratio, non-2xx, p99 and load average.
# Usage: bench/http/run.sh [--duration S] [--no-build] [--only ceiling,sqlite,postgres]
# Extra task-server flags: BENCH_SERVER_ARGS="--log-level warn" bench/http/run.sh
# Before/after in one run: BENCH_BASE_SERVER=/path/to/older/task-server also measures that binary
# (rows base-sqlite-*, base-postgres-*), each store right before the current build's.
# BENCH_BIN_DIR=build/ci uses an existing build tree (with -DTASK_BUILD_BENCH=ON) instead of
# building the bench preset.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
duration=10; build=1; only="ceiling,sqlite,postgres"
pg_port=${BENCH_PG_PORT:-55481}; nats_port=${BENCH_NATS_PORT:-54281}
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --only) only=$2; shift 2 ;;
    *) echo "usage: $0 [--duration S] [--no-build] [--only ceiling,sqlite,postgres]" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "run.sh: wrk missing (scripts/install-deps --with-bench)" >&2; exit 1; }

bin=${BENCH_BIN_DIR:-$root/build/bench}
case "$bin" in /*) ;; *) bin=$root/$bin ;; esac
[ -n "${BENCH_BIN_DIR:-}" ] && build=0
if [ "$build" = 1 ]; then
  cmake --preset bench -S "$root" >/dev/null
  cmake --build "$bin" -j2 --target http_ceiling task-server
fi
ceiling_bin=$bin/bench/http/http_ceiling
server_bin=$bin/apps/task-server/task-server
work=$(mktemp -d /tmp/bench-http.XXXXXX)
pids=(); pg_dir=""
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  if [ -n "$pg_dir" ]; then
    "$root/scripts/test-services" stop "$pg_dir" >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_port() {
  for _ in $(seq 400); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done
  echo "run.sh: nothing listens on 127.0.0.1:$1" >&2; return 1
}
stop_pid() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# wrk_run NAME URL [wrk args...] -> appends "NAME rps non2xx p99ms errors load" to $work/results
wrk_run() {
  local name=$1 url=$2; shift 2
  local load out
  load=$(cut -d' ' -f1 /proc/loadavg)
  out=$work/$name.wrk
  wrk -t2 -c32 -d"${duration}s" --latency "$@" "$url" >"$out"
  awk -v name="$name" -v load="$load" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0;
                     if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000; return v }
    /^ +99%/ { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { non2xx = $NF }
    /Socket errors:/ { errs = $4 + $6 + $8 + $10 }
    /^Requests\/sec:/ { rps = $2 }
    END { printf "%s %.0f %d %.2f %d %s\n", name, rps, non2xx + 0, p99, errs + 0, load }
  ' "$out" >>"$work/results"
  tail -n1 "$work/results"
}

run_ceiling() {
  local tag=$1 port pid
  port=$(free_port)
  "$ceiling_bin" "$port" 2>"$work/ceiling.log" & pid=$!; pids+=("$pid")
  wait_port "$port"
  wrk_run "ceiling-get-$tag" "http://127.0.0.1:$port/api/v1/tasks/x" -H "X-User-ID: bench"
  wrk_run "ceiling-close-$tag" "http://127.0.0.1:$port/api/v1/tasks/x" -H "X-User-ID: bench" \
    -H "Connection: close"
  wrk_run "ceiling-post-$tag" "http://127.0.0.1:$port/api/v1/tasks" -s "$root/bench/http/post.lua"
  stop_pid "$pid"
}

# run_server STORE DATABASE_URL [BINARY]
run_server() {
  local store=$1 url=$2 exe=${3:-$server_bin} port pid id
  port=$(free_port)
  "$exe" --bind 127.0.0.1 --port "$port" --database-url "$url" --scheduler off \
    --default-tier enterprise --data-dir "$work/data-$store" ${BENCH_SERVER_ARGS:-} 2>"$work/server-$store.log" \
    >"$work/server-$store.out" & pid=$!; pids+=("$pid")
  wait_port "$port"
  id=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/tasks" -H "X-User-ID: bench" \
    -H "Content-Type: application/json" -d '{"name":"read me","task_type":"todo"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["task_id"])')
  wrk_run "$store-get" "http://127.0.0.1:$port/api/v1/tasks/$id" -H "X-User-ID: bench"
  wrk_run "$store-get-close" "http://127.0.0.1:$port/api/v1/tasks/$id" -H "X-User-ID: bench" \
    -H "Connection: close"
  # The pages: 30 tasks that match the list's filters (20 on the page), 50 runs of one task.
  for i in $(seq 30); do
    curl -sf -o /dev/null -X POST "http://127.0.0.1:$port/api/v1/tasks" -H "X-User-ID: bench" \
      -H "Content-Type: application/json" \
      -d '{"name":"page '"$i"'","task_type":"todo","description":"a listed task","tags":["page"]}'
  done
  for i in $(seq 50); do
    curl -sf -o /dev/null -X POST "http://127.0.0.1:$port/api/v1/tasks/$id/execute" \
      -H "X-User-ID: bench"
  done
  wrk_run "$store-list20" \
    "http://127.0.0.1:$port/api/v1/tasks?status=pending&task_type=todo&tag=page&limit=20" \
    -H "X-User-ID: bench"
  wrk_run "$store-execs50" "http://127.0.0.1:$port/api/v1/tasks/$id/executions?limit=50" \
    -H "X-User-ID: bench"
  wrk_run "$store-post" "http://127.0.0.1:$port/api/v1/tasks" -s "$root/bench/http/post.lua"
  stop_pid "$pid"
}

echo "# wrk -t2 -c32 -d${duration}s --latency; $(nproc) cores; $(date -u +%FT%TZ)"
: >"$work/results"
case ",$only," in *,ceiling,*) run_ceiling first ;; esac
base=${BENCH_BASE_SERVER:-}
case ",$only," in *,sqlite,*)
  [ -n "$base" ] && run_server base-sqlite "sqlite://$work/base-tasks.db" "$base"
  run_server sqlite "sqlite://$work/tasks.db" ;;
esac
case ",$only," in *,postgres,*)
  pg_dir=/tmp/bench-http-pg.$$  # outside $work: the postgres user must reach it
  "$root/scripts/test-services" start "$pg_dir" "$pg_port" "$nats_port" >/dev/null
  [ -n "$base" ] && run_server base-postgres "postgresql://app@127.0.0.1:$pg_port/taskdb" "$base"
  run_server postgres "postgresql://app@127.0.0.1:$pg_port/taskdb"
  "$root/scripts/test-services" stop "$pg_dir" >/dev/null; rm -rf "$pg_dir"; pg_dir="" ;;
esac
case ",$only," in *,ceiling,*) run_ceiling last ;; esac

echo
awk '
  { rps[$1] = $2; n2[$1] = $3; p99[$1] = $4; err[$1] = $5; load[$1] = $6; order[++n] = $1 }
  END {
    for (m = 1; m <= 3; ++m) {
      meth = m == 1 ? "get" : m == 2 ? "post" : "close"; k = 0; s = 0
      if (("ceiling-" meth "-first") in rps) { s += rps["ceiling-" meth "-first"]; ++k }
      if (("ceiling-" meth "-last") in rps) { s += rps["ceiling-" meth "-last"]; ++k }
      ceil[meth] = k ? s / k : 0
    }
    printf "%-20s %10s %7s %8s %9s %7s %6s\n", "run", "req/s", "ratio", "non-2xx", "p99 ms", "errors", "load"
    for (i = 1; i <= n; ++i) {
      r = order[i]; meth = r ~ /-close/ ? "close" : r ~ /-post/ ? "post" : "get"
      ratio = ceil[meth] > 0 ? sprintf("%.2f", rps[r] / ceil[meth]) : "-"
      printf "%-20s %10d %7s %8d %9.2f %7d %6s\n", r, rps[r], ratio, n2[r], p99[r], err[r], load[r]
    }
  }' "$work/results"
