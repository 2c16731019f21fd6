#!/usr/bin/env bash
# Used by `make run`: a throwaway InfluxDB 1.8 on loopback plus envwatch, stopped together.
# The ports given to make reach both: envwatch runs with a configuration generated into
# $var/run/ from the example (its influxdb url and state directory replaced), never with an
# edited example; the generated files are removed on exit.
set -euo pipefail
influxd=$1 envwatch=$2 config=$3 var=$4 port=$5 webport=${6:-9065}
shift 6 || true
extra=("$@") # more flags for envwatch run (make run ADMIN=1: --web.enable-admin-api)
mkdir -p "$var/influxdb" "$var/run"
run="$var/run"
"$(dirname "$0")/influxd.conf.sh" "$var/influxdb" "$port" > "$run/influxdb.conf"
# The example's InfluxDB URL (any host:port) → this run's influxd; its state directory stays.
sed -E "s#^(  url:[[:space:]]*)http://[^[:space:]]+#\1http://127.0.0.1:$port#" "$config" > "$run/envwatch.yaml"
if ! grep -q "url: http://127.0.0.1:$port" "$run/envwatch.yaml"; then
  echo "run.sh: $config has no influxdb url to point at the throwaway influxd" >&2
  exit 1
fi
"$influxd" -config "$run/influxdb.conf" > "$var/influxd.log" 2>&1 &
influx_pid=$!
envwatch_pid=
cleanup() {
  [ -n "$envwatch_pid" ] && kill -TERM "$envwatch_pid" 2>/dev/null && wait "$envwatch_pid" 2>/dev/null || true
  kill -TERM "$influx_pid" 2>/dev/null && wait "$influx_pid" 2>/dev/null || true
  rm -rf "$run"
}
trap cleanup EXIT INT TERM
for _ in $(seq 1 150); do
  if curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; then break; fi
  kill -0 "$influx_pid" 2>/dev/null || { echo "influxd failed to start; see $var/influxd.log" >&2; exit 1; }
  sleep 0.2
done
curl -fsS -XPOST "http://127.0.0.1:$port/query" --data-urlencode 'q=CREATE DATABASE envwatch' >/dev/null
echo "influxd on http://127.0.0.1:$port (database envwatch); envwatch on http://localhost:$webport/"
listen=":$webport"
# The admin API is refused on an open listener without a web configuration: keep it local.
[[ " ${extra[*]} " == *" --web.enable-admin-api "* ]] && listen="127.0.0.1:$webport"
"$envwatch" run --config "$run/envwatch.yaml" --web.listen-address "$listen" "${extra[@]}" &
envwatch_pid=$!
wait "$envwatch_pid"
