#!/usr/bin/env bash
# Performance at national scale, one command (docs/performance.md):
#   bench/run.sh                      # 1,900 stations × 240 h, side by side
#   STATIONS=1900 HOURS=8760 bench/run.sh   # a national year (≈ 3.2 GB of CSV)
# Generates the data set (bench/gen), starts a throwaway influxd 1.8.3 and measures in the
# same run: the raw line-protocol writer (bench/rawwrite: what InfluxDB itself accepts),
# Telegraf v1.37.2 (inputs.file csv → outputs.influxdb, --once), the envwatch backfill
# (parse → validate → engines → state → InfluxDB) with CPU and allocation profiles, and
# the compute-only backfill (no sink). Then it starts `envwatch run` on the loaded state
# and measures the scrape of /metrics, the steady-state RSS and the state store's size.
# Set TELEGRAF=0 to leave Telegraf out (its first build takes several minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
STATIONS=${STATIONS:-1900} HOURS=${HOURS:-240} SECTIONS=${SECTIONS:-3600} TELEGRAF=${TELEGRAF:-1}
out=${OUT:-bench/out/national}
rm -rf "$out" && mkdir -p "$out/bin"
if [ "$TELEGRAF" = 1 ]; then make -s bench-tools >/dev/null; else make -s "$PWD/bin/influxd" >/dev/null; fi
go build -o "$out/bin/envwatch" ./cmd/envwatch
go build -o "$out/bin/rawwrite" ./bench/rawwrite
go build -o "$out/bin/measure" ./bench/measure
go build -o "$out/bin/scrape" ./bench/scrape
echo "== generating $STATIONS stations × $HOURS h, $SECTIONS sections"
go run ./bench/gen -out "$out" -stations "$STATIONS" -hours "$HOURS" -sections "$SECTIONS"
abs=$(cd "$out" && pwd)

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# Every client gets a fresh influxd (same binary, configuration and port, empty data
# directory): on a shared server the compactions of one client's data landed in the next
# client's measurement and moved its rate by a third between runs.
epid=""
# shellcheck source=bench/influxd.sh
. bench/influxd.sh
start_influxd() { influxd_start raw bench telegraf; }
trap 'kill $epid 2>/dev/null || true; influxd_stop' EXIT

from=2025-01-01; to=$(date -u -d "2025-01-01 + $(( (HOURS + 23) / 24 - 1 )) days" +%F)
sed "s|INFLUX_URL|http://127.0.0.1:$port|" "$out/envwatch.yaml" > "$out/with-sink.yaml"
grep -v '^influxdb:' "$out/envwatch.yaml" | sed "s|/state|/state-nosink|" > "$out/no-sink.yaml"

# Each run starts with influxd idle (a fresh server settles in seconds; waits up to 3
# minutes, then goes on).
settle() {
  local quiet=0 a b
  for _ in $(seq 1 180); do
    a=$(influxd_cpu); sleep 1; b=$(influxd_cpu)
    if python3 -c "import sys; sys.exit(0 if $b - $a < 0.05 else 1)"; then quiet=$((quiet + 1)); else quiet=0; fi
    if [ "$quiet" -ge 3 ]; then return 0; fi
  done
  echo "(influxd still busy after 3 minutes; measuring anyway)" >&2
}

declare -A wall cpu rss pts icpu
# run NAME POINTS-SOURCE COMMAND… — POINTS-SOURCE is a function reading the command's output.
run() {
  local name=$1 count=$2; shift 2
  if [ "$name" != compute ]; then start_influxd; settle; fi
  echo "== $name"
  local before; before=$(influxd_cpu)
  # Not `tee /dev/stderr`: reopening a redirected stderr truncates the log it points to.
  local o
  if ! o=$("$out/bin/measure" -- "$@" 2>&1); then echo "$o" >&2; echo "== $name failed" >&2; return 1; fi
  echo "$o" >&2
  wall[$name]=$(sed -n 's/.*measure: wall \([0-9.]*\) s.*/\1/p' <<<"$o")
  cpu[$name]=$(sed -n 's/.*cpu \([0-9.]*\) s.*/\1/p' <<<"$o")
  rss[$name]=$(sed -n 's/.*peak rss \([0-9.]*\) MiB.*/\1/p' <<<"$o")
  pts[$name]=$($count <<<"$o")
  if [ "$name" = envwatch ]; then ew_points=$(ewpoints <<<"$o"); fi
  icpu[$name]=$(python3 -c "print(f'{$(influxd_cpu) - $before:.2f}')")
}
rawpoints() { sed -n 's/^rawwrite ([a-z]*): \([0-9]*\) points.*/\1/p'; }
ewpoints() { sed -n 's/^  points written: *\([0-9]*\).*/\1/p'; }
copoints() { sed -n 's/^  readings accepted: *\([0-9]*\).*/\1/p'; }
dbcount() { curl -fsS -G "http://127.0.0.1:$port/query" --data-urlencode "db=$1" \
  --data-urlencode 'q=SELECT count("pm2_5") FROM "air_hourly"' | python3 -c 'import json,sys; print(json.load(sys.stdin)["results"][0]["series"][0]["values"][0][1])'; }
# Telegraf does not count what it wrote: when its database holds every point the raw
# writer's did, it wrote every row (revisions overwrite, as for the others).
tgpoints() {
  local t r=$raw_stored; t=$(dbcount telegraf)
  if [ "$t" = "$r" ]; then echo "${pts[raw]}"; else echo "telegraf stored $t points, raw $r: rows were lost" >&2; echo "$t"; fi
}

run raw rawpoints "$out/bin/rawwrite" -url "http://127.0.0.1:$port" -bucket raw -dir "$out/cnemc"
raw_stored=$(dbcount raw)
run raw1 rawpoints "$out/bin/rawwrite" -shape telegraf -url "http://127.0.0.1:$port" -bucket raw -dir "$out/cnemc"
if [ "$TELEGRAF" = 1 ]; then
  sed -e "s|DIR|$abs|g" -e "s|PORT|$port|" bench/telegraf.conf > "$out/telegraf.conf"
  # Telegraf's --once holds every metric of the gather in its buffer: size it to the data.
  sed -i "s|BUFFER|$(( STATIONS * HOURS * 11 / 10 + 10000 ))|" "$out/telegraf.conf"
  run telegraf tgpoints bin/telegraf --config "$out/telegraf.conf" --once --quiet
fi
# envwatch is compared on the station-hours it delivers (readings accepted), like the
# others; the points it writes (raw plus derived series) are printed beside it.
run envwatch copoints "$out/bin/envwatch" backfill --config "$out/with-sink.yaml" --source cnemc --from "$from" --to "$to" \
  --log.level warn --debug.cpu-profile "$out/backfill.cpu.prof" --debug.mem-profile "$out/backfill.alloc.prof"
run compute copoints "$out/bin/envwatch" backfill --config "$out/no-sink.yaml" --source cnemc --from "$from" --to "$to" --log.level warn

echo
printf '%-34s %11s %9s %8s %9s %11s %8s %8s %8s\n' run points points/s "cpu s" "rss MiB" "influxd cpu" "vs raw" "vs 1-tag" "vs tg"
for name in raw raw1 telegraf envwatch compute; do
  [ -n "${wall[$name]:-}" ] || continue
  label=$(case $name in raw) echo "raw writer, envwatch's point";; raw1) echo "raw writer, 1 tag 6 floats";; telegraf) echo "Telegraf v1.37.2 (file → influxdb)";;
    envwatch) echo "envwatch backfill";; compute) echo "envwatch compute only (no sink)";; esac)
  python3 - "$label" "${pts[$name]}" "${wall[$name]}" "${cpu[$name]}" "${rss[$name]}" "${icpu[$name]}" \
    "${pts[raw]}" "${wall[raw]}" "${pts[raw1]}" "${wall[raw1]}" "${pts[telegraf]:-0}" "${wall[telegraf]:-0}" "$name" <<'PY'
import sys
label, p, w, c, r, ic, rp, rw, r1p, r1w, tp, tw, name = sys.argv[1:]
rate = int(p) / float(w)
vs = lambda pp, ww: f"{100 * rate / (int(pp) / float(ww)):.0f} %" if float(ww) > 0 else "—"
if name == "compute":
    print(f"{label:34} {p:>11} {rate:>9.0f} {c:>8} {r:>9} {'—':>11} {'—':>8} {'—':>8} {'—':>8}   ({6 * rate / 1e6:.2f} M values/s)")
else:
    print(f"{label:34} {p:>11} {rate:>9.0f} {c:>8} {r:>9} {ic:>11} {vs(rp, rw):>8} {vs(r1p, r1w):>8} {vs(tp, tw):>8}")
PY
done
echo "(rates are station-hours of 6 pollutants per second; $STATIONS stations × $HOURS h, revisions included)"
echo "(envwatch backfill wrote $ew_points points for them: raw hours plus the derived series)"

echo
echo "== steady state: envwatch run on the loaded state (no sources), scrape /metrics"
# influxd compacts what the backfills wrote for a while: let it finish, or its CPU lands in
# the first scrape (measured: 4.4 s instead of 1.0 s).
settle
mport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
grep -v "{name: cnemc," "$out/with-sink.yaml" > "$out/steady.yaml"
"$out/bin/envwatch" run --config "$out/steady.yaml" --web.listen-address "127.0.0.1:$mport" --log.level warn &
epid=$!
"$out/bin/scrape" -url "http://127.0.0.1:$mport/metrics" -pid "$epid" -n 5
echo "state store: $(du -sh "$out/state" | cut -f1) on disk"
