#!/usr/bin/env bash
# Builds and runs the consumer project (CMakeLists.txt here) against libtask:
#   run.sh package      BUILD_DIR SOURCE_DIR WORK_DIR  install BUILD_DIR with DESTDIR into
#                       WORK_DIR/stage (prefix /opt/libtask), then use it from there (so the
#                       package must be relocatable): find_package(task), libtask.pc, and a C
#                       program on libtask_c
#   run.sh subdirectory BUILD_DIR SOURCE_DIR WORK_DIR  add_subdirectory(SOURCE_DIR), core+memory+store
#   run.sh core-only    BUILD_DIR SOURCE_DIR WORK_DIR  add_subdirectory with every TASK_WITH_*=OFF
# Compiles through ccache when it is installed, so a second run rebuilds nothing.
set -euo pipefail
mode=$1 build=$2 src=$3 work=$4
here="$src/tests/consumer"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$src}" CCACHE_NOHASHDIR=1
gen=(); command -v ninja >/dev/null && gen=(-G Ninja)
launcher=(); command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
mkdir -p "$work"
cxx=${CXX:-c++} cc=${CC:-cc}
command -v ccache >/dev/null && { cxx="ccache $cxx"; cc="ccache $cc"; }

configure_build_run() {  # extra cmake args...
  # The build folder is kept: a rerun reconfigures and rebuilds only what changed.
  cmake -S "$here" -B "$work/build" "${gen[@]}" "${launcher[@]}" -DCMAKE_BUILD_TYPE=Debug "$@" >"$work/configure.log" ||
    { cat "$work/configure.log"; exit 1; }
  cmake --build "$work/build" -j2 >"$work/build.log" || { cat "$work/build.log"; exit 1; }
  "$work/build/memory_app"
  if [ -x "$work/build/sqlite_app" ]; then "$work/build/sqlite_app" "$work/consumer.db"; fi
}

case "$mode" in
  package)
    stage="$work/stage"; rm -rf "$stage"
    DESTDIR="$stage" cmake --install "$build" --prefix /opt/libtask >"$work/install.log"
    prefix="$stage/opt/libtask"
    libdir=$(find "$prefix" -name libtask.pc -printf '%h\n' | head -n1); libdir=${libdir%/pkgconfig}
    for f in include/task/version.hpp include/task/task.h include/task/service/task_service.hpp; do
      [ -f "$prefix/$f" ] || { echo "not installed: $f"; exit 1; }
    done
    [ -f "$libdir/cmake/task/taskConfig.cmake" ] || { echo "no taskConfig.cmake"; exit 1; }
    soname=$(objdump -p "$libdir/libtask_c.so" | awk '/SONAME/ {print $2}')
    echo "libtask_c SONAME: $soname"
    [[ "$soname" == libtask_c.so.* ]] || { echo "libtask_c.so has no versioned SONAME"; exit 1; }
    exported=$(nm -D --defined-only "$libdir/libtask_c.so" | awk '$2 ~ /^[TWDBRV]$/ {print $3}' | grep -Ev '^(task_|_init$|_fini$)' || true)
    [ -z "$exported" ] || { echo "libtask_c.so exports more than task_*:"; echo "$exported" | head; exit 1; }
    configure_build_run -DTASK_CONSUMER_MODE=package -DCMAKE_PREFIX_PATH="$prefix"
    # pkg-config: the same program from the flags of libtask.pc (relocatable through pcfiledir).
    flags=$(PKG_CONFIG_PATH="$libdir/pkgconfig" pkg-config --cflags --libs libtask)
    echo "pkg-config --cflags --libs libtask: $flags"
    # shellcheck disable=SC2086
    $cxx -std=c++20 -o "$work/memory_app_pc" "$here/memory_app.cpp" $flags
    "$work/memory_app_pc"
    # C: the example program on the installed <task/task.h> and libtask_c.so.
    $cc -std=c11 -Wall -Wextra -Wpedantic -Werror -o "$work/embed_c" "$src/examples/embed_c.c" \
      -I"$prefix/include" -L"$libdir" -ltask_c -Wl,-rpath,"$libdir"
    (cd "$work" && ./embed_c)
    ;;
  subdirectory)
    configure_build_run -DTASK_CONSUMER_MODE=subdirectory -DTASK_SOURCE_DIR="$src" \
      -DTASK_WITH_EVENTS=OFF -DTASK_WITH_CLIENTS=OFF -DTASK_WITH_EXECUTORS=OFF
    ;;
  core-only)
    configure_build_run -DTASK_CONSUMER_MODE=subdirectory -DTASK_SOURCE_DIR="$src" \
      -DTASK_CONSUMER_STORE=OFF -DTASK_WITH_STORE=OFF -DTASK_WITH_EVENTS=OFF \
      -DTASK_WITH_CLIENTS=OFF -DTASK_WITH_EXECUTORS=OFF
    grep -q "components: core;memory$" "$work/configure.log" ||
      { echo "core-only configure built more than core and memory:"; grep components "$work/configure.log"; exit 1; }
    ;;
  *) echo "usage: run.sh package|subdirectory|core-only BUILD_DIR SOURCE_DIR WORK_DIR" >&2; exit 2 ;;
esac
echo "consumer $mode: ok"
