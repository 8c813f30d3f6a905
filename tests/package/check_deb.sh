#!/usr/bin/env bash
# Builds the Debian package from a build tree with CPack (cmake/Packaging.cmake) into a temporary
# directory and checks it: control fields and maintainer scripts (dpkg-deb -I), the file list
# (dpkg-deb -c), that the packaged binaries run, that /etc/default/task-server names every
# setting task-server --help lists, the bash completion's syntax, and the systemd unit
# (hardening directives; `systemd-analyze verify` without a warning; exposure score).
# Usage: check_deb.sh BUILD_DIR
set -euo pipefail
build="$1"
tmp="$(mktemp -d /tmp/task-deb-XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
check() { local what="$1"; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

cpack -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/out" >"$tmp/cpack.log" 2>&1 || {
  cat "$tmp/cpack.log"; echo "FAIL: cpack"; exit 1; }
deb="$(ls "$tmp"/out/task-service_*.deb)"
echo "package: $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"

dpkg-deb -I "$deb" >"$tmp/info"
dpkg-deb -c "$deb" >"$tmp/contents"
has_info() { grep -Eq "$1" "$tmp/info"; }
check "Package: task-service" has_info '^ Package: task-service$'
depends="$(grep -E '^ Depends:' "$tmp/info")"
for lib in adduser libsoci-postgresql libsoci-sqlite3 libnats libcpp-httplib libboost-json; do
  check "Depends lists $lib" grep -q "$lib" <<<"$depends"
done
for script in postinst prerm postrm conffiles; do
  check "control member $script" has_info "^ +[0-9]+ bytes, +[0-9]+ lines +\*? *$script"
done
mkdir "$tmp/control"
dpkg-deb -e "$deb" "$tmp/control"
check "conffiles: /etc/default/task-server" grep -qx /etc/default/task-server "$tmp/control/conffiles"
check "postinst creates the task-service user" grep -q 'adduser --system --group' "$tmp/control/postinst"
check "maintainer scripts parse (sh -n)" sh -n "$tmp/control/postinst" "$tmp/control/prerm" "$tmp/control/postrm"

for f in ./usr/bin/task-server ./usr/bin/task-cli ./usr/lib/systemd/system/task-server.service \
         ./etc/default/task-server ./usr/share/bash-completion/completions/task-cli \
         ./usr/share/doc/task-service/operations.md ./usr/share/doc/task-service/alerts.yml; do
  check "contains $f" grep -q " $f\$" "$tmp/contents"
done
check "binaries are root-owned and executable" \
  bash -c "grep -E ' ./usr/bin/task-(server|cli)$' '$tmp/contents' | awk '{print \$1, \$2}' | grep -c '^-rwxr-xr-x root/root' | grep -qx 2"

root="$tmp/root"
dpkg-deb -x "$deb" "$root"
check "packaged task-server runs (--version)" "$root/usr/bin/task-server" --version
check "packaged task-cli runs (--help)" bash -c "'$root/usr/bin/task-cli' --help >/dev/null"
check "binaries are stripped (no .debug_info)" bash -c "! readelf -S '$root/usr/bin/task-server' | grep -q '\.debug_info'"

# Every environment name task-server --help lists is in the environment file.
names="$("$root/usr/bin/task-server" --help | grep -o '\[env: [^]]*\]' | sed 's/\[env: //; s/\]//' | tr ',' '\n' | tr -d ' ' | sort -u)"
missing=""
for n in $names; do grep -q "^#\?$n=" "$root/etc/default/task-server" || missing="$missing $n"; done
check "environment file names every setting ($(echo $names | wc -w) names)${missing:+; missing:$missing}" test -z "$missing"
check "environment file sets nothing (all commented)" bash -c "! grep -Ev '^(#|$)' '$root/etc/default/task-server'"
check "bash completion parses (bash -n)" bash -n "$root/usr/share/bash-completion/completions/task-cli"

unit="$root/usr/lib/systemd/system/task-server.service"
for d in User=task-service ProtectSystem=strict NoNewPrivileges=yes StateDirectory=task-service \
         ProtectHome=yes PrivateTmp=yes CapabilityBoundingSet= ExecStart=/usr/bin/task-server \
         EnvironmentFile=-/etc/default/task-server; do
  check "unit has $d" grep -qx "$d" "$unit"
done
check "the unit writes nowhere but its state directory (no ReadWritePaths)" bash -c "! grep -q '^ReadWritePaths=' '$unit'"
if command -v systemd-analyze >/dev/null; then
  # verify checks that ExecStart exists: point it at the extracted binary.
  sed "s|^ExecStart=/usr/bin/|ExecStart=$root/usr/bin/|" "$unit" >"$tmp/task-server.service"
  out="$(systemd-analyze verify --man=no "$tmp/task-server.service" 2>&1)" && rc=0 || rc=$?
  check "systemd-analyze verify: rc=$rc, no warning${out:+: $out}" test "$rc" = 0 -a -z "$out"
  score="$(systemd-analyze security --offline=yes --root="$root" task-server.service 2>/dev/null |
           sed -n 's/.*Overall exposure level for task-server.service: \([0-9.]*\).*/\1/p')"
  check "systemd-analyze security: exposure $score (at most 2.0)" \
    awk -v s="$score" 'BEGIN { exit !(s != "" && s <= 2.0) }'
else
  echo "note: systemd-analyze not installed: unit not verified"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
