#!/usr/bin/env bash
# Builds and runs the consumer project (CMakeLists.txt here) against libtask:
#   run.sh package      BUILD_DIR SOURCE_DIR WORK_DIR  install BUILD_DIR with DESTDIR into
#                       WORK_DIR/stage (prefix /opt/libtask), then use it from there (so the
#                       package must be relocatable): find_package(task), libtask.pc, and a C
#                       program on libtask_c
#   run.sh subdirectory BUILD_DIR SOURCE_DIR WORK_DIR  add_subdirectory(SOURCE_DIR), core+memory+store
#   run.sh core-only    BUILD_DIR SOURCE_DIR WORK_DIR  add_subdirectory with every TASK_WITH_*=OFF
#   run.sh shared       BUILD_DIR SOURCE_DIR WORK_DIR  SOURCE_DIR built with BUILD_SHARED_LIBS=ON
#                       (core, memory, store only) in WORK_DIR/lib, installed with DESTDIR; the
#                       SONAMEs must carry the project version (readelf -d), and the consumers
#                       link and run against the shared libraries (BUILD_DIR is not used)
# Compiles through ccache when it is installed, so a second run rebuilds nothing.
set -euo pipefail
mode=$1 build=$2 src=$3 work=$4
here="$src/tests/consumer"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$src}" CCACHE_NOHASHDIR=1
gen=(); command -v ninja >/dev/null && gen=(-G Ninja)
launcher=(); command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
mkdir -p "$work"
work=$(cd "$work" && pwd)  # absolute: the paths below are used from other directories
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
  shared)
    lib="$work/lib" stage="$work/stage"
    cmake -S "$src" -B "$lib" "${gen[@]}" "${launcher[@]}" -DCMAKE_BUILD_TYPE=Debug \
      -DBUILD_SHARED_LIBS=ON -DTASK_WITH_EVENTS=OFF -DTASK_WITH_CLIENTS=OFF \
      -DTASK_WITH_EXECUTORS=OFF -DTASK_BUILD_TESTS=OFF -DTASK_BUILD_EXAMPLES=OFF \
      >"$work/lib-configure.log" || { cat "$work/lib-configure.log"; exit 1; }
    grep -q "components: core;memory;store$" "$work/lib-configure.log" ||
      { echo "the shared build is not core+memory+store:"; grep components "$work/lib-configure.log"; exit 1; }
    cmake --build "$lib" -j2 >"$work/lib-build.log" || { cat "$work/lib-build.log"; exit 1; }
    rm -rf "$stage"
    DESTDIR="$stage" cmake --install "$lib" --prefix /opt/libtask >"$work/install.log"
    prefix="$stage/opt/libtask"
    libdir=$(find "$prefix" -name libtask.pc -printf '%h\n' | head -n1); libdir=${libdir%/pkgconfig}
    # The version comes from one place: project(... VERSION x.y.z) in the top CMakeLists.txt.
    version=$(sed -n 's/^project(task_service VERSION \([0-9][0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
    [ -n "$version" ] || { echo "no project version in $src/CMakeLists.txt"; exit 1; }
    soversion=${version%.*}  # major.minor: a 0.x minor release may change the ABI
    for c in core memory store; do
      so="$libdir/libtask_$c.so"
      soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
      echo "libtask_$c.so SONAME: $soname"
      [ "$soname" = "libtask_$c.so.$soversion" ] || { echo "expected SONAME libtask_$c.so.$soversion"; exit 1; }
      [ -f "$libdir/libtask_$c.so.$version" ] && [ -L "$libdir/libtask_$c.so.$soversion" ] ||
        { echo "libtask_$c.so.$version with its libtask_$c.so.$soversion link not installed"; exit 1; }
    done
    [ -z "$(find "$prefix" -name 'libtask_*.a')" ] || { echo "static archives installed too"; exit 1; }
    configure_build_run -DTASK_CONSUMER_MODE=package -DCMAKE_PREFIX_PATH="$prefix"
    # The programs load the shared libraries (by SONAME), not copies linked into them.
    for app in memory_app:core sqlite_app:store; do
      needed=$(readelf -d "$work/build/${app%%:*}" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
      echo "${app%%:*} NEEDED: $needed"
      [[ " $needed " == *" libtask_${app##*:}.so.$soversion "* ]] ||
        { echo "${app%%:*} does not load libtask_${app##*:}.so.$soversion"; exit 1; }
    done
    ;;
  *) echo "usage: run.sh package|subdirectory|core-only|shared BUILD_DIR SOURCE_DIR WORK_DIR" >&2; exit 2 ;;
esac
echo "consumer $mode: ok"
