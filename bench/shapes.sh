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
# shellcheck source=bench/influxd.sh
. bench/influxd.sh
trap influxd_stop EXIT
for shape in "${shapes[@]}"; do
  influxd_start raw
  sleep 3
  before=$(influxd_cpu)
  r=$("$out/bin/rawwrite" -shape "$shape" -url "http://127.0.0.1:$port" -bucket raw -dir "$out/cnemc")
  sleep 2 # the last requests' tail
  after=$(influxd_cpu)
  echo "$r; influxd cpu $(python3 -c "print(f'{$after - $before:.2f}')") s"
  influxd_stop
done
