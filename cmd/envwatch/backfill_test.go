package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/envwatch/envwatch/collector/cnemc"
	"github.com/envwatch/envwatch/collector/simulate"
	"github.com/envwatch/envwatch/internal/testenv"
)

var luoyangStations = []string{"1812A", "1814A", "1815A", "1816A", "1817A", "3340A", "3341A", "3593A", "3635A", "3636A"}

func influxCount(t *testing.T, d *testenv.Influxd, db, q string) float64 {
	t.Helper()
	v, err := d.Values(context.Background(), db, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(v) == 0 {
		return 0
	}
	return v[0][1].(float64)
}

func summaryField(out, name string) int {
	m := regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(name) + `:\s+(\d+)`).FindStringSubmatch(out)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// A year of generated CNEMC hourly files for Luoyang's 10 stations backfills with summary
// counts equal to InfluxDB's count(); an interrupted backfill, re-run, ends with the same
// counts and writes nothing twice.
func TestBackfillYearOfCNEMCFiles(t *testing.T) {
	dir := t.TempDir()
	testenv.Integration(t)
	influxd, err := testenv.StartInfluxd(filepath.Join(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer influxd.Stop()
	ctx := context.Background()
	for _, db := range []string{"full", "interrupted"} {
		if err := influxd.CreateDatabase(ctx, db, ""); err != nil {
			t.Fatal(err)
		}
	}
	archive := filepath.Join(dir, "archive")
	sim := simulate.New(11, luoyangStations, nil, 0)
	from := time.Date(2022, 1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	rs, _ := sim.Readings(ctx, from, from.AddDate(1, 0, 0))
	if err := cnemc.WriteArchive(archive, rs); err != nil {
		t.Fatal(err)
	}
	values := 0
	for _, r := range rs {
		values += len(r.Values)
	}
	config := func(db string) string {
		b, _ := os.ReadFile("../../examples/luoyang.yaml")
		cfg := strings.NewReplacer(
			"url: http://127.0.0.1:8086", "url: "+influxd.URL,
			"state_dir: ./var/state", "state_dir: "+filepath.Join(dir, "state-"+db),
			"database: envwatch", "database: "+db,
		).Replace(string(b))
		cfg = strings.Replace(cfg, "\nsources:\n", "\nsources:\n  - name: archive\n    kind: cnemc_csv\n    cnemc_csv: {dir: "+archive+"}\n", 1)
		p := filepath.Join(dir, db+".yaml")
		os.WriteFile(p, []byte(cfg), 0o600)
		return p
	}
	args := func(cfg string) []string {
		return []string{"backfill", "--config", cfg, "--source", "archive", "--from", "2022-01-01", "--to", "2022-12-31"}
	}

	var out, errb bytes.Buffer
	if code := run(ctx, args(config("full")), nil, &out, &errb); code != 0 {
		t.Fatalf("backfill exit %d: %s", code, errb.String())
	}
	points := influxCount(t, influxd, "full", "SELECT count(pm2_5) FROM air_hourly")
	aqiPoints := influxCount(t, influxd, "full", "SELECT count(aqi) FROM air_hourly")
	// Station-days with data: each gets one air_daily point.
	stationDays := map[string]bool{}
	for _, r := range rs {
		stationDays[r.Site+r.End.Add(-time.Hour).In(from.Location()).Format(time.DateOnly)] = true
	}
	dailyQuery := "SELECT count(valid) FROM air_daily WHERE scope = 'station'"
	// Points written are the raw hours (each with its hourly AQI) and the derived series:
	// a day's values once the walk has passed the day, its area and month beside them.
	if points != float64(len(rs)) || aqiPoints != float64(len(rs)) || summaryField(out.String(), "points written") < len(rs)+len(stationDays) ||
		summaryField(out.String(), "readings accepted") != len(rs) || summaryField(out.String(), "values rejected") != 0 {
		t.Errorf("InfluxDB holds %v raw and %v hourly-AQI points, generated %d; summary:\n%s", points, aqiPoints, len(rs), out.String())
	}

	// Interrupted after about a second, then re-run.
	cfg := config("interrupted")
	ictx, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
	out.Reset()
	code := run(ictx, args(cfg), nil, &out, &errb)
	cancel()
	first := summaryField(out.String(), "readings accepted")
	if code == 0 || first <= 0 || first >= len(rs) {
		t.Logf("interrupted run: exit %d, %d points (a fast machine may finish; the re-run must still be exact)", code, first)
	}
	out.Reset()
	if code := run(ctx, args(cfg), nil, &out, &errb); code != 0 {
		t.Fatalf("re-run exit %d: %s", code, errb.String())
	}
	second := summaryField(out.String(), "readings accepted")
	got := influxCount(t, influxd, "interrupted", "SELECT count(pm2_5) FROM air_hourly")
	if got != float64(len(rs)) {
		t.Errorf("after interruption and re-run InfluxDB holds %v points, want %d", got, len(rs))
	}
	// The resumed run skipped the files the first run delivered (an interrupted backfill
	// checkpoints before it exits): together they wrote at most the groups in flight twice
	// (one parsed, one staged, one being delivered: 3 × 10,000 readings).
	if first > 0 && first < len(rs) && first+second > len(rs)+30000 {
		t.Errorf("interrupted %d + resumed %d readings: the re-run did not resume", first, second)
	}
	sum := 0.0
	for _, f := range []string{"pm2_5", "pm10", "so2", "no2", "co", "o3"} {
		sum += influxCount(t, influxd, "interrupted", "SELECT count("+f+") FROM air_hourly")
	}
	if sum != float64(values) {
		t.Errorf("values in InfluxDB %v, want %d", sum, values)
	}
	// Every station-day has its daily point, also where the interrupted run held it back.
	for _, db := range []string{"full", "interrupted"} {
		if got := influxCount(t, influxd, db, dailyQuery); got != float64(len(stationDays)) {
			t.Errorf("%s: %v station air_daily points, want one per station-day with data (%d)", db, got, len(stationDays))
		}
	}
}

func TestRunOnceDryRun(t *testing.T) {
	dir := t.TempDir()
	b, _ := os.ReadFile("../../examples/luoyang.yaml")
	cfg := strings.NewReplacer("state_dir: ./var/state", "state_dir: "+filepath.Join(dir, "state"), "backfill_days: 1100", "backfill_days: 1").Replace(string(b))
	p := filepath.Join(dir, "c.yaml")
	os.WriteFile(p, []byte(cfg), 0o600)
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"run", "--once", "--source", "demo", "--config", p}, nil, &out, &errb)
	if code != 0 || !strings.Contains(out.String(), "air_hourly,station=1812A,area=xigong pm2_5=") ||
		!strings.Contains(errb.String(), "nothing was written or recorded") {
		t.Fatalf("exit %d\nstdout %.300s\nstderr %s", code, out.String(), errb.String())
	}
	// The window is the first real run's: the simulate source's initial day, not the
	// six-hour look-back.
	m := regexp.MustCompile(`dry run: window \((\S+), (\S+)\]: (\d+) points`).FindStringSubmatch(errb.String())
	if m == nil {
		t.Fatalf("no window in %q", errb.String())
	}
	f, _ := time.Parse(time.RFC3339, m[1])
	e, _ := time.Parse(time.RFC3339, m[2])
	points, _ := strconv.Atoi(m[3])
	if e.Sub(f) != 24*time.Hour || points < 200 {
		t.Errorf("dry run window (%s, %s] with %d points; want the first run's 24 h (10 stations × 24 h, not 6 h × 10 = 60)", m[1], m[2], points)
	}
	// Nothing recorded: a second dry run prints the same window again.
	n := strings.Count(out.String(), "\n")
	out.Reset()
	run(context.Background(), []string{"run", "--once", "--source", "demo", "--config", p}, nil, &out, &errb)
	if m := strings.Count(out.String(), "\n"); m < n-10 {
		t.Errorf("second dry run printed %d lines, first %d: the high-water mark moved", m, n)
	}
}

// A range in the future is refused (exit 1, nothing read); --force re-reads a range an
// earlier backfill finished, which a plain re-run skips.
func TestBackfillFutureAndForce(t *testing.T) {
	dir := t.TempDir()
	b, _ := os.ReadFile("../../examples/luoyang.yaml")
	cfg := strings.NewReplacer("state_dir: ./var/state", "state_dir: "+filepath.Join(dir, "state"), "backfill_days: 1100", "backfill_days: 1").Replace(string(b))
	cfg = cfg[:strings.Index(cfg, "influxdb:")] // compute only
	p := filepath.Join(dir, "c.yaml")
	os.WriteFile(p, []byte(cfg), 0o600)
	bj := time.FixedZone("CST", 8*3600) // the configured zone
	tomorrow := time.Now().In(bj).AddDate(0, 0, 1).Format(time.DateOnly)
	code, _, errs := runCLI("backfill", "--config", p, "--source", "demo", "--from", tomorrow, "--to", tomorrow)
	if code != 1 || !strings.Contains(errs, "is in the future") {
		t.Errorf("future range: exit %d, %q; want 1 and a clear refusal", code, errs)
	}
	from, to := time.Now().In(bj).AddDate(0, 0, -10).Format(time.DateOnly), time.Now().In(bj).AddDate(0, 0, -9).Format(time.DateOnly)
	read := func(args ...string) int {
		t.Helper()
		code, out, errs := runCLI(append([]string{"backfill", "--config", p, "--source", "demo", "--from", from, "--to", to}, args...)...)
		if code != 0 {
			t.Fatalf("backfill: exit %d: %s", code, errs)
		}
		n := -1
		fmt.Sscanf(out[strings.Index(out, "records read:"):], "records read: %d", &n)
		return n
	}
	first := read()
	if first < 400 { // 2 days × 24 h × 10 stations, less ~1 % missing hours
		t.Fatalf("first backfill read %d records", first)
	}
	if again := read(); again != 0 {
		t.Errorf("a plain re-run read %d records, want 0 (the range is done)", again)
	}
	if forced := read("--force"); forced != first {
		t.Errorf("--force read %d records, want %d (the whole range again)", forced, first)
	}
}

// The dry run works beside the running service, which holds the state store: it asks the
// service (found through the address it records in the state directory), which runs it
// on its own marks and records nothing; the output is the offline dry run's.
func TestRunOnceBesideTheService(t *testing.T) {
	dir := t.TempDir()
	b, _ := os.ReadFile("../../examples/luoyang.yaml")
	cfg := strings.NewReplacer("state_dir: ./var/state", "state_dir: "+filepath.Join(dir, "state"), "backfill_days: 1100", "backfill_days: 1").Replace(string(b))
	if i := strings.Index(cfg, "\ninfluxdb:\n"); i >= 0 {
		j := strings.Index(cfg, "\ntargets:\n")
		cfg = cfg[:i] + cfg[j:]
	}
	p := filepath.Join(dir, "c.yaml")
	os.WriteFile(p, []byte(cfg), 0o600)
	addr := freeAddr(t)
	startRun(t, "--config", p, "--web.listen-address", addr)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if _, err := os.Stat(filepath.Join(dir, "state", "envwatch.url")); err == nil {
			break
		}
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"run", "--once", "--source", "demo", "--config", p}, nil, &out, &errb)
	if code != 0 || !strings.Contains(out.String(), "air_hourly,station=1812A,area=xigong pm2_5=") ||
		!strings.Contains(errb.String(), "nothing was written or recorded") {
		t.Fatalf("exit %d\nstdout %.300s\nstderr %s", code, out.String(), errb.String())
	}
	if strings.Contains(errb.String(), "locked") {
		t.Errorf("the dry run waited for the lock instead of asking the service: %s", errb.String())
	}
}
