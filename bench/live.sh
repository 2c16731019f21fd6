#!/usr/bin/env bash
# The real CNEMC live feed at national scale (docs/performance.md, "The live feed at
# national scale"), one command:
#   bench/live.sh              # the sample's five days as they are (1,607 stations)
#   DAYS=31 bench/live.sh      # a month built by repeating the sample's days (bench/live)
#   DAYS=365 START=2025-12-01 TELEGRAF=0 bench/live.sh   # a year (ends before today)
# Writes the files (bench/live), the national configuration (envwatch init-config), and
# measures in one run, each against a fresh idle influxd 1.8.3: the raw line-protocol
# writer, Telegraf v1.37.2 on the same files, the envwatch backfill with InfluxDB, and the
# compute-only backfill (no sink) — station-hours/s and peak RSS of each.
set -euo pipefail
cd "$(dirname "$0")/.."
DAYS=${DAYS:-0} TELEGRAF=${TELEGRAF:-1} START=${START:-2026-07-01}
out=${OUT:-bench/out/live}
rm -rf "$out" && mkdir -p "$out/bin"
if [ "$TELEGRAF" = 1 ]; then make -s bench-tools >/dev/null; else make -s "$PWD/bin/influxd" >/dev/null; fi
go build -o "$out/bin/envwatch" ./cmd/envwatch
go build -o "$out/bin/rawwrite" ./bench/rawwrite
go build -o "$out/bin/measure" ./bench/measure
go run ./bench/live -out "$out" -days "$DAYS" -start "$START"
abs=$(cd "$out" && pwd)
files=$(find "$out/cnemc" -name '*.csv' | sort)
if [ "$DAYS" = 0 ]; then from=2026-02-27; to=2026-07-02; else from=$(date -d "$START - 1 day" +%F); to=$(date -d "$START + $((DAYS - 1)) days" +%F); fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# init-config reads the station list of every file (a station can be absent from an hour).
# shellcheck disable=SC2086
"$out/bin/envwatch" init-config $files --country --source-dir "$abs/cnemc" --state-dir "$abs/state" \
  --influxdb-url "http://127.0.0.1:$port" > "$out/with-sink.yaml"
sed -e '/^influxdb:/,/^  database:/d' -e "s|$abs/state|$abs/state-nosink|" "$out/with-sink.yaml" > "$out/no-sink.yaml"

# shellcheck source=bench/influxd.sh
. bench/influxd.sh
start_influxd() { influxd_start raw envwatch telegraf; }
trap influxd_stop EXIT
# The values a database holds (every pollutant field of every point): Telegraf does not say
# what it wrote, so it is credited with the station-hours of the files when its database
# holds every value the raw writer's does.
dbvalues() { curl -fsS -G "http://127.0.0.1:$port/query" --data-urlencode "db=$1" \
  --data-urlencode 'q=SELECT count(pm2_5), count(pm10), count(so2), count(no2), count(co), count(o3) FROM "air_hourly"' |
  python3 -c 'import json,sys; r=json.load(sys.stdin)["results"][0]; print(sum(r["series"][0]["values"][0][1:]) if "series" in r else 0)'; }

declare -A wall rss pts
run() {
  local name=$1; shift
  if [ "$name" != compute ]; then start_influxd; fi
  echo "== $name"
  local o
  if ! o=$("$out/bin/measure" -- "$@" 2>&1); then echo "$o" >&2; echo "== $name failed" >&2; return 1; fi
  echo "$o" | tail -8 >&2
  wall[$name]=$(sed -n 's/.*measure: wall \([0-9.]*\) s.*/\1/p' <<<"$o")
  rss[$name]=$(sed -n 's/.*peak rss \([0-9.]*\) MiB.*/\1/p' <<<"$o")
  case $name in
    raw) pts[$name]=$(sed -n 's/^rawwrite ([a-z]*): \([0-9]*\) points.*/\1/p' <<<"$o");;
    telegraf) if [ "$(dbvalues telegraf)" = "$raw_values" ]; then pts[$name]=${pts[raw]}; else
        echo "telegraf stored $(dbvalues telegraf) values, the raw writer $raw_values: values were lost" >&2; pts[$name]=0; fi;;
    *) pts[$name]=$(sed -n 's/^  readings accepted: *\([0-9]*\).*/\1/p' <<<"$o");;
  esac
}
run raw "$out/bin/rawwrite" -url "http://127.0.0.1:$port" -bucket raw -dir "$out/cnemc"
raw_values=$(dbvalues raw)
if [ "$TELEGRAF" = 1 ]; then
  n=$(cat $files | wc -l)
  sed -e "s|DIR|$abs|g" -e "s|PORT|$port|" -e "s|BUFFER|$(( n * 11 / 10 + 10000 ))|" bench/telegraf-live.conf > "$out/telegraf.conf"
  run telegraf bin/telegraf --config "$out/telegraf.conf" --once --quiet
fi
run envwatch "$out/bin/envwatch" backfill --config "$out/with-sink.yaml" --source cnemc --from "$from" --to "$to" --log.level warn
run compute "$out/bin/envwatch" backfill --config "$out/no-sink.yaml" --source cnemc --from "$from" --to "$to" --log.level warn

echo
printf '%-38s %12s %12s %10s %10s\n' run station-hours per-second "peak MiB" "vs tg"
for name in raw telegraf envwatch compute; do
  [ -n "${wall[$name]:-}" ] || continue
  python3 - "$name" "${pts[$name]}" "${wall[$name]}" "${rss[$name]}" "${pts[telegraf]:-0}" "${wall[telegraf]:-0}" <<'PY'
import sys
name, p, w, r, tp, tw = sys.argv[1:]
label = {"raw": "raw line-protocol writer", "telegraf": "Telegraf v1.37.2 (file → influxdb)",
         "envwatch": "envwatch backfill (InfluxDB)", "compute": "envwatch backfill, compute only"}[name]
rate = int(p) / float(w)
vs = f"{rate / (int(tp) / float(tw)):.2f}×" if float(tw) > 0 and int(tp) > 0 and name != "compute" else "—"
print(f"{label:38} {int(p):>12} {rate:>12.0f} {float(r):>10.1f} {vs:>10}")
PY
done
echo "(station-hours: rows of the files with at least one value; $(echo $files | wc -w) files)"
