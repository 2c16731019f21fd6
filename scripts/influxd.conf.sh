#!/usr/bin/env bash
# Prints the configuration of a throwaway influxd 1.8.3 (the one internal/testenv uses):
# data under DIR, HTTP on 127.0.0.1:PORT, Flux on, reporting and logging off.
#   scripts/influxd.conf.sh DIR PORT > DIR/influxdb.conf
set -euo pipefail
dir=$1 port=$2
cat <<CONF
reporting-disabled = true
hostname = "localhost"
bind-address = "127.0.0.1:0"
[meta]
  dir = "$dir/meta"
[data]
  dir = "$dir/data"
  wal-dir = "$dir/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:$port"
  flux-enabled = true
  log-enabled = false
[continuous_queries]
  enabled = false
CONF
