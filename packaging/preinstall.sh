#!/bin/sh
# Create the service user; the state directory is systemd's StateDirectory.
set -e
if ! getent group envwatch >/dev/null; then
  groupadd --system envwatch
fi
if ! getent passwd envwatch >/dev/null; then
  useradd --system --gid envwatch --home-dir /var/lib/envwatch --no-create-home --shell /usr/sbin/nologin envwatch
fi
