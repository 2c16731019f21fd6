package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/envwatch/envwatch/internal/cnemcsample"
)

// A province and the country rank their cities from one generated configuration: the live
// sample's 122 files give a national configuration (1,607 stations of 342 cities), the
// sample goes through backfill, and `assess` ranks Henan's 18 cities and the country's
// 342 by composite index and PM2.5 over 1–2 July 2026. Every rank and value equals an
// independent calculation (Python, exact fractions; testdata/national_ranking_20260701_02.csv,
// docs/assessment.md): station-daily means of ≥ 20 hours, city days as the mean of the
// stations' valid values, means and HJ 663 percentiles of the two days, GB/T 8170 rounding.
func TestNationalConfigRanksCities(t *testing.T) {
	dir := t.TempDir()
	archive := filepath.Join(dir, "cnemc")
	files, err := cnemcsample.Extract(archive)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"init-config", "--country", "--state-dir", filepath.Join(dir, "state"), "--influxdb-url", ""}
	for _, f := range files {
		args = append(args, filepath.Join(archive, filepath.FromSlash(f.Name)))
	}
	code, out, errs := runCLI(args...)
	if code != 0 {
		t.Fatalf("init-config: %d %s", code, errs)
	}
	if n := strings.Count(out, "{code: "); n != 1607 {
		t.Errorf("%d stations in the configuration, want the sample's 1,607", n)
	}
	cfg := filepath.Join(dir, "china.yaml")
	if err := os.WriteFile(cfg, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs = runCLI("backfill", "--config", cfg, "--source", "cnemc", "--from", "2026-02-27", "--to", "2026-07-02")
	if code != 0 {
		t.Fatalf("backfill: %d %s", code, errs)
	}
	// Every station-hour with a value is read and accepted, no value refused (the counts of
	// the sample's independent reading, collector/cnemc/live_test.go).
	for _, want := range []string{"records read:       194203", "readings accepted:  194203", "values rejected:    0"} {
		if !strings.Contains(out, want) {
			t.Errorf("backfill summary lacks %q:\n%s", want, out)
		}
	}
	want := readRanking(t)
	for _, tc := range []struct {
		area   string
		cities int
	}{{"河南省", 18}, {"全国", 342}} {
		code, out, errs := runCLI("assess", "--config", cfg, "--area", tc.area, "--from", "2026-07-01", "--to", "2026-07-02", "--format", "csv", "--table", "ranking")
		if code != 0 {
			t.Fatalf("assess %s: %d %s", tc.area, code, errs)
		}
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, r := range recs[1:] { // period,indicator,rank,unit,name,value,reason
			got[r[1]]++
			w, ok := want[r[1]+"/"+r[4]]
			if !ok {
				t.Errorf("%s: %s %s is not a city of the sample", tc.area, r[1], r[4])
				continue
			}
			if tc.area == "全国" && (r[2] != w[0] || (r[2] != "" && r[5] != w[1])) {
				t.Errorf("%s %s %s: rank %q value %q, want rank %q value %q", tc.area, r[1], r[4], r[2], r[5], w[0], w[1])
			}
			if tc.area == "河南省" && r[5] != w[1] && w[1] != "" {
				t.Errorf("%s %s %s: value %q, want %q", tc.area, r[1], r[4], r[5], w[1])
			}
		}
		if got["composite_index"] != tc.cities || got["pm2_5"] != tc.cities {
			t.Errorf("%s: %v rows, want %d cities for each indicator", tc.area, got, tc.cities)
		}
	}
	// Henan's ranking as the bulletin prints it: best first, ties sharing a rank.
	code, out, _ = runCLI("assess", "--config", cfg, "--area", "henan", "--from", "2026-07-01", "--to", "2026-07-02")
	if code != 0 || !strings.Contains(out, "河南省 2026-07-01 至 2026-07-02 排名") ||
		!strings.Contains(out, "  1\t信阳市\t1.62\n  2\t三门峡市\t2.37\n") || !strings.Contains(out, "  12\t平顶山市\t3.29\n  12\t新乡市\t3.29\n  14\t济源市\t3.35\n") {
		t.Errorf("Henan's ranking as text:\n%s", out)
	}
}

// readRanking reads the independent calculation: factor/city → rank, value.
func readRanking(t *testing.T) map[string][2]string {
	t.Helper()
	f, err := os.Open("testdata/national_ranking_20260701_02.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][2]string{}
	for _, r := range recs[1:] {
		out[r[0]+"/"+r[1]] = [2]string{r[2], r[3]}
	}
	return out
}
