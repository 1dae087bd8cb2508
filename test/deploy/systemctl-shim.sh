#!/bin/bash
# Stand-in for systemctl on the deploy test's box (no systemd runs here). The
# box is the folder $PERSOMUX_BOX (sshd's SetEnv gives it, and PATH, to the
# session). It runs the units the way their files say, in miniature:
#   persomux.service          bin/persomux run of $BOX/opt/persomux/current, pid in run/persomux.pid
#   persomux-confirm.service  opt/persomux/bin/persomux-box confirm, detached (it outlives the session)
# Every call goes to $BOX/systemctl.calls; each start also records which release it started.
set -euo pipefail
box=${PERSOMUX_BOX:?PERSOMUX_BOX is not set}
calls=$box/systemctl.calls
pidfile=$box/run/persomux.pid
mkdir -p "$box/run" "$box/var/log"
echo "$*" >>"$calls"

alive() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

stop_router() {
  if alive; then
    local pid
    pid=$(cat "$pidfile")
    kill -TERM "$pid"
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

start_router() {
  echo "started $(basename "$(readlink -f "$box/opt/persomux/current")")" >>"$calls"
  # Not a process group leader here (no job control), so setsid runs the router itself: $! is its pid.
  setsid "$box/opt/persomux/current/bin/persomux" run --config "$box/etc/persomux/router.json" \
    >>"$box/var/log/persomux.log" 2>&1 </dev/null &
  echo $! >"$pidfile"
}

verb=${1:-}
shift || true
[ "${1:-}" = --no-block ] && shift
unit=${1:-}
case "$verb:$unit" in
  restart:persomux.service) stop_router; start_router ;;
  start:persomux.service) alive || start_router ;;
  stop:persomux.service) stop_router ;;
  is-active:persomux.service) alive ;;
  start:persomux-confirm.service)
    PREFIX=$box setsid "$box/opt/persomux/bin/persomux-box" confirm >>"$box/var/log/confirm.log" 2>&1 </dev/null &
    ;;
  daemon-reload:* | enable:*) ;;
  *) echo "systemctl stand-in: '$verb $unit' is not something the box scripts should ask" >&2; exit 1 ;;
esac
