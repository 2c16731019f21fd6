#!/usr/bin/env bash
# Cost of the InfluxDB spool path: committing failed batches to the on-disk spool and
# replaying them (excluding the InfluxDB write itself). Prints points/s.
set -euo pipefail
cd "$(dirname "$0")/.."
go test -run '^$' -bench 'BenchmarkSpoolPath' -benchtime "${BENCHTIME:-3s}" ./store/ |
  awk '/^BenchmarkSpoolPath/ { for (i = 1; i <= NF; i++) if ($(i) == "points/s") printf "%-28s %12.0f points/s\n", $1, $(i-1) }'
