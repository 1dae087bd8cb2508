#!/bin/bash
# Prepares a Raspberry Pi OS Lite (bookworm) box for persomux (README "Preparing
# a box"). Run as root from an unpacked release or a checkout:
#
#   sudo firmware/install.sh [--board NAME]              # the running box
#   firmware/install.sh --root DIR --board NAME          # an image or scratch root (the tests): no apt, no live reloads
#
# NAME is a board file (board/NAME.json: persomux-pi4, persomux-pi5, ...-16); by default
# the one the box's router.json names (panel.board), else the Pi's model (8 lines).
#
# Idempotent: each step says "done" or "unchanged", and a second run changes
# nothing. It never overwrites the box's config or keys (/etc/persomux): a
# missing router.json is created from the example, nothing else there is touched.
# It does not start the router: the first `make deploy` puts a release in place.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
ROOT=/
BOARD=
while [ $# -gt 0 ]; do
  case $1 in
    --root) ROOT=${2:?--root needs a folder}; shift 2 ;;
    --board) BOARD=${2:?--board needs a board name}; shift 2 ;;
    *) echo "install: unknown option '$1' (--root DIR, --board NAME)" >&2; exit 2 ;;
  esac
done
[ "$ROOT" = / ] || ROOT=$(cd "$ROOT" && pwd)
R=${ROOT%/}   # prefix for paths: empty on the box itself
live() { [ "$ROOT" = / ]; }
changed=0
step() { # step WHAT OUTCOME: one line each; anything but "unchanged..." / "skipped..." counts as a change
  echo "install: $1: $2"
  case $2 in unchanged* | skipped*) ;; *) changed=$((changed + 1)) ;; esac
}

[ "$(id -u)" = 0 ] || { echo "install: run as root (sudo $0)" >&2; exit 1; }

# --- packages: Node.js 20.15+, a compiler for the native modules npm ci builds on the box, time sync
packages() {
  if ! live; then step packages "skipped (apt installs into the running system only)"; return; fi
  local need=(build-essential python3 systemd-timesyncd) missing=() p
  for p in "${need[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
  if [ ${#missing[@]} -eq 0 ]; then step "packages (${need[*]})" unchanged; else
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    step "packages ${missing[*]}" done
  fi
  local have
  have=$(node -p 'process.versions.node' 2>/dev/null || echo none)
  if [ "$have" = none ] || [ "$(printf '20.15.0\n%s\n' "$have" | sort -V | head -n 1)" != 20.15.0 ]; then
    echo "install: Node.js $have found; persomux needs 20.15 or later (NodeSource or the official tarball, README 'Preparing a box')" >&2
    exit 1
  fi
  step "node $have" unchanged
}

# --- the service user, in dialout (serial adapters) and gpio (LEDs)
user() {
  local prefix=() g
  live || prefix=(--prefix "$ROOT")
  for g in dialout gpio; do
    if grep -q "^$g:" "$R/etc/group"; then step "group $g" unchanged; else groupadd "${prefix[@]}" --system "$g"; step "group $g" done; fi
  done
  if grep -q '^persomux:' "$R/etc/passwd"; then step "user persomux" unchanged; else
    useradd "${prefix[@]}" --system --user-group --no-create-home --home-dir /var/lib/persomux --shell /usr/sbin/nologin --groups dialout,gpio persomux
    step "user persomux" done
  fi
  for g in dialout gpio; do
    if grep -E "^$g:" "$R/etc/group" | cut -d: -f4 | tr ',' '\n' | grep -qx persomux; then continue; fi
    usermod "${prefix[@]}" --append --groups "$g" persomux
    step "persomux in group $g" done
  done
}

owner() { # the service user's uid:gid as this root knows them
  awk -F: '$1 == "persomux" { print $3 ":" $4 }' "$R/etc/passwd"
}

dir() { # dir PATH MODE OWNER: create when missing; an existing one is the box's own business
  if [ -d "$R$1" ]; then step "$1/" unchanged; return; fi
  install -d -m "$2" -o "${3%%:*}" -g "${3##*:}" "$R$1"
  step "$1/" done
}

file() { # file SOURCE DEST MODE: install when missing or different (files persomux owns, never config)
  if cmp -s "$1" "$R$2"; then step "$2" unchanged; return; fi
  mkdir -p "$(dirname "$R$2")"
  install -m "$3" "$1" "$R$2.new" && mv -f "$R$2.new" "$R$2"
  step "$2" done
}

layout() {
  local me
  me=$(owner)
  dir /opt/persomux 0755 0:0
  dir /opt/persomux/releases 0755 0:0
  dir /opt/persomux/state 0755 0:0
  dir /opt/persomux/bin 0755 0:0
  # Config and keys: the service user's, nobody else's (link key files must be 0600, the router checks).
  dir /etc/persomux 0750 "$me"
  dir /etc/persomux/keys 0700 "$me"
  if [ -e "$R/etc/persomux/router.json" ]; then step /etc/persomux/router.json "unchanged (the box's own)"; else
    install -m 0640 -o "${me%%:*}" -g "${me##*:}" "$here/config/router.example.json" "$R/etc/persomux/router.json"
    step /etc/persomux/router.json "done (from the example: edit it)"
  fi
  file "$here/bin/persomux-box" /opt/persomux/bin/persomux-box 0755
}

board() { # which board file the udev rules come from
  if [ -z "$BOARD" ] && [ -f "$R/etc/persomux/router.json" ]; then
    BOARD=$(node -e 'try { const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); process.stdout.write(c.panel?.board ?? ""); } catch {}' "$R/etc/persomux/router.json" 2>/dev/null || true)
  fi
  if [ -z "$BOARD" ]; then
    case $(tr -d '\0' <"$R/proc/device-tree/model" 2>/dev/null || true) in
      "Raspberry Pi 5"*) BOARD=persomux-pi5 ;;
      "Raspberry Pi 4"*) BOARD=persomux-pi4 ;;
      *) echo "install: which board? say --board NAME (one of: $(cd "$here/../board" && ls ./*.json | sed 's|^./||; s|\.json$||' | tr '\n' ' '))" >&2; exit 1 ;;
    esac
  fi
  [ -f "$here/../board/$BOARD.json" ] || { echo "install: no board file board/$BOARD.json" >&2; exit 1; }
  echo "install: board $BOARD"
}

units_changed=0
rules_changed=0
system_files() {
  local u before=$changed
  for u in persomux.service persomux-dataserver.service persomux-confirm.service; do
    file "$here/systemd/$u" "/etc/systemd/system/$u" 0644
  done
  file "$here/journald-persomux.conf" /etc/systemd/journald.conf.d/persomux.conf 0644
  [ $changed -eq $before ] || units_changed=1
  before=$changed
  local rules
  rules=$(mktemp)
  node "$here/bin/udev-rules.mjs" "$here/../board/$BOARD.json" >"$rules"
  file "$rules" /etc/udev/rules.d/99-persomux.rules 0644
  rm -f "$rules"
  [ $changed -eq $before ] || rules_changed=1
}

enable() { # enable UNIT: at boot (not started here; the first deploy starts the router)
  local sc=(systemctl)
  live || sc=(systemctl --root="$ROOT")
  if [ "$("${sc[@]}" is-enabled "$1" 2>/dev/null)" = enabled ]; then step "enable $1" unchanged; return; fi
  "${sc[@]}" enable --quiet "$1"
  step "enable $1" done
}

apply_live() { # what a running box needs to see the new files
  live || return 0
  if [ $units_changed = 1 ]; then systemctl daemon-reload; systemctl restart systemd-journald; fi
  if [ $rules_changed = 1 ]; then udevadm control --reload-rules && udevadm trigger --subsystem-match=tty --subsystem-match=leds; fi
  # The Pi has no clock battery: the re-handshake schedule, audit times and snapshots need the network's time.
  if [ "$(timedatectl show -p NTP --value 2>/dev/null)" != yes ]; then timedatectl set-ntp true; step "time synchronisation (timedatectl set-ntp)" done; fi
}

packages
board
user
layout
system_files
enable systemd-timesyncd.service
enable persomux.service
enable persomux-confirm.service
apply_live
if [ $changed -eq 0 ]; then echo "install: nothing changed"; else echo "install: $changed changes; next: put keys in /etc/persomux/keys, edit /etc/persomux/router.json, then 'make deploy HOST=...' from a laptop"; fi
