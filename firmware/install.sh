#!/bin/sh
# Installs a built persomux (make build) on the appliance. Run as root from the
# unpacked release folder: it holds dist/, node_modules/ (production only),
# package.json, README.md and firmware/.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
id persomux >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin --groups dialout persomux
install -d -m 0755 /opt/persomux /etc/persomux
cp -R "$here/dist" "$here/node_modules" "$here/package.json" "$here/README.md" /opt/persomux/
[ -f /etc/persomux/router.json ] || install -m 0640 -g persomux "$here/firmware/config/router.example.json" /etc/persomux/router.json
install -m 0644 "$here/firmware/99-persomux.rules" /etc/udev/rules.d/99-persomux.rules
install -m 0644 "$here/firmware/persomux.service" /etc/systemd/system/persomux.service
udevadm control --reload-rules && udevadm trigger --subsystem-match=tty || true
/usr/bin/node /opt/persomux/dist/cli/main.js check --config /etc/persomux/router.json
systemctl daemon-reload
systemctl enable --now persomux.service
echo "persomux installed; logs: journalctl -u persomux -f"
