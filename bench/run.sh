#!/usr/bin/env bash
# Performance at national scale, one command: generates the data set, starts a throwaway
# influxd, and measures side by side the raw line-protocol writer, the envwatch backfill
# (parse → validate → engines → state → InfluxDB) and the compute-only backfill (no sink).
# Telegraf runs too when ./bin/telegraf exists (GOBIN=$PWD/bin go install
# github.com/influxdata/telegraf/cmd/telegraf@v1.37.2 — a long compile).
#   STATIONS=1900 HOURS=240 bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
STATIONS=${STATIONS:-1900} HOURS=${HOURS:-240} SECTIONS=${SECTIONS:-3600}
out=bench/out/national
rm -rf "$out" && mkdir -p "$out/bin"
make -s tools >/dev/null
go build -o "$out/bin/envwatch" ./cmd/envwatch
go build -o "$out/bin/rawwrite" ./bench/rawwrite
go build -o "$out/bin/measure" ./bench/measure
go run ./bench/gen -out "$out" -stations "$STATIONS" -hours "$HOURS" -sections "$SECTIONS"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
idir=$(mktemp -d)
sed -e "s|DIR|$idir|g" -e "s|PORT|$port|" > "$idir/influxdb.conf" <<'CONF'
reporting-disabled = true
bind-address = "127.0.0.1:0"
[meta]
  dir = "DIR/meta"
[data]
  dir = "DIR/data"
  wal-dir = "DIR/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:PORT"
  log-enabled = false
[continuous_queries]
  enabled = false
CONF
bin/influxd -config "$idir/influxdb.conf" >"$idir/log" 2>&1 &
ipid=$!
trap 'kill $ipid 2>/dev/null; wait $ipid 2>/dev/null; rm -rf "$idir"' EXIT
until curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; do sleep 0.2; done
for db in raw bench; do curl -fsS -XPOST "http://127.0.0.1:$port/query" --data-urlencode "q=CREATE DATABASE $db" >/dev/null; done

from=$(head -c 10 <<<"2025-01-01"); to=$(date -u -d "2025-01-01 + $(( (HOURS + 23) / 24 - 1 )) days" +%F)
sed "s|INFLUX_URL|http://127.0.0.1:$port|" "$out/envwatch.yaml" > "$out/with-sink.yaml"
grep -v '^influxdb:' "$out/envwatch.yaml" | sed "s|/state|/state-nosink|" > "$out/no-sink.yaml"
points=$(( STATIONS * HOURS ))

echo "== raw writer"; raw=$("$out/bin/measure" -- "$out/bin/rawwrite" -url "http://127.0.0.1:$port" -bucket raw -dir "$out/cnemc" 2>&1 | tee /dev/stderr)
echo "== envwatch backfill"; ew=$("$out/bin/measure" -- "$out/bin/envwatch" backfill --config "$out/with-sink.yaml" --source cnemc --from "$from" --to "$to" --log.level warn 2>&1 | tee /dev/stderr)
echo "== compute only"; co=$("$out/bin/measure" -- "$out/bin/envwatch" backfill --config "$out/no-sink.yaml" --source cnemc --from "$from" --to "$to" --log.level warn 2>&1 | tee /dev/stderr)
tg=""
if [ -x bin/telegraf ]; then echo "== telegraf: see docs/performance.md for its configuration"; fi

field() { sed -n "s/.*measure: wall \([0-9.]*\) s, cpu \([0-9.]*\) s, peak rss \([0-9.]*\) MiB.*/\\$1/p" <<<"$2"; }
printf '\n%-22s %12s %10s %10s %12s\n' "run" "points/s" "cpu s" "rss MiB" "vs raw"
rawrate=$(sed -n 's/.*= \([0-9]*\) points\/s.*/\1/p' <<<"$raw")
for name in raw ew co; do
  v=${!name}; wall=$(field 1 "$v"); cpu=$(field 2 "$v"); rss=$(field 3 "$v")
  rate=$(python3 -c "print(int($points/$wall))")
  [ "$name" = raw ] && rate=$rawrate
  label=$([ $name = raw ] && echo "raw writer" || ([ $name = ew ] && echo "envwatch backfill" || echo "compute only (no sink)"))
  printf '%-22s %12s %10s %10s %11.0f%%\n' "$label" "$rate" "$cpu" "$rss" "$(python3 -c "print(100*$rate/$rawrate)")"
done
echo "(points = station-hours of 6 pollutants; $STATIONS stations × $HOURS h = $points)"
