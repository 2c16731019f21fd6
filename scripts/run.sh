#!/usr/bin/env bash
# Used by `make run`: a throwaway InfluxDB 1.8 on loopback plus envwatch, stopped together.
set -euo pipefail
influxd=$1 envwatch=$2 config=$3 var=$4 port=$5
mkdir -p "$var/influxdb"
"$(dirname "$0")/influxd.conf.sh" "$var/influxdb" "$port" > "$var/influxdb.conf"
"$influxd" -config "$var/influxdb.conf" > "$var/influxd.log" 2>&1 &
influx_pid=$!
envwatch_pid=
cleanup() {
  [ -n "$envwatch_pid" ] && kill -TERM "$envwatch_pid" 2>/dev/null && wait "$envwatch_pid" 2>/dev/null || true
  kill -TERM "$influx_pid" 2>/dev/null && wait "$influx_pid" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
for _ in $(seq 1 150); do
  if curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; then break; fi
  kill -0 "$influx_pid" 2>/dev/null || { echo "influxd failed to start; see $var/influxd.log" >&2; exit 1; }
  sleep 0.2
done
curl -fsS -XPOST "http://127.0.0.1:$port/query" --data-urlencode 'q=CREATE DATABASE envwatch' >/dev/null
echo "influxd on http://127.0.0.1:$port (database envwatch); envwatch on http://localhost:9065/"
"$envwatch" run --config "$config" &
envwatch_pid=$!
wait "$envwatch_pid"
