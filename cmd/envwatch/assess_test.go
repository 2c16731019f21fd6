package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/collector/cnemc"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/reading"
)

// The monthly assessment end to end: five districts, one station each, October 2026 at
// PM2.5 48, 41, 39, 36 every hour (the worked example of docs/assessment.md), and a fifth
// district with only ten days of data. Through backfill and `envwatch assess`: base 41;
// A pays 90 万元, C receives 20, D 50; E's month is not valid — listed, not ranked, no amount.
func TestMonthlyAssessmentEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: backfill and assess through the CLI")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "cnemc")
	os.MkdirAll(data, 0o755)
	var rs []reading.Reading
	pm := map[string]string{"S1": "48", "S2": "41", "S3": "39", "S4": "36", "S5": "30"}
	for d := airquality.DayFromDate(2026, 10, 1); d <= airquality.DayFromDate(2026, 10, 31); d++ {
		for st, v := range pm {
			if st == "S5" && d > airquality.DayFromDate(2026, 10, 10) {
				continue
			}
			for slot := 0; slot < 24; slot++ {
				r := reading.Reading{Kind: reading.Air, Site: st, End: d.HourEnd(slot)}
				for code, val := range map[string]string{"pm2_5": v, "pm10": "60", "so2": "8", "no2": "25", "co": "0.6", "o3": "90"} {
					x, _ := fixed.Parse(val)
					r.Values = append(r.Values, reading.Value{Code: code, V: x, Flag: "N"})
				}
				rs = append(rs, r)
			}
		}
	}
	f, _ := os.Create(filepath.Join(data, "2026-10.csv"))
	cnemc.Write(f, rs)
	f.Close()
	cfg := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`state_dir: %s
areas:
  - {id: city, name: 测试市, kind: city}
  - {id: A, name: 甲区, kind: district, parent: city}
  - {id: B, name: 乙区, kind: district, parent: city}
  - {id: C, name: 丙县, kind: county, parent: city}
  - {id: D, name: 丁县, kind: county, parent: city}
  - {id: E, name: 戊县, kind: county, parent: city}
air_stations:
  - {code: S1, name: 一号站, area: A, latitude: 34.6, longitude: 112.4}
  - {code: S2, name: 二号站, area: B, latitude: 34.6, longitude: 112.5}
  - {code: S3, name: 三号站, area: C, latitude: 34.7, longitude: 112.4}
  - {code: S4, name: 四号站, area: D, latitude: 34.7, longitude: 112.5}
  - {code: S5, name: 五号站, area: E, latitude: 34.8, longitude: 112.5}
sources:
  - name: files
    kind: cnemc_csv
    cnemc_csv: {dir: %s}
assessments:
  - area: city
    rank_by: [pm2_5, composite_index]
    schemes:
      - name: PM2.5 月度生态补偿
        factor: pm2_5
        base: units_average
        pay: [{from: 0, to: 5, rate: 10}, {from: 5, rate: 20}]
        receive: [{from: 0, to: 5, rate: 10}, {from: 5, rate: 20}]
        money_step: 0.5
`, filepath.Join(dir, "state"), data)), 0o600)
	if code, _, errs := runCLI("backfill", "--config", cfg, "--source", "files", "--from", "2026-10-01", "--to", "2026-10-31"); code != 0 {
		t.Fatalf("backfill: %d %s", code, errs)
	}
	if time.Now().Before(time.Date(2026, 11, 1, 0, 0, 0, 0, airquality.Shanghai)) {
		t.Skip("the test month is not over yet")
	}
	code, out, errs := runCLI("assess", "--config", cfg, "--area", "测试市", "--month", "2026-10", "--format", "json")
	if code != 0 {
		t.Fatalf("assess: %d %s", code, errs)
	}
	var res struct {
		Provisional bool `json:"provisional"`
		Rankings    map[string][]struct {
			Unit string `json:"unit"`
			Rank *int   `json:"rank"`
		} `json:"rankings"`
		Schemes []struct {
			BaseValue json.RawMessage `json:"base_value"`
			Lines     []struct {
				Unit      string          `json:"unit"`
				Amount    json.RawMessage `json:"amount"`
				Direction string          `json:"direction"`
				Excluded  string          `json:"excluded"`
			} `json:"lines"`
			Pay     json.RawMessage `json:"pay"`
			Receive json.RawMessage `json:"receive"`
			Balance json.RawMessage `json:"balance"`
		} `json:"schemes"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var ranks []string
	for _, r := range res.Rankings["pm2_5"] {
		n := 0
		if r.Rank != nil {
			n = *r.Rank
		}
		ranks = append(ranks, fmt.Sprintf("%s%d", r.Unit, n))
	}
	if strings.Join(ranks, " ") != "D1 C2 B3 A4 E0" || res.Provisional {
		t.Errorf("PM2.5 ranking %v (provisional %v), want D1 C2 B3 A4 and E unranked", ranks, res.Provisional)
	}
	s := res.Schemes[0]
	var lines []string
	for _, l := range s.Lines {
		if l.Excluded != "" {
			lines = append(lines, l.Unit+" excluded")
			continue
		}
		lines = append(lines, fmt.Sprintf("%s %s %s", l.Unit, l.Direction, l.Amount))
	}
	if string(s.BaseValue) != "41" || strings.Join(lines, ", ") != "A pay 90.00, B  0.00, C receive 20.00, D receive 50.00, E excluded" ||
		string(s.Pay) != "90.00" || string(s.Receive) != "70.00" || string(s.Balance) != "20.00" {
		t.Errorf("compensation: base %s; %s; pay %s receive %s balance %s", s.BaseValue, strings.Join(lines, ", "), s.Pay, s.Receive, s.Balance)
	}
	// The exposition of the last complete month (scraped on 5 November).
	st := fixtureStackFrom(t, cfg)
	body := exposition(t, st, time.Date(2026, 11, 5, 10, 0, 0, 0, airquality.Shanghai))
	st.Close()
	for _, want := range []string{
		`envwatch_assessment_rank{area="A",indicator="pm2_5",month="2026-10",parent="city",period="last_month"} 4`,
		`envwatch_assessment_rank{area="D",indicator="pm2_5",month="2026-10",parent="city",period="last_month"} 1`,
		`envwatch_assessment_ranked_units{indicator="pm2_5",month="2026-10",parent="city",period="last_month"} 4`,
		`envwatch_assessment_amount{area="A",direction="pay",money_unit="万元",month="2026-10",parent="city",period="last_month",scheme="PM2.5 月度生态补偿"} 90`,
		`envwatch_assessment_amount{area="D",direction="receive",money_unit="万元",month="2026-10",parent="city",period="last_month",scheme="PM2.5 月度生态补偿"} 50`,
		`envwatch_assessment_last_place_months{area="A",indicator="pm2_5",parent="city"} 1`,
		`envwatch_assessment_last_place_months{area="D",indicator="pm2_5",parent="city"} 0`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("exposition lacks %s\n%s", want, grepLines(body, "envwatch_assessment"))
		}
	}
	if strings.Contains(body, `envwatch_assessment_rank{area="E"`) {
		t.Error("a unit without a valid month is ranked in the exposition")
	}
	// The text report in both languages, and the CSV.
	for _, lang := range []string{"zh", "en"} {
		code, out, _ := runCLI("assess", "--config", cfg, "--area", "city", "--month", "2026-10", "--lang", lang)
		want := map[string]string{"zh": "甲区\t48\t41\t+7\t90.00\t支偿", "en": "甲区\t48\t41\t+7\t90.00\tpays"}[lang]
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("%s text lacks %q:\n%s", lang, want, out)
		}
	}
}
