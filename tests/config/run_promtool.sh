#!/usr/bin/env bash
# Checks config/prometheus/insgate-alerts.yml with promtool:
#   run_promtool.sh check DIR   → promtool check rules insgate-alerts.yml
#   run_promtool.sh test DIR    → promtool test rules insgate-alerts*.test.yml
# Fails loudly when promtool is missing (Debian package prometheus).
set -euo pipefail
mode=$1 dir=$2
if ! command -v promtool >/dev/null 2>&1; then
  echo "FAIL: promtool not found. Install the Debian package 'prometheus' (scripts/install-deps)." >&2
  exit 1
fi
cd "$dir"
case "$mode" in
  check) promtool check rules insgate-alerts.yml ;;
  test) promtool test rules insgate-alerts.test.yml insgate-alerts-monthly.test.yml ;;
  *) echo "usage: $0 check|test DIR" >&2; exit 2 ;;
esac
