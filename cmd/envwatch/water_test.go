package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Real-shaped water files through backfill and report: a field file (DO, pH) and a lab
// file (NH3-N, TP, Hg as "0.00004L", Cd as "ND") for one section, sampled on 1 January —
// the first instant of the backfill window — merge into one sample; DO 4 makes it Class IV
// (GB 3838 Table 1: III needs ≥ 5), so the Class III section is not compliant; the
// below-detection items are Class I and no main pollutant.
func TestWaterFilesEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: backfill and report through the CLI")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "water")
	os.MkdirAll(data, 0o755)
	os.WriteFile(filepath.Join(data, "2025-01-field.csv"), []byte("time,section,do,ph\n2025-01-01,hh-dahengling,4,7.6\n"), 0o644)
	os.WriteFile(filepath.Join(data, "2025-01-lab.csv"), []byte("time,section,nh3n,tp,hg,cd\n2025-01-01,hh-dahengling,0.3,0.05,0.00004L,ND\n2025-02-01,hh-dahengling,0.3,0.05,0.00004,0.001\n"), 0o644)
	cfg := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`state_dir: %s
areas:
  - {id: city, name: 测试市, kind: city}
water_sections:
  - {code: hh-dahengling, name: 大横岭, water_body: river, river: 黄河, level: national, target_class: III, area: city}
sources:
  - name: lab
    kind: water_csv
    water_csv: {dir: %s}
`, filepath.Join(dir, "state"), data)), 0o600)
	if code, _, errs := runCLI("backfill", "--config", cfg, "--source", "lab", "--from", "2025-01-01", "--to", "2025-01-31"); code != 0 {
		t.Fatalf("backfill: %d %s", code, errs)
	}
	code, out, errs := runCLI("report", "--config", cfg, "--area", "city", "--year", "2025", "--as-of", "2025-12-31", "--format", "json")
	if code != 0 {
		t.Fatalf("report: %d %s", code, errs)
	}
	var r struct {
		Sites []struct {
			Code      string  `json:"code"`
			Class     *string `json:"class"`
			Compliant *bool   `json:"compliant"`
			Samples   int     `json:"samples"`
			Main      []struct {
				Item string `json:"item"`
			} `json:"main_pollutants"`
		} `json:"water_sites"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Sites) != 1 {
		t.Fatalf("sites %+v", r.Sites)
	}
	s := r.Sites[0]
	// One sample: the 1 February lab row lies outside the backfill window (counted, not read).
	if s.Samples != 1 || s.Class == nil || *s.Class != "IV" || *s.Compliant || len(s.Main) != 0 {
		t.Errorf("section %+v: want 1 merged sample, Class IV from DO 4, not compliant, no main pollutant (DO has no multiple)", s)
	}
}
