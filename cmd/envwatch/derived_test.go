package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/envwatch/envwatch/internal/realhours"
	"github.com/envwatch/envwatch/internal/testenv"
)

// influxRows runs an InfluxQL query and returns its rows as column → value.
func influxRows(t *testing.T, d *testenv.Influxd, db, q string) []map[string]any {
	t.Helper()
	b, err := d.Query(context.Background(), db, q)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Results []struct {
			Series []struct {
				Columns []string `json:"columns"`
				Values  [][]any  `json:"values"`
			} `json:"series"`
		} `json:"results"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	var out []map[string]any
	for _, res := range r.Results {
		for _, s := range res.Series {
			for _, v := range s.Values {
				row := map[string]any{}
				for i, c := range s.Columns {
					row[c] = v[i]
				}
				out = append(out, row)
			}
		}
	}
	return out
}

func text(v any) string {
	switch x := v.(type) {
	case float64:
		return fmt.Sprint(x)
	case string:
		return x
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// Derived history in InfluxDB: a real CNEMC day (2022-06-01, two Luoyang stations) loaded
// by backfill writes each hour's AQI on its air_hourly point — whose 23:00 AQI equals CNEMC's published AQI (79 and
// 84) — and air_daily per station and area equal to the engine's daily values (report --daily).
func TestDerivedSeriesInInfluxDB(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: a real influxd")
	}
	dir := t.TempDir()
	d := influxdFor(t, dir, "envwatch")
	data := filepath.Join(dir, "cnemc")
	os.MkdirAll(data, 0o755)
	b := realhours.File()
	os.WriteFile(filepath.Join(data, "2022-06-01.csv"), b, 0o644)
	base, _ := os.ReadFile("testdata/exposition.yaml")
	cfg := string(base) + fmt.Sprintf(`state_dir: %s
sources:
  - name: archive
    kind: cnemc_csv
    cnemc_csv: {dir: %s, preset: heqinwill_archive}
influxdb:
  url: %s
  database: envwatch
`, filepath.Join(dir, "state"), data, d.URL)
	p := filepath.Join(dir, "c.yaml")
	os.WriteFile(p, []byte(cfg), 0o600)
	if code, out, errs := runCLI("backfill", "--config", p, "--source", "archive", "--from", "2022-06-01", "--to", "2022-06-01"); code != 0 {
		t.Fatalf("backfill: %d %s %s", code, out, errs)
	}
	for station, published := range map[string]string{"1812A": "79", "1814A": "84"} {
		rows := influxRows(t, d, "envwatch", "SELECT aqi, aqi_primary FROM air_hourly WHERE station = '"+station+"' AND time = '2022-06-01T15:00:00Z'")
		// CNEMC published 颗粒物(PM10) as the primary pollutant of both.
		if len(rows) != 1 || text(rows[0]["aqi"]) != published || text(rows[0]["aqi_primary"]) != "pm10" {
			t.Errorf("air_hourly %s at 23:00: %v, want the published AQI %s and primary pm10", station, rows, published)
		}
	}
	code, out, errs := runCLI("report", "--config", p, "--area", "xigong", "--year", "2022", "--as-of", "2022-06-01", "--daily", "--stations")
	if code != 0 {
		t.Fatalf("report --daily: %d %s", code, errs)
	}
	recs, _ := csv.NewReader(strings.NewReader(out)).ReadAll()
	head := recs[0]
	checked := 0
	for _, rec := range recs[1:] {
		if rec[1] != "2022-06-01" {
			continue
		}
		q := "SELECT * FROM air_daily WHERE time = '2022-05-31T16:00:00Z' AND "
		if rec[0] == "xigong" {
			q += "scope = 'area' AND area = 'xigong'"
		} else {
			q += "scope = 'station' AND station = '" + rec[0] + "'"
		}
		rows := influxRows(t, d, "envwatch", q)
		if len(rows) != 1 {
			t.Errorf("%s: %d air_daily rows", rec[0], len(rows))
			continue
		}
		for i, col := range head {
			field := map[string]string{"pm2_5": "pm2_5", "pm10": "pm10", "so2": "so2", "no2": "no2", "co": "co", "o3_8h": "o3_8h",
				"o3_1h_max": "o3_1h_max", "aqi": "aqi", "level": "level", "primary": "primary", "aqi_2026": "aqi_2026"}[col]
			if field == "" {
				continue
			}
			want := rec[i]
			if want == "" && field != "primary" {
				want = "-1" // not determinable
			}
			if got := text(rows[0][field]); got != want {
				t.Errorf("%s %s: InfluxDB %q, engine %q", rec[0], field, got, want)
			}
		}
		checked++
	}
	if checked != 3 {
		t.Errorf("checked %d sites, want the area and its two stations", checked)
	}
	// The month: one valid day of 30 fails the coverage rule, so its means are withheld (-1).
	rows := influxRows(t, d, "envwatch", "SELECT * FROM air_monthly WHERE area = 'xigong'")
	if len(rows) != 1 || text(rows[0]["valid_days"]) != "1" || text(rows[0]["calendar_days"]) != "30" || text(rows[0]["valid"]) != "0" || text(rows[0]["pm2_5"]) != "-1" {
		t.Errorf("air_monthly of June 2022: %v", rows)
	}
}
