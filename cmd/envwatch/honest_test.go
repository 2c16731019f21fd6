package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/collector/cnemc"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/internal/golden"
	"github.com/envwatch/envwatch/reading"
	"github.com/envwatch/envwatch/service"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
)

// honestData writes a two-year CNEMC data set for two stations of one city and returns
// the directory. Every figure below follows from it by hand:
//
//   - 2025: data only from 1 to 21 November (21 days), every hour PM2.5 40, PM10 60, SO2 10,
//     NO2 30, CO 0.8, O3 100 — a "last year" with three weeks of data.
//   - 2026: every hour from 1 January to 28 November (the data end), PM2.5 30, PM10 50, SO2 8,
//     NO2 25, CO 0.6, O3 90, except: days 1–10 of every month PM2.5 120 (IAQI > 100 under
//     either table: 110 polluted days); 15 July only ten hours (fewer than 20: NA).
//
// So 2026 to 28 November: 332 calendar days, 331 valid, 110 over 100, 221 good; PM2.5 mean
// (110·120 + 221·30)/331 = 19830/331 = 59.9 → 60. The same period of 2025 has 21 of 332
// valid days: no comparison may be published.
func honestData(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "cnemc")
	var rs []reading.Reading
	add := func(d airquality.Day, hours int, vals map[string]string) {
		for slot := 0; slot < hours; slot++ {
			for _, st := range []string{"S1", "S2"} {
				r := reading.Reading{Kind: reading.Air, Site: st, End: d.HourEnd(slot)}
				for _, code := range []string{"pm2_5", "pm10", "so2", "no2", "co", "o3"} {
					v, _ := fixed.Parse(vals[code])
					r.Values = append(r.Values, reading.Value{Code: code, V: v, Flag: "N"})
				}
				rs = append(rs, r)
			}
		}
	}
	for d := airquality.DayFromDate(2025, 11, 1); d <= airquality.DayFromDate(2025, 11, 21); d++ {
		add(d, 24, map[string]string{"pm2_5": "40", "pm10": "60", "so2": "10", "no2": "30", "co": "0.8", "o3": "100"})
	}
	for d := airquality.DayFromDate(2026, 1, 1); d <= airquality.DayFromDate(2026, 11, 28); d++ {
		v := map[string]string{"pm2_5": "30", "pm10": "50", "so2": "8", "no2": "25", "co": "0.6", "o3": "90"}
		if _, _, day := d.Date(); day <= 10 {
			v["pm2_5"] = "120"
		}
		hours := 24
		if d == airquality.DayFromDate(2026, 7, 15) {
			hours = 10
		}
		add(d, hours, v)
	}
	// One file per month, as a drop folder might hold them.
	byMonth := map[string][]reading.Reading{}
	for _, r := range rs {
		k := r.End.In(airquality.Shanghai).Add(-time.Hour).Format("2006-01")
		byMonth[k] = append(byMonth[k], r)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for k, month := range byMonth {
		f, err := os.Create(filepath.Join(dir, k+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		if err := cnemc.Write(f, month); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	return dir
}

// honestConfig writes a configuration without InfluxDB (compute only) with a good-days
// target, and backfills the data set into its state.
func honestConfig(t *testing.T, data string, goodDays int) string {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "c.yaml")
	os.WriteFile(p, []byte(fmt.Sprintf(`state_dir: %s
areas:
  - {id: city, name: 测试市, name_en: "Test City", kind: city}
air_stations:
  - {code: S1, name: 一号站, area: city, latitude: 34.6, longitude: 112.4}
  - {code: S2, name: 二号站, area: city, latitude: 34.7, longitude: 112.5}
sources:
  - name: files
    kind: cnemc_csv
    cnemc_csv: {dir: %s}
targets:
  - {area: city, year: 2026, good_days_target: %d, pm25_target: 62}
`, filepath.Join(dir, "state"), data, goodDays)), 0o600)
	if code, _, errs := runCLI("backfill", "--config", p, "--source", "files", "--from", "2025-01-01", "--to", "2026-11-30"); code != 0 {
		t.Fatalf("backfill: exit %d: %s", code, errs)
	}
	return p
}

type reportJSON struct {
	AsOf        string   `json:"as_of"`
	DataEnd     string   `json:"data_end"`
	Explicit    bool     `json:"as_of_explicit"`
	NotReported int      `json:"not_reported_days"`
	NADays      []string `json:"na_days"`
	Indicators  []struct {
		Indicator string          `json:"indicator"`
		Value     json.RawMessage `json:"value"`
		Valid     bool            `json:"valid"`
		YoY       json.RawMessage `json:"yoy_change"`
		YoYReason string          `json:"yoy_reason"`
		Status    string          `json:"status"`
		Coverage  struct {
			ValidDays    int `json:"valid_days"`
			CalendarDays int `json:"calendar_days"`
		} `json:"coverage"`
	} `json:"indicators"`
	Monthly struct {
		ThisYear []struct {
			ValidDays int `json:"valid_days"`
			GoodDays  int `json:"good_days"`
			Over100   int `json:"exceedance_days"`
		} `json:"this_year"`
	} `json:"monthly"`
}

func reportOf(t *testing.T, args ...string) reportJSON {
	t.Helper()
	code, out, errs := runCLI(append([]string{"report", "--format", "json"}, args...)...)
	if code != 0 {
		t.Fatalf("report %v: exit %d: %s", args, code, errs)
	}
	var r reportJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	return r
}

func TestHonestIndicators(t *testing.T) {
	if testing.Short() {
		t.Skip("integration: backfills a two-year data set through the CLI")
	}
	data := honestData(t)
	short := honestConfig(t, data, 230)

	// (d) Without --as-of the report runs through the data end, 28 November.
	r := reportOf(t, "--config", short, "--area", "city", "--year", "2026")
	if r.AsOf != "2026-11-28" || r.DataEnd != "2026-11-28" || r.Explicit || r.NotReported != 0 {
		t.Errorf("default as-of %s, data end %s, explicit %v, not reported %d; want both 2026-11-28", r.AsOf, r.DataEnd, r.Explicit, r.NotReported)
	}
	if strings.Join(r.NADays, ",") != "2026-07-15" {
		t.Errorf("NA days %v, want [2026-07-15]", r.NADays)
	}
	// (a) Last year's same period holds 21 of 332 days: no change is published, in any form.
	for _, ind := range r.Indicators {
		if string(ind.YoY) != "null" && ind.YoY != nil {
			t.Errorf("%s: yoy_change %s published against a last year of 21 valid days", ind.Indicator, ind.YoY)
		}
	}
	find := func(r reportJSON, name string) int {
		for i, ind := range r.Indicators {
			if ind.Indicator == name {
				return i
			}
		}
		t.Fatalf("no %s in the report", name)
		return -1
	}
	pm := r.Indicators[find(r, "pm2_5_mean")]
	if string(pm.Value) != "60" || pm.Coverage.ValidDays != 331 || pm.Coverage.CalendarDays != 332 || pm.YoYReason == "" {
		t.Errorf("PM2.5 %s (%d/%d), yoy reason %q; want 60 (331/332) and a reason", pm.Value, pm.Coverage.ValidDays, pm.Coverage.CalendarDays, pm.YoYReason)
	}
	good := r.Indicators[find(r, "good_days")]
	if string(good.Value) != "221" || good.Status != "on_track" {
		t.Errorf("good days %s %s, want 221 on_track", good.Value, good.Status)
	}
	for _, lang := range []string{"zh", "en"} {
		for _, format := range []string{"text", "markdown", "csv"} {
			code, out, errs := runCLI("report", "--config", short, "--area", "测试市", "--year", "2026", "--format", format, "--lang", lang)
			want := map[string]string{"zh": "不可比：去年同期有效天数 21/332", "en": "not comparable: same period last year 21 of 332 days valid"}[lang]
			if code != 0 || !strings.Contains(out, want) {
				t.Errorf("%s %s: exit %d, missing %q:\n%s%s", lang, format, code, want, out, errs)
			}
		}
	}
	// … and no YoY series in /metrics.
	s := fixtureStackFrom(t, short)
	body := exposition(t, s, time.Date(2026, 12, 1, 10, 0, 0, 0, airquality.Shanghai))
	s.Close()
	if strings.Contains(body, "envwatch_yoy_change") {
		t.Errorf("/metrics holds a YoY series:\n%s", grepLines(body, "envwatch_yoy_change"))
	}
	for _, want := range []string{
		`envwatch_indicator_valid{area="city",indicator="pm2_5_mean",period="same_period_last_year",year="2026"} 0`,
		`envwatch_indicator_valid_day{area="city",indicator="pm2_5_mean",period="same_period_last_year",year="2026"} 21`,
		`envwatch_indicator_valid_day{area="city",indicator="good_days",period="year_to_date",year="2026"} 331`,
		`envwatch_period_calendar_day{area="city",period="year_to_date",year="2026"} 332`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	// (c) Shortfall and margin, in both languages (golden files, figures above).
	margin := honestConfig(t, data, 200)
	for row, c := range []struct{ config, lang, golden string }{
		{short, "zh", "honest_short_zh.txt"}, {short, "en", "honest_short_en.txt"},
		{margin, "zh", "honest_margin_zh.txt"}, {margin, "en", "honest_margin_en.txt"},
	} {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			_, out, _ := runCLI("report", "--config", c.config, "--area", "city", "--year", "2026", "--lang", c.lang)
			golden.Assert(t, c.golden, []byte(out))
		})
	}

	// (b) An as-of past the data end: the 33 days after it are missing, nothing is "met".
	for _, cfg := range []string{short, margin} {
		r := reportOf(t, "--config", cfg, "--area", "city", "--year", "2026", "--as-of", "2026-12-31")
		if r.NotReported != 33 || !r.Explicit {
			t.Errorf("not reported %d, explicit %v; want 33 days", r.NotReported, r.Explicit)
		}
		for _, ind := range r.Indicators {
			if ind.Status == "met" || ind.Status == "on_track" {
				t.Errorf("as-of past the data end: %s is %s", ind.Indicator, ind.Status)
			}
		}
		if st := r.Indicators[find(r, "good_days")].Status; st != "insufficient_data" {
			t.Errorf("good days past the data end: %s, want insufficient_data", st)
		}
	}

	// (e) The monthly table adds up to the period; the daily table too.
	var sumValid, sumGood, sumOver int
	r = reportOf(t, "--config", short, "--area", "city", "--year", "2026")
	sumValid, sumGood, sumOver = 0, 0, 0
	for _, m := range r.Monthly.ThisYear {
		sumValid, sumGood, sumOver = sumValid+m.ValidDays, sumGood+m.GoodDays, sumOver+m.Over100
	}
	if sumValid != 331 || sumGood != 221 || sumOver != 110 || len(r.Monthly.ThisYear) != 11 {
		t.Errorf("months add up to %d valid, %d good, %d over 100 in %d months; want 331, 221, 110 in 11", sumValid, sumGood, sumOver, len(r.Monthly.ThisYear))
	}
	code, out, errs := runCLI("report", "--config", short, "--area", "city", "--year", "2026", "--daily", "--stations")
	if code != 0 {
		t.Fatalf("--daily: exit %d: %s", code, errs)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	count := map[string][3]int{} // site → rows, valid, good
	var na []string
	for _, row := range rows[1:] {
		c := count[row[0]]
		c[0]++
		if row[15] == "true" {
			c[1]++
			if n := atoiOr(row[9]); n <= 100 {
				c[2]++
			}
		} else if row[0] == "city" {
			na = append(na, row[1]+" "+row[16])
		}
		count[row[0]] = c
	}
	for _, site := range []string{"city", "S1", "S2"} {
		if c := count[site]; c != [3]int{332, 331, 221} {
			t.Errorf("%s daily rows/valid/good %v, want [332 331 221]", site, c)
		}
	}
	if len(na) != 1 || !strings.HasPrefix(na[0], "2026-07-15 missing") {
		t.Errorf("NA days in the daily table %q, want 2026-07-15 with its reason", na)
	}

	// CLI manners: an unknown area lists the configured ones; a year without data exits 1.
	if code, _, errs := runCLI("report", "--config", short, "--area", "nowhere", "--year", "2026"); code != 1 || !strings.Contains(errs, "configured: city (测试市)") {
		t.Errorf("unknown area: exit %d: %s", code, errs)
	}
	if code, _, errs := runCLI("report", "--config", short, "--area", "city", "--year", "2024"); code != 1 || !strings.Contains(errs, "no data for 测试市 (city) in 2024") {
		t.Errorf("a year without data: exit %d: %s", code, errs)
	}
}

func atoiOr(s string) int {
	n := 1 << 30
	fmt.Sscan(s, &n)
	return n
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// fixtureStackFrom opens a generation over a configuration file (compute only).
func fixtureStackFrom(t *testing.T, cfg string) *service.Generation {
	t.Helper()
	s, err := service.Open(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), service.Mode{Sink: service.Discard})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// exposition is the domain exposition of s at now, in the text format.
func exposition(t *testing.T, s *service.Generation, now time.Time) string {
	t.Helper()
	cs, err := s.Collectors(func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(cs...)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(&b, mf); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}
