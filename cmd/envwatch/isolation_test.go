package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// (d) A source answering 500s, timeouts and garbage for a while does not affect the
// others; when it answers again it recovers by itself.
func TestFaultFlakySourceIsolated(t *testing.T) {
	var mode atomic.Value
	mode.Store("500")
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch mode.Load().(string) {
		case "500":
			http.Error(w, "boom", 500)
		case "timeout":
			time.Sleep(time.Second)
		case "garbage":
			w.Write([]byte("<html>not json"))
		default:
			now := time.Now().UTC().Truncate(time.Hour).Format(time.RFC3339)
			fmt.Fprintf(w, `{"results":[{"t":%q,"p":"pm25","v":33}]}`, now)
		}
	}))
	defer api.Close()
	dir := t.TempDir()
	cfg := fmt.Sprintf(`state_dir: %s
areas: [{id: ly, name: 洛阳市, kind: city}]
air_stations: [{code: 1812A, name: 市委党校, area: ly}, {code: 1814A, name: 豫西宾馆, area: ly}]
sources:
  - {name: demo, kind: simulate, schedule: "@every 1s", lookback: 2h, simulate: {backfill_days: 1}}
  - name: flaky
    kind: http_json
    schedule: "@every 1s"
    timeout: 300ms
    retries: 0
    http_json:
      url: %s/{{.ID}}
      stations: {"a": 1814A}
      records: results
      time: t
      value: v
      pollutant: p
      pollutants: {pm25: pm2_5}
`, filepath.Join(dir, "state"), api.URL)
	p := filepath.Join(dir, "c.yaml")
	os.WriteFile(p, []byte(cfg), 0o600)
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	logs := &syncBuffer{}
	go func() {
		done <- run(ctx, []string{"run", "--config", p, "--web.listen-address", addr}, nil, io.Discard, logs)
	}()
	wait := func(cond func(string) bool, what string) string {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if body, _ := scrape(addr); cond(body) {
				return body
			}
		}
		t.Fatalf("never: %s\nlogs:\n%s", what, logs.String())
		return ""
	}
	accepted := func(body, src string) float64 {
		return metricValue(body, `envwatch_source_readings_accepted_total{source="`+src+`"}`)
	}
	var body string
	for _, m := range []string{"500", "timeout", "garbage"} {
		mode.Store(m)
		before := accepted(wait(func(string) bool { return true }, "scrape"), "demo")
		body = wait(func(b string) bool {
			return metricValue(b, `envwatch_source_up{source="flaky"}`) == 0 && accepted(b, "demo") > before &&
				metricValue(b, `envwatch_source_up{source="demo"}`) == 1
		}, "flaky down ("+m+") while demo keeps running")
	}
	if metricValue(body, `envwatch_source_run_failures_total{source="flaky"}`) < 3 {
		t.Errorf("failures not counted: %v", metricValue(body, `envwatch_source_run_failures_total{source="flaky"}`))
	}
	mode.Store("ok")
	wait(func(b string) bool {
		return metricValue(b, `envwatch_source_up{source="flaky"}`) == 1 && accepted(b, "flaky") >= 1
	}, "flaky recovers")
	cancel()
	<-done
}
