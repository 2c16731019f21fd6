package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/envwatch/envwatch/internal/testenv"
)

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestCheckConfigExitCodes(t *testing.T) {
	code, out, _ := runCLI("check-config", "../../examples/luoyang.yaml")
	if code != 0 || !strings.Contains(out, "ok (15 areas, 10 air stations, 13 water sections") {
		t.Errorf("luoyang: exit %d, %q", code, out)
	}
	bad, _ := filepath.Glob("../../examples/bad/*.yaml")
	if len(bad) == 0 {
		t.Fatal("no bad examples")
	}
	for _, f := range bad {
		code, _, errs := runCLI("check-config", f)
		if code != 1 || !regexp.MustCompile(regexp.QuoteMeta(f)+`:\d+: `).MatchString(errs) {
			t.Errorf("%s: exit %d, stderr %q; want 1 and file:line", f, code, errs)
		}
	}
	if code, _, _ := runCLI("check-config", "../../examples/luoyang.yaml", bad[0]); code != 1 {
		t.Errorf("a good and a bad file: exit %d, want 1", code)
	}
}

func TestVersionAndCalc(t *testing.T) {
	if code, out, _ := runCLI("version"); code != 0 || !strings.Contains(out, "envwatch, version") {
		t.Errorf("version: %d %q", code, out)
	}
	var out, errb bytes.Buffer
	in := "time,pm2_5,pm10,so2,no2,co,o3\n2022-06-01 16:00,16,88,3,11,0.2,75\n2022-06-01 17:00,x,88,3,11,0.2,75\n"
	code := run(context.Background(), []string{"calc", "aqi"}, strings.NewReader(in), &out, &errb)
	if code != 1 || !strings.Contains(out.String(), ",69,2,良,pm10,\n") || !strings.Contains(errb.String(), "line 3:") {
		t.Errorf("calc aqi: exit %d out %q err %q", code, out.String(), errb.String())
	}
}

// startRun runs `envwatch run` with args until the test ends and returns its log.
func startRun(t *testing.T, args ...string) *syncBuffer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	logs := &syncBuffer{}
	go func() { done <- run(ctx, append([]string{"run"}, args...), nil, io.Discard, logs) }()
	t.Cleanup(func() { cancel(); <-done })
	return logs
}

func freeAddr(t *testing.T) string {
	p, err := testenv.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("127.0.0.1:%d", p)
}

func scrape(addr string) (string, error) {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

func metricValue(body, name string) float64 {
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` (\S+)$`).FindStringSubmatch(body)
	if m == nil {
		return -1
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

// The main job end to end: the Luoyang example with the simulate source fills a real
// influxd with readings of all 10 stations and serves self-metrics; killing influxd
// does not crash envwatch, the failed writes are counted; SIGTERM (context) stops it.
func TestRunEndToEnd(t *testing.T) {
	dir := t.TempDir()
	influxd := influxdFor(t, dir, "envwatch")
	ctx := context.Background()
	cfgPath := exampleConfig(t, dir, "luoyang.yaml", influxd.URL, "backfill_days: 1100", "backfill_days: 3", `schedule: "5 * * * *"`, `schedule: "@every 1s"`)
	addr := freeAddr(t)
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	logs := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(rctx, []string{"run", "--config", cfgPath, "--web.listen-address", addr}, strings.NewReader(""), io.Discard, logs)
	}()

	var body string
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		body, _ = scrape(addr)
		if metricValue(body, "envwatch_influxdb_points_written_total") > 0 && metricValue(body, `envwatch_source_up{source="demo"}`) == 1 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if metricValue(body, "envwatch_influxdb_points_written_total") <= 0 {
		t.Fatalf("no points written within 60 s; logs:\n%s", logs.String())
	}
	for _, want := range []string{"envwatch_build_info", "envwatch_state_store_size_bytes", "envwatch_config_last_reload_successful 1",
		"envwatch_influxdb_last_success_timestamp_seconds", `envwatch_air_aqi{area="xigong",station="1812A"}`} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	for _, path := range []string{"/", "/-/healthy", "/-/ready"} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("GET %s: %v %v", path, resp, err)
		} else {
			resp.Body.Close()
		}
	}
	q, err := influxd.Query(ctx, "envwatch", "SHOW TAG VALUES FROM air_hourly WITH KEY = station")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(q), `["station","`); n != 10 {
		t.Errorf("InfluxDB holds %d stations, want 10: %s", n, q)
	}

	// Fault: influxd dies. envwatch keeps serving, counts the failed writes and spools them.
	influxd.Kill()
	deadline = time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		body, _ = scrape(addr)
		if metricValue(body, "envwatch_influxdb_points_failed_total") > 0 && metricValue(body, "envwatch_spool_pending_points") > 0 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if metricValue(body, "envwatch_influxdb_points_failed_total") <= 0 || metricValue(body, "envwatch_spool_pending_points") <= 0 {
		t.Errorf("after killing influxd: failed %v spooled %v", metricValue(body, "envwatch_influxdb_points_failed_total"),
			metricValue(body, "envwatch_spool_pending_points"))
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d; logs:\n%s", code, logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("envwatch did not stop within 30 s of cancellation")
	}
}

// Commands that pull on demand refuse a push source with a hint, and an unknown source
// with the configured names.
func TestPullOnlyCommands(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfg, []byte(`state_dir: `+filepath.Join(dir, "state")+`
areas:
  - {id: luoyang, name: 洛阳市, kind: city}
air_stations:
  - {code: 1812A, name: 王城公园, area: luoyang, latitude: 34.67, longitude: 112.43}
sources:
  - name: sim
    kind: simulate
    schedule: "5 * * * *"
  - name: stations
    kind: hj212
    hj212:
      listen: 127.0.0.1:0
      devices:
        - {mn: M1, site: 1812A, kind: air, auth: none}
`), 0o600)
	for row, c := range []struct {
		args []string
		want string
	}{
		{[]string{"backfill", "-c", cfg, "--source", "stations", "--from", "2026-01-01", "--to", "2026-01-02"}, "source stations (hj212) receives pushed data and cannot be backfilled"},
		{[]string{"run", "-c", cfg, "--once", "--source", "stations"}, "source stations receives pushed data; --once needs a pull source"},
		{[]string{"backfill", "-c", cfg, "--source", "nope", "--from", "2026-01-01", "--to", "2026-01-02"}, `no source named "nope" (configured: sim, stations)`},
	} {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			code, _, errs := runCLI(c.args...)
			if code != 1 || !strings.Contains(errs, c.want) {
				t.Errorf("%v: exit %d, stderr %q; want 1 and %q", c.args, code, errs, c.want)
			}
		})
	}
}
