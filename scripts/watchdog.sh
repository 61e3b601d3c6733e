#!/usr/bin/env bash
# Runs a command with a time limit: scripts/watchdog.sh MINUTES command [args…]
# A step of the test suite that hangs fails after MINUTES instead of taking CI's whole budget,
# and leaves a trail: the process tree and, with gdb installed, every thread's stack of every
# process still running under the command (a test binary stuck on a lock shows where).
set -uo pipefail
minutes="$1"
shift
# Its own process group, so that everything it started can be stopped together.
setsid "$@" &
pid=$!
# Interrupted (Ctrl-C, or CI stopping the suite): the command's group goes too.
trap 'kill -TERM -- "-$pid" 2>/dev/null; exit 130' INT TERM
deadline=$((SECONDS + minutes * 60))
while kill -0 "$pid" 2>/dev/null; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "== watchdog: '$*' still running after $minutes minutes; stopping it" >&2
    ps -o pid,ppid,etime,stat,wchan:20,args --forest -g "$pid" >&2 || true
    if command -v gdb >/dev/null; then
      for p in $(pgrep -g "$pid"); do
        case "$(cat "/proc/$p/comm" 2>/dev/null)" in
          cargo | bash | sh | node | npm) continue ;;
        esac
        echo "== watchdog: threads of $p ($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-200))" >&2
        timeout 60 gdb -p "$p" -batch -ex "thread apply all bt 30" 2>/dev/null |
          grep -E '^(Thread|#)' >&2 || true
      done
    fi
    kill -TERM -- "-$pid" 2>/dev/null
    sleep 5
    kill -KILL -- "-$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    exit 124
  fi
  sleep 2
done
wait "$pid"
