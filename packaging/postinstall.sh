#!/bin/sh
set -e
if command -v systemctl >/dev/null 2>&1; then
  systemctl daemon-reload || true
fi
echo "envwatch installed: edit /etc/envwatch/envwatch.yaml, then: systemctl enable --now envwatch"
