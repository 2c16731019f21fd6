#!/usr/bin/env bash
# Prints the configuration of a throwaway influxd 1.8.3 — the one internal/testenv uses,
# from the same file: data under DIR, HTTP on 127.0.0.1:PORT, Flux on, reporting and
# logging off.
#   scripts/influxd.conf.sh DIR PORT > DIR/influxdb.conf
set -euo pipefail
dir=$1 port=$2
sed -e "s|{{DIR}}|$dir|g" -e "s|{{PORT}}|$port|g" "$(dirname "$0")/../internal/testenv/influxd.conf"
