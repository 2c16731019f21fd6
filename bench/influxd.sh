# Sourced by the bench scripts: a fresh, throwaway influxd 1.8.3 (the test configuration,
# scripts/influxd.conf.sh) on $port with its data in a temporary directory.
#   influxd_start DB…   stop any running one, start a fresh one, create the databases
#   influxd_stop        stop it and remove its data
#   influxd_cpu         its CPU seconds so far (user+system)
idir="" ipid=""
influxd_stop() {
  if [ -n "$ipid" ]; then kill "$ipid" 2>/dev/null || true; wait "$ipid" 2>/dev/null || true; rm -rf "$idir"; ipid=""; fi
}
influxd_start() {
  influxd_stop
  idir=$(mktemp -d)
  scripts/influxd.conf.sh "$idir" "$port" > "$idir/influxdb.conf"
  bin/influxd -config "$idir/influxdb.conf" >"$idir/log" 2>&1 &
  ipid=$!
  until curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; do sleep 0.2; done
  local db
  for db in "$@"; do curl -fsS -XPOST "http://127.0.0.1:$port/query" --data-urlencode "q=CREATE DATABASE $db" >/dev/null; done
}
influxd_cpu() { awk '{printf "%.2f", ($14+$15)/100}' "/proc/$ipid/stat"; }
