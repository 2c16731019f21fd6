package service

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/collector"
	"github.com/envwatch/envwatch/collector/hj212recv"
	"github.com/envwatch/envwatch/collector/watercsv"
	"github.com/envwatch/envwatch/config"
	"github.com/envwatch/envwatch/internal/golden"
	"github.com/envwatch/envwatch/metrics"
	"github.com/envwatch/envwatch/reading"
)

func fixtureStack(t *testing.T, state string) *Generation {
	t.Helper()
	b, _ := os.ReadFile("testdata/exposition.yaml")
	cfg := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(cfg, append(b, []byte("state_dir: "+state+"\n")...), 0o600)
	s, err := Open(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), Mode{Sink: Discard})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func exposition(t *testing.T, s *Generation, now time.Time) string {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	cs, cache, err := s.domainCollectors(func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	cache.get() // the collectors gather in parallel: let them all see the snapshot
	reg.MustRegister(cs...)
	// Self-metrics lint too (they are not in the golden file: versions, sizes and times vary).
	lintReg := prometheus.NewPedanticRegistry()
	lintReg.MustRegister(cs...)
	metrics.RegisterSelf(lintReg)
	lintReg.MustRegister(metrics.NewStoreSizeGauge(func() float64 { return 1 }))
	collector.NewMetrics(lintReg)
	hj212recv.NewMetrics(lintReg)
	if problems, err := testutil.GatherAndLint(lintReg); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", problems, err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for _, mf := range mfs {
		expfmt.MetricFamilyToText(&b, mf)
	}
	return b.String()
}

// The domain exposition for a fixed configuration and data set (two real CNEMC stations on
// 2022-06-01, one section, one source), compared with a golden file; the restart test
// checks the restored state gives the same bytes.
func TestExpositionGolden(t *testing.T) {
	state := t.TempDir()
	s := fixtureStack(t, state)
	rs := realHours(t)
	wf, _ := os.Open("testdata/exposition_water.csv")
	ws, _, err := (&watercsv.Parser{Location: airquality.Shanghai}).Parse(wf, "water")
	wf.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.pl.Handle(context.Background(), &reading.Batch{Source: "fixture", Readings: append(rs, ws...)}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2022, 6, 2, 0, 30, 0, 0, airquality.Shanghai) // year to date through 1 June
	got := exposition(t, s, now)
	s.Close()

	golden.Assert(t, "exposition.prom", []byte(got))
	// Values checked by hand against the published data (see testdata/README.md).
	for _, line := range []string{
		`envwatch_air_aqi{area="xigong",station="1812A"} 79`, // published AQI at 23:00
		`envwatch_air_aqi{area="xigong",station="1814A"} 84`,
		`envwatch_air_area_aqi{area="xigong"} 81`, // PM10 (107+118)/2 = 112.5 → 112 → IAQI 81
		`envwatch_air_area_primary_pollutant_info{area="luoyang",pollutant="pm10"} 1`,
		`envwatch_water_section_class{area="xigong",level="national",river="黄河",section="hh-dahengling"} 6`, // NH3-N 2.3 > 2.0
		`envwatch_water_section_exceedance_ratio{item="nh3n",section="hh-dahengling"} 1.3`,
		`envwatch_target_status{area="luoyang",indicator="sections_compliance",status="at_risk",year="2022"} 1`,
		`envwatch_drinking_water_source_compliant{area="luoyang",source="dw-luhun"} 1`, // lake TP 0.03 ≤ 0.05
		// Names and places of every configured site, as testdata/exposition.yaml gives them.
		`envwatch_station_info{area="xigong",assessment="true",latitude="34.6516",longitude="112.3931",name="市委党校",station="1812A"} 1`,
		`envwatch_station_info{area="xigong",assessment="true",latitude="34.6871",longitude="112.4657",name="豫西宾馆",station="1814A"} 1`,
		`envwatch_section_info{area="xigong",level="national",name="黄河大横岭",river="黄河",section="hh-dahengling",target_class="III",water_body="river"} 1`,
		`envwatch_area_info{area="xigong",kind="district",name="西工区",name_en="",parent="luoyang"} 1`,
	} {
		if !strings.Contains(got, line+"\n") {
			t.Errorf("exposition lacks %s", line)
		}
	}

	// Restart: a new stack restores the state store and exposes the same bytes.
	s2 := fixtureStack(t, state)
	defer s2.Close()
	if again := exposition(t, s2, now); again != got {
		t.Errorf("exposition after restart differs:\n%s", again)
	}
}

// The exposition passes promtool's own linter (the pinned promtool of make tools).
func TestExpositionPromtoolCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: needs ./bin/promtool")
	}
	golden, err := os.ReadFile("testdata/exposition.prom")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("../bin/promtool", "check", "metrics")
	cmd.Stdin = bytes.NewReader(golden)
	if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

// /metrics parses as OpenMetrics: every envwatch family name is unique once counters are
// named without their _total suffix (as OpenMetrics names them) — the spool's gauge and
// counter were once both envwatch_spool_points. (client_golang's Go collector has the same
// clash in go_memstats_alloc_bytes, prometheus/client_golang#829; Prometheus ingests both.)
func TestExpositionIsOpenMetrics(t *testing.T) {
	b, _ := os.ReadFile("testdata/exposition.yaml")
	cfgPath := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(cfgPath, append(b, []byte("state_dir: "+t.TempDir()+"\n")...), 0o600)
	cfg, err := config.LoadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	selfReg := prometheus.NewRegistry()
	metrics.RegisterSelf(selfReg)
	r, err := Start(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), selfReg, func() error { return nil }, Options{ShutdownTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(slog.New(slog.NewTextHandler(io.Discard, nil)))
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header.Set("Accept", "application/openmetrics-text; version=1.0.0")
	rec := httptest.NewRecorder()
	r.Handler.ServeHTTP(rec, req)
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/openmetrics-text") {
		t.Fatalf("content type %q, want OpenMetrics", ct)
	}
	seen := map[string]bool{}
	families := 0
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		if !strings.HasPrefix(line, "# TYPE ") {
			continue
		}
		name := strings.Fields(line)[2]
		if !strings.HasPrefix(name, "envwatch_") {
			continue
		}
		families++
		if seen[name] {
			t.Errorf("family %s appears twice in the OpenMetrics exposition", name)
		}
		seen[name] = true
	}
	if !seen["envwatch_spool_pending_points"] || !seen["envwatch_spool_points"] || !strings.HasSuffix(strings.TrimSpace(rec.Body.String()), "# EOF") {
		t.Errorf("%d envwatch families (spool gauge %v, counter %v), want the whole exposition ending in # EOF",
			families, seen["envwatch_spool_pending_points"], seen["envwatch_spool_points"])
	}
}
