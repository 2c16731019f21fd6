package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// State filled by a backfill and state rebuilt from InfluxDB give the same report; the
// report needs no server.
func TestRebuildReproducesIndicators(t *testing.T) {
	dir := t.TempDir()
	influxd := influxdFor(t, dir, "envwatch")
	ctx := context.Background()
	state := filepath.Join(dir, "state")
	p := exampleConfig(t, dir, "c.yaml", influxd.URL)
	run1 := func(args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		if code := run(ctx, args, nil, &out, &errb); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errb.String())
		}
		return out.String()
	}
	run1("backfill", "--config", p, "--source", "demo", "--from", "2025-01-01", "--to", "2025-03-31")
	report := []string{"report", "--config", p, "--area", "luoyang", "--year", "2025", "--as-of", "2025-03-31", "--format", "json"}
	before := run1(report...)
	if !strings.Contains(before, `"indicator": "pm2_5_mean"`) || !strings.Contains(before, `"indicator": "good_days"`) {
		t.Fatalf("report lacks air indicators:\n%s", before)
	}
	if err := os.RemoveAll(state); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run(ctx, report, nil, &out, &errb); code != 1 || !strings.Contains(errb.String(), "no data for 洛阳市 (luoyang) in 2025") {
		t.Fatalf("report on an empty state: exit %d, stderr %q; want 1 and \"no data\"", code, errb.String())
	}
	points := influxCount(t, influxd, "envwatch", "SELECT count(pm2_5) FROM air_hourly")
	if out := run1("rebuild", "--config", p, "--year", "2025"); !strings.Contains(out, "rebuilt 2025: ") {
		t.Errorf("rebuild output %q", out)
	}
	// The raw points went back under their own source: the same series, no second copy.
	if again := influxCount(t, influxd, "envwatch", "SELECT count(pm2_5) FROM air_hourly"); again != points {
		t.Errorf("air_hourly holds %v points after the rebuild, %v before", again, points)
	}
	if rows := influxRows(t, influxd, "envwatch", "SELECT count(pm2_5) FROM air_hourly WHERE source = 'rebuild'"); len(rows) != 0 {
		t.Errorf("the rebuild wrote points under source=rebuild: %v", rows)
	}
	if after := run1(report...); after != before {
		t.Errorf("after rebuild:\n%s\nbefore:\n%s", after, before)
	}
	// Text report in both languages renders.
	if zh := run1("report", "--config", p, "--area", "luoyang", "--year", "2025", "--as-of", "2025-03-31"); !strings.Contains(zh, "洛阳市 2025年环境质量目标完成情况（评价截至 3月31日）") {
		t.Errorf("zh report:\n%s", zh)
	}
}
