#!/usr/bin/env bash
# Checks the units of systemd/ without a running systemd:
#   check_systemd_units.sh verify DIR   → systemd-analyze verify, no warning allowed
#   check_systemd_units.sh security DIR → exposure of insgate.service <= 2.0
#   check_systemd_units.sh sysusers DIR → insgate.sysusers parses and creates the user
# ExecStart= must exist for verify: the units are checked from a temporary
# copy whose /usr/bin/insgated points at a stand-in executable.
set -euo pipefail
mode=$1 dir=$2
if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "FAIL: systemd-analyze not found (Debian package 'systemd')." >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '#!/bin/sh\nexit 0\n' > "$tmp/insgated"
chmod 0755 "$tmp/insgated"
for u in insgate.service insgate.socket; do
  sed "s|/usr/bin/insgated|$tmp/insgated|g" "$dir/$u" > "$tmp/$u"
done
cd "$tmp"
case "$mode" in
  verify)
    # verify exits 0 on many parse problems ("..., ignoring"): any output fails.
    out=$(SYSTEMD_LOG_COLOR=0 systemd-analyze verify ./insgate.service ./insgate.socket 2>&1) || {
      echo "$out" >&2; echo "FAIL: systemd-analyze verify failed" >&2; exit 1; }
    if [ -n "$out" ]; then
      echo "$out" >&2; echo "FAIL: systemd-analyze verify printed warnings" >&2; exit 1
    fi
    echo "OK: insgate.service and insgate.socket verified"
    ;;
  security)
    systemd-analyze security --offline=true --threshold=20 ./insgate.service | tail -n 1
    ;;
  sysusers)
    out=$(systemd-sysusers --dry-run "$dir/insgate.sysusers" 2>&1) || {
      echo "$out" >&2; echo "FAIL: systemd-sysusers refused insgate.sysusers" >&2; exit 1; }
    if ! grep -q "Creating user 'insgate'" <<<"$out" && ! getent passwd insgate >/dev/null; then
      echo "$out" >&2; echo "FAIL: insgate.sysusers does not create the user insgate" >&2; exit 1
    fi
    echo "OK: insgate.sysusers"
    ;;
  *) echo "usage: $0 verify|security|sysusers DIR" >&2; exit 2 ;;
esac
