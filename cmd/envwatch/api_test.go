package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func httpDo(t *testing.T, method, url string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// One running service: while envwatch run collects (every second, into a real influxd),
// the CLI's report goes through the API and equals GET /api/v1/report and the offline
// report of the same state; a backfill started from the CLI runs inside the service while
// collection continues, and both land in InfluxDB; the mutating endpoints refuse without
// --web.enable-admin-api and GET.
func TestCommandsBesideRunningService(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: envwatch run with a real influxd")
	}
	dir := t.TempDir()
	influxd := influxdFor(t, dir, "envwatch")
	ctx := context.Background()
	p := exampleConfig(t, dir, "c.yaml", influxd.URL, "backfill_days: 1100", "backfill_days: 3", `schedule: "5 * * * *"`, `schedule: "@every 1s"`)
	addr := freeAddr(t)
	base := "http://" + addr
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	logs := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(rctx, []string{"run", "--config", p, "--web.listen-address", addr, "--web.enable-admin-api"}, nil, io.Discard, logs)
	}()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if body, _ := scrape(addr); metricValue(body, `envwatch_source_up{source="demo"}`) == 1 && metricValue(body, "envwatch_influxdb_points_written_total") > 0 {
			break
		}
	}

	// A backfill from the CLI runs inside the service (the state store is locked).
	now := time.Now()
	from, to := now.AddDate(0, 0, -30).Format(time.DateOnly), now.AddDate(0, 0, -28).Format(time.DateOnly)
	code, out, errs := runCLI("backfill", "--config", p, "--source", "demo", "--from", from, "--to", to, "--url", base)
	if code != 0 || !strings.Contains(out, "backfill demo "+from) || !strings.Contains(errs, "inside envwatch run") {
		t.Fatalf("backfill beside run: exit %d\nstdout %s\nstderr %s\nlogs %s", code, out, errs, logs.String())
	}
	// Both the backfilled days and the current collection are in InfluxDB.
	q := fmt.Sprintf("SELECT count(pm2_5) FROM air_hourly WHERE time > '%s' AND time <= '%s'",
		mustDay(t, from).UTC().Format(time.RFC3339), mustDay(t, to).AddDate(0, 0, 1).UTC().Format(time.RFC3339))
	var accepted int
	fmt.Sscanf(out[strings.Index(out, "readings accepted:"):], "readings accepted: %d", &accepted)
	// 3 days × 24 h × 10 stations, less the ~1 % of hours the simulator leaves out.
	if n := influxCount(t, influxd, "envwatch", q); n != float64(accepted) || accepted < 700 || accepted > 720 {
		t.Errorf("backfilled hours in InfluxDB: %v, accepted %d; want equal, ~720", n, accepted)
	}
	recent := fmt.Sprintf("SELECT count(pm2_5) FROM air_hourly WHERE time > '%s'", now.Add(-3*time.Hour).UTC().Format(time.RFC3339))
	if n := influxCount(t, influxd, "envwatch", recent); n < 10 {
		t.Errorf("current hours in InfluxDB: %v, want ≥ 10", n)
	}

	// The report: CLI (through the API) = GET /api/v1/report. No --url: the service wrote
	// where it listens (a free port, not 9065) into its state directory.
	if b, err := os.ReadFile(filepath.Join(dir, "state", "envwatch.url")); err != nil || strings.TrimSpace(string(b)) != base {
		t.Errorf("address file: %q (%v), want %s", b, err, base)
	}
	year := fmt.Sprint(now.AddDate(0, 0, -1).Year())
	code, viaCLI, errs := runCLI("report", "--config", p, "--area", "luoyang", "--year", year, "--format", "json")
	if code != 0 {
		t.Fatalf("report beside run: exit %d: %s", code, errs)
	}
	status, viaAPI := httpDo(t, http.MethodGet, base+"/api/v1/report?area=luoyang&year="+year+"&format=json&lang=zh")
	if status != 200 || viaAPI != viaCLI {
		t.Errorf("GET /api/v1/report: %d\n%s\nCLI:\n%s", status, viaAPI, viaCLI)
	}
	if status, body := httpDo(t, http.MethodGet, base+"/api/v1/sites"); status != 200 || !strings.Contains(body, `"name": "市委党校"`) || !strings.Contains(body, `"latitude": 34.6516`) {
		t.Errorf("GET /api/v1/sites: %d %.300s", status, body)
	}
	if status, body := httpDo(t, http.MethodGet, base+"/api/v1/daily?station=1812A&from="+from+"&to="+to+"&format=csv"); status != 200 || strings.Count(body, "\n") != 4 {
		t.Errorf("GET /api/v1/daily: %d\n%s", status, body)
	}
	if status, _ := httpDo(t, http.MethodGet, base+"/api/v1/backfills"); status != 200 {
		t.Errorf("GET /api/v1/backfills: %d", status)
	}
	if status, _ := httpDo(t, http.MethodGet, base+"/api/v1/spool/drop"); status != http.StatusMethodNotAllowed {
		t.Errorf("GET on a mutating endpoint: %d, want 405", status)
	}
	if code, out, _ := runCLI("spool", "list", "--config", p, "--url", base); code != 0 || !strings.Contains(out, "dead letters: 0") {
		t.Errorf("spool list beside run: %d %s", code, out)
	}

	cancel()
	<-done
	// Offline, on the same state: the same report.
	code, offline, errs := runCLI("report", "--config", p, "--area", "luoyang", "--year", year, "--format", "json")
	if code != 0 || offline != viaCLI {
		t.Errorf("offline report (exit %d, %s) differs from the one beside run:\n%s\nbeside run:\n%s", code, errs, offline, viaCLI)
	}

	// Without --web.enable-admin-api the mutating endpoints refuse.
	addr2 := freeAddr(t)
	rctx2, cancel2 := context.WithCancel(ctx)
	done2 := make(chan int, 1)
	go func() {
		done2 <- run(rctx2, []string{"run", "--config", p, "--web.listen-address", addr2}, nil, io.Discard, io.Discard)
	}()
	defer func() { cancel2(); <-done2 }()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if _, err := scrape(addr2); err == nil {
			break
		}
	}
	for _, path := range []string{"/api/v1/backfills?source=demo&from=" + from + "&to=" + to, "/api/v1/spool/drop", "/api/v1/rebuild?year=" + year} {
		if status, body := httpDo(t, http.MethodPost, "http://"+addr2+path); status != http.StatusForbidden || !strings.Contains(body, "--web.enable-admin-api") {
			t.Errorf("POST %s without the admin API: %d %s", path, status, body)
		}
	}
}

func mustDay(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.ParseInLocation(time.DateOnly, s, time.FixedZone("CST", 8*3600))
	if err != nil {
		t.Fatal(err)
	}
	return d
}
