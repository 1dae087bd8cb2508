#!/bin/bash
# make deploy / make rollback: the laptop's side of an update. It ships a
# release over SSH and asks the box to activate it; the box decides whether the
# release stays (firmware/bin/persomux-box) and this only reports its verdict.
#   scripts/deploy.sh deploy HOST ARCHIVE    (HOST: user@box, or a name from ~/.ssh/config)
#   scripts/deploy.sh rollback HOST
# Environment: PREFIX (the box's root folder, empty on a real box), HEALTH_TIMEOUT
# (seconds the new release has to become healthy, default 30), SSH_OPTS (extra ssh options).
set -euo pipefail
mode=${1:-}
host=${2:-}
[ -n "$host" ] || { echo "usage: $0 deploy HOST ARCHIVE | rollback HOST" >&2; exit 2; }
PREFIX=${PREFIX:-}
HEALTH_TIMEOUT=${HEALTH_TIMEOUT:-30}
base=$PREFIX/opt/persomux
incoming=$base/releases/.incoming

say() { echo "deploy: $*"; }
# shellcheck disable=SC2086 # SSH_OPTS is a list of options
ssh_box() { ssh -o BatchMode=yes ${SSH_OPTS:-} "$host" "$@"; }

sudo_prefix=""
if [ "$(ssh_box id -u)" != 0 ]; then sudo_prefix="sudo -n"; fi
box_env="$sudo_prefix env PREFIX=$(printf %q "$PREFIX") HEALTH_TIMEOUT=$(printf %q "$HEALTH_TIMEOUT")"

case $mode in
  deploy)
    archive=${3:-}
    [ -f "$archive" ] || { echo "deploy: no release archive '$archive' (make release)" >&2; exit 2; }
    name=$(basename "$archive" .tar.gz)
    [[ $name =~ ^persomux-[A-Za-z0-9._-]+$ ]] || { echo "deploy: '$archive' is not named like a release (persomux-<version>-<commit>.tar.gz)" >&2; exit 2; }
    say "$name to $host${PREFIX:+ (box root $PREFIX)}"
    ssh_box "$sudo_prefix mkdir -p $(printf %q "$incoming") && $sudo_prefix tee $(printf %q "$incoming/$name.tar.gz") >/dev/null" <"$archive"
    say "sent $(du -h "$archive" | cut -f1) to $host:$incoming"
    ssh_box "cd $(printf %q "$incoming") && $sudo_prefix rm -rf $name && $sudo_prefix tar -xzf $name.tar.gz && $sudo_prefix rm -f $name.tar.gz &&
      if [ -d ../$name ]; then $sudo_prefix rm -rf $name; echo 'box: $name is already on the box'; else $sudo_prefix mv $name ../ && echo 'box: unpacked $name'; fi"
    if ssh_box "$box_env $(printf %q "$base/releases/$name/firmware/bin/persomux-box") activate $name"; then
      say "$name is current and healthy on $host"
    else
      say "FAILED: $name is not serving on $host (the box's verdict is above)"
      exit 1
    fi
    ;;
  rollback)
    say "rolling $host back to its previous release"
    if ssh_box "$box_env $(printf %q "$base/bin/persomux-box") rollback"; then
      say "$host serves its previous release, healthy"
    else
      say "FAILED: see the box's verdict above"
      exit 1
    fi
    ;;
  *) echo "usage: $0 deploy HOST ARCHIVE | rollback HOST" >&2; exit 2 ;;
esac
