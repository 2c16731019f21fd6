package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/indicator"
	"github.com/envwatch/envwatch/internal/golden"
	"github.com/envwatch/envwatch/waterquality"
)

type fakeAir func(d airquality.Day) (airquality.DayValues, bool)

func (f fakeAir) AreaDays(_ string, r airquality.Range) []airquality.DayValues {
	var out []airquality.DayValues
	for d := r.From; d <= r.To; d++ {
		if v, ok := f(d); ok {
			out = append(out, v)
		}
	}
	return out
}

func dayOf(d airquality.Day, pm25, pm10, o3 string) airquality.DayValues {
	v := airquality.DayValues{Day: d, O3Max1h: airquality.Stat{Reason: airquality.TooFewHours}}
	for p, s := range map[airquality.Pollutant]string{airquality.PM25: pm25, airquality.PM10: pm10, airquality.SO2: "10",
		airquality.NO2: "30", airquality.CO: "1.0", airquality.O3: o3} {
		x, _ := fixed.Parse(s)
		v.Conc[p] = airquality.Stat{Value: x.Rat(), N: 24}
	}
	return v
}

func in(d airquality.Day, y int, m1 time.Month, d1 int, m2 time.Month, d2 int) bool {
	return d >= airquality.DayFromDate(y, m1, d1) && d <= airquality.DayFromDate(y, m2, d2)
}

// The fixture of target's two-year test: 2024 PM2.5 40 / PM10 70 with 10 PM days in
// January and 5 O3 days in June; 2025 PM2.5 35 / PM10 60 with 5 PM days, 3 O3 days in June
// and 2 in July.
func air(d airquality.Day) (airquality.DayValues, bool) {
	y := d.Year()
	if y != 2024 && y != 2025 {
		return airquality.DayValues{}, false
	}
	pm25, pm10, o3 := "40", "70", "100"
	if y == 2025 {
		pm25, pm10 = "35", "60"
	}
	switch {
	case y == 2024 && in(d, 2024, 1, 1, 1, 10), y == 2025 && in(d, 2025, 1, 1, 1, 5):
		pm25 = "120"
	case y == 2024 && in(d, 2024, 6, 1, 6, 5), y == 2025 && (in(d, 2025, 6, 1, 6, 3) || in(d, 2025, 7, 1, 7, 2)):
		o3 = "180"
	}
	return dayOf(d, pm25, pm10, o3), true
}

type water map[string]map[int]string // site → year → "item=value …"

func (w water) WaterSamples(site string, from, to time.Time) []waterquality.Sample {
	spec, ok := w[site][from.In(airquality.Shanghai).Year()]
	if !ok {
		return nil
	}
	// Monthly samples (the 10th, 10:00) in [from, to), all alike.
	var out []waterquality.Sample
	l := from.In(airquality.Shanghai)
	for t := time.Date(l.Year(), l.Month(), 10, 10, 0, 0, 0, airquality.Shanghai); t.Before(to); t = t.AddDate(0, 1, 0) {
		if t.Before(from) {
			continue
		}
		s := waterquality.Sample{Taken: t.UTC()}
		for _, kv := range bytes.Fields([]byte(spec)) {
			k, v, _ := bytes.Cut(kv, []byte("="))
			it, _ := waterquality.ParseItem(string(k))
			d, _ := fixed.Parse(string(v))
			s.Set(it, d)
		}
		out = append(out, s)
	}
	return out
}

func decp(s string) *fixed.Dec { d, _ := fixed.Parse(s); return &d }
func intp(n int) *int          { return &n }

func snapshot(t *testing.T) indicator.Snapshot {
	// Section A (river, target III): NH3-N 0.3 → II, compliant both years. Section B (lake,
	// target II): TP 0.08 → IV in 2025 (not compliant), TP 0.02 → II in 2024. Source S
	// (lake): TP 0.03 → III, compliant.
	w := water{
		"A": {2024: "ph=7.5 do=7.0 nh3n=0.3", 2025: "ph=7.5 do=7.0 nh3n=0.3"},
		"B": {2024: "ph=7.5 do=7.0 nh3n=0.3 tp=0.02", 2025: "ph=7.5 do=7.0 nh3n=0.3 tp=0.08"},
		"S": {2024: "ph=7.5 do=7.0 nh3n=0.3 tp=0.03", 2025: "ph=7.5 do=7.0 nh3n=0.3 tp=0.03"},
	}
	c := &indicator.Calculator{Air: fakeAir(air), Water: w, Areas: []indicator.Area{{ID: "ly", Name: "洛阳市"}},
		Sites: []indicator.WaterSite{
			{Code: "A", Area: "ly", Body: waterquality.River, Target: waterquality.ClassIII},
			{Code: "B", Area: "ly", Body: waterquality.Lake, Target: waterquality.ClassII},
			{Code: "S", Area: "ly", Body: waterquality.Lake, Target: waterquality.ClassIII, Source: true},
		},
		Specs: []indicator.Spec{{Area: "ly", Year: 2025, PM25: decp("36"), PM10: decp("65"), GoodDays: intp(300), O3ExceedanceDays: intp(4),
			PM25YoY: decp("-5"), SectionsCompliance: decp("100"), DrinkingWater: decp("100"),
			Reported: []indicator.Reported{{Name: "土壤安全利用率", Unit: "%", Target: decp("90"), Direction: indicator.AtLeast, Value: decp("93")}}}},
	}
	return c.Compute(airquality.DayFromDate(2025, 6, 30), time.Time{})
}

// Golden reports in Chinese and English. Every figure was worked by hand (see
// indicator/indicator_test.go): PM2.5 37 vs 44 → −15.9 %, required 34.7; PM10 (5·60+176·60)/181 = 60
// vs (10·70+172·70)/182 = 70 → −14.3 %, required (65·365 − 60·181)/184 = 69.9; good days
// 173 vs 167, 57 left; O3 days 3 vs 5, 1 left; sections 1/2 = 50.0 % vs 100.0 %.
func TestGoldenReports(t *testing.T) {
	snap := snapshot(t)
	for row, c := range []struct {
		file string
		opt  Options
	}{
		{"report_zh.txt", Options{Area: "ly", AreaName: "洛阳市", Format: "text", Lang: "zh"}},
		{"report_en.txt", Options{Area: "ly", AreaName: "Luoyang", Format: "text", Lang: "en"}},
		{"report_zh.md", Options{Area: "ly", AreaName: "洛阳市", Format: "markdown", Lang: "zh"}},
		{"report.json", Options{Area: "ly", Format: "json"}},
	} {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			var b bytes.Buffer
			if err := Render(&b, &snap, c.opt); err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, c.file, b.Bytes())
		})
	}
}

// A month without a valid day has no day counts: null in JSON, empty in CSV, "—" in the
// text table — never 0 good days, which would read as a month of bad air.
func TestMonthWithoutDataHasNoCounts(t *testing.T) {
	rows := []indicator.MonthRow{
		{Year: 2022, Month: 5, CalendarDays: 31},
		{Year: 2022, Month: 6, CalendarDays: 30, ValidDays: 1, GoodDays: 1},
	}
	js := monthsJSON(rows)
	if js[0].GoodDays != nil || js[0].Over100Days != nil || js[0].O3ExceedanceDays != nil {
		t.Errorf("May without data: counts %v %v %v, want null", js[0].GoodDays, js[0].Over100Days, js[0].O3ExceedanceDays)
	}
	if js[1].GoodDays == nil || *js[1].GoodDays != 1 || js[1].Over100Days == nil || *js[1].Over100Days != 0 {
		t.Errorf("June with a valid day: counts %v %v, want 1 and 0", js[1].GoodDays, js[1].Over100Days)
	}
	var b strings.Builder
	monthTable(&b, rows, &zh, false)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	may, june := lines[len(lines)-2], lines[len(lines)-1]
	if strings.Count(may, "—") < 3+3 || strings.Contains(strings.Fields(may)[4], "0") {
		t.Errorf("May's row %q: want — for the three means and the three counts", may)
	}
	if !strings.Contains(june, "1/30") {
		t.Errorf("June's row %q", june)
	}
	var csvOut strings.Builder
	if err := monthlyCSV(&csvOut, Options{Area: "a", ThisYear: rows}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(csvOut.String(), "a,2022-05,31,0,false,,false,,false,,false,,,\n") {
		t.Errorf("CSV:\n%s", csvOut.String())
	}
}
