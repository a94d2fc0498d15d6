#!/usr/bin/env bash
# After a crashed test run: the native backtrace of the thread that crashed, from each core file left in the
# project folder (core_pattern "core" or "core.PID"), printed last so that it is what a cut log still shows.
# Python's faulthandler names only Python frames; a crash in a Qt or FFmpeg thread needs this.
# Usage: scripts/core-backtrace.sh [PYTHON]   (needs gdb; prints nothing when there is no core)
set -uo pipefail
cd "$(dirname "$0")/.."
python="${1:-.venv/bin/python}"
command -v gdb >/dev/null 2>&1 || { echo "core-backtrace: gdb is not installed" >&2; exit 0; }
shopt -s nullglob
for core in core core.[0-9]* tests/core tests/core.[0-9]*; do
  [ -f "$core" ] || continue
  echo "=== native backtrace of the crashed thread ($core, $(cat /proc/sys/kernel/core_pattern 2>/dev/null)) ==="
  gdb -q -batch -ex "info threads" -ex "bt 30" "$python" "$core" 2>/dev/null | grep -v "^\[New LWP" | tail -n 150
done
