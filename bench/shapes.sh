#!/usr/bin/env bash
# What each point shape costs InfluxDB (docs/performance.md, "Round 2"): the raw writer
# (bench/rawwrite) sends the same generated CNEMC files as each shape to a fresh influxd
# 1.8.3 and prints its rate and influxd's CPU seconds. Run bench/run.sh first (it makes
# the data set).
#   bench/shapes.sh [shape…]    # default: telegraf envwatch aqi aqi-all separate
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-bench/out/national}
[ -d "$out/cnemc" ] || { echo "no data set in $out: run bench/run.sh first" >&2; exit 1; }
make -s "$PWD/bin/influxd" >/dev/null
go build -o "$out/bin/rawwrite" ./bench/rawwrite
shapes=("$@"); [ ${#shapes[@]} -gt 0 ] || shapes=(telegraf envwatch aqi aqi-all separate)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
for shape in "${shapes[@]}"; do
  idir=$(mktemp -d)
  scripts/influxd.conf.sh "$idir" "$port" > "$idir/influxdb.conf"
  bin/influxd -config "$idir/influxdb.conf" >"$idir/log" 2>&1 &
  ipid=$!
  until curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; do sleep 0.2; done
  curl -fsS -XPOST "http://127.0.0.1:$port/query" --data-urlencode "q=CREATE DATABASE raw" >/dev/null
  sleep 3
  before=$(awk '{print $14+$15}' "/proc/$ipid/stat")
  r=$("$out/bin/rawwrite" -shape "$shape" -url "http://127.0.0.1:$port" -bucket raw -dir "$out/cnemc")
  sleep 2 # the last requests' tail
  after=$(awk '{print $14+$15}' "/proc/$ipid/stat")
  echo "$r; influxd cpu $(python3 -c "print(f'{($after - $before)/100:.2f}')") s"
  kill "$ipid"; wait "$ipid" 2>/dev/null || true; rm -rf "$idir"
done
