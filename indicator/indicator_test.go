package indicator

import (
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/waterquality"
)

// fakeAir serves area days from a function of the day (unit tests may use small interfaces).
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

func dayOf(d airquality.Day, pm25, pm10, so2, no2, co, o3 string) airquality.DayValues {
	v := airquality.DayValues{Day: d}
	set := func(p airquality.Pollutant, s string) {
		x, _ := fixed.Parse(s)
		v.Conc[p] = airquality.Stat{Value: x.Rat(), N: 24}
	}
	set(airquality.PM25, pm25)
	set(airquality.PM10, pm10)
	set(airquality.SO2, so2)
	set(airquality.NO2, no2)
	set(airquality.CO, co)
	set(airquality.O3, o3)
	v.O3Max1h = airquality.Stat{Reason: airquality.TooFewHours}
	return v
}

func between(d airquality.Day, y int, m1 time.Month, d1 int, m2 time.Month, d2 int) bool {
	return d >= airquality.DayFromDate(y, m1, d1) && d <= airquality.DayFromDate(y, m2, d2)
}

// The two-year fixture (answers worked by hand in the comments).
//
// 2024: PM2.5 40, PM10 70 (AQI 60, good) every day, except 1–10 January PM2.5 120 (AQI 158)
// and 1–5 June MDA8 180 (O3 IAQI 119, exceedance).
// 2025: PM2.5 35, PM10 60 (AQI 55) every day, except 1–5 January PM2.5 120, 1–3 June and
// 1–2 July MDA8 180.
func twoYears(d airquality.Day) (airquality.DayValues, bool) {
	y := d.Year()
	pm25, pm10, o3 := "40", "70", "100"
	if y == 2025 {
		pm25, pm10 = "35", "60"
	}
	switch {
	case y == 2024 && between(d, 2024, 1, 1, 1, 10), y == 2025 && between(d, 2025, 1, 1, 1, 5):
		pm25 = "120"
	case y == 2024 && between(d, 2024, 6, 1, 6, 5), y == 2025 && (between(d, 2025, 6, 1, 6, 3) || between(d, 2025, 7, 1, 7, 2)):
		o3 = "180"
	}
	if y != 2024 && y != 2025 {
		return airquality.DayValues{}, false
	}
	return dayOf(d, pm25, pm10, "10", "30", "1.0", o3), true
}

func intp(n int) *int { return &n }
func decp(s string) *fixed.Dec {
	d, _ := fixed.Parse(s)
	return &d
}

func calc(air AirData, specs ...Spec) *Calculator {
	return &Calculator{Air: air, Water: noWater{}, Areas: []Area{{ID: "city", Name: "City"}}, Specs: specs}
}

type noWater struct{}

func (noWater) WaterSamples(string, time.Time, time.Time) []waterquality.Sample { return nil }

func TestTwoYearFixture(t *testing.T) {
	c := calc(fakeAir(twoYears), Spec{Area: "city", Year: 2025, PM25: decp("36"), GoodDays: intp(300), O3ExceedanceDays: intp(4)})
	snap := c.Compute(airquality.DayFromDate(2025, 6, 30), time.Time{})

	pm := snap.Find("city", PM25Mean)
	// YTD 2025: (5·120 + 176·35)/181 = 6760/181 = 37.35 → 37. Same period 2024 (182 days):
	// (10·120 + 172·40)/182 = 8080/182 = 44.40 → 44. YoY (37 − 44)/44 = −15.9 %.
	// Required remaining mean: (36·365 − 6760)/184 = 34.67 → 34.7. 37 > 36 → at risk.
	if pm.Current.Text != "37" || pm.LastYear.Text != "44" || pm.Change.Text != "-15.9" ||
		pm.RequiredRemaining.Text != "34.7" || pm.Status != AtRisk {
		t.Errorf("PM2.5: cur %s last %s yoy %s required %s status %s", pm.Current.Text, pm.LastYear.Text, pm.Change.Text, pm.RequiredRemaining.Text, pm.Status)
	}
	gd := snap.Find("city", GoodDays)
	// 2025: 181 − 5 − 3 = 173; 2024: 182 − 10 − 5 = 167; +6. Target 300: 173 + 184 left
	// = 357 possible → 57 days of budget; at this rate 173 + 184·173/181 = 348.9 → on track.
	if gd.Current.Text != "173" || gd.LastYear.Text != "167" || gd.Change.Text != "6" || *gd.BudgetLeft != 57 || gd.Status != OnTrack {
		t.Errorf("good days: %s %s %s left %d %s", gd.Current.Text, gd.LastYear.Text, gd.Change.Text, *gd.BudgetLeft, gd.Status)
	}
	o3 := snap.Find("city", O3ExceedanceDays)
	// Summer (May–September) to 30 June: 3 days (2024: 5); 1 left of 4; 3·153/61 = 7.5 > 4 → at risk.
	if o3.Current.Text != "3" || o3.LastYear.Text != "5" || *o3.BudgetLeft != 1 || o3.Status != AtRisk {
		t.Errorf("O3 days: %s %s left %d %s", o3.Current.Text, o3.LastYear.Text, *o3.BudgetLeft, o3.Status)
	}
	// Three dates: 31 May on track (no exceedance yet), 30 June at risk, 31 July missed
	// (5 days > 4).
	for row, c2 := range []struct {
		day  airquality.Day
		want Status
	}{{airquality.DayFromDate(2025, 5, 31), OnTrack}, {airquality.DayFromDate(2025, 6, 30), AtRisk}, {airquality.DayFromDate(2025, 7, 31), Missed}} {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			s := c.Compute(c2.day, time.Time{})
			if got := s.Find("city", O3ExceedanceDays).Status; got != c2.want {
				t.Errorf("O3 status on %s = %s, want %s", c2.day, got, c2.want)
			}
		})
	}
	// Year end: PM2.5 (5·120 + 360·35)/365 = 13200/365 = 36.16 → 36 ≤ 36 → met.
	end := c.Compute(airquality.DayFromDate(2025, 12, 31), time.Time{})
	if r := end.Find("city", PM25Mean); r.Current.Text != "36" || r.Status != Met {
		t.Errorf("year-end PM2.5 %s %s, want 36 met", r.Current.Text, r.Status)
	}
	// Good days at year end: 365 − 5 − 5 = 355 ≥ 300 → met.
	if r := end.Find("city", GoodDays); r.Current.Text != "355" || r.Status != Met {
		t.Errorf("year-end good days %s %s", r.Current.Text, r.Status)
	}
}

// Across 2026-03-01: PM2.5 70 every day is good under HJ 633-2012 (IAQI 94) and not under
// 2026 (100 + 50·10/55 = 109.1 → 110). To 30 June 2026: 59 good days (January–February);
// 2025 official 181 (all under 2012), comparable 59 (March–June judged under 2026).
func TestOfficialAndComparableAcross2026(t *testing.T) {
	air := fakeAir(func(d airquality.Day) (airquality.DayValues, bool) {
		if y := d.Year(); y != 2025 && y != 2026 {
			return airquality.DayValues{}, false
		}
		return dayOf(d, "70", "60", "10", "30", "1.0", "100"), true
	})
	snap := calc(air).Compute(airquality.DayFromDate(2026, 6, 30), time.Time{})
	gd := snap.Find("city", GoodDays)
	if gd.Current.Text != "59" || gd.LastYear.Text != "181" || gd.Comparable == nil || gd.Comparable.Text != "59" ||
		gd.Change.Text != "-122" || gd.ComparableChange.Text != "0" {
		t.Errorf("good days cur %s official %s comparable %v change %s", gd.Current.Text, gd.LastYear.Text, gd.Comparable, gd.Change.Text)
	}
	// 2024 vs 2025: no edition change, no comparable value.
	snap = calc(fakeAir(twoYears)).Compute(airquality.DayFromDate(2025, 6, 30), time.Time{})
	if snap.Find("city", GoodDays).Comparable != nil {
		t.Error("comparable value where the standards do not differ")
	}
}

// R13 vectors: 16 vs 19 → −15.8; 139 vs 137 → +1.5; 0.7 vs 0.8 → −12.5; 58 vs 71 → −18.3.
func TestYoYArithmetic(t *testing.T) {
	for row, c := range []struct{ cur, prev, want string }{{"16", "19", "-15.8"}, {"139", "137", "1.5"}, {"0.7", "0.8", "-12.5"}, {"58", "71", "-18.3"}} {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			cur, prev := &Num{Text: c.cur}, &Num{Text: c.prev}
			cur.Exact, _ = new(big.Rat).SetString(c.cur)
			prev.Exact, _ = new(big.Rat).SetString(c.prev)
			if got := yoyPercent(cur, prev, 1); got.Text != c.want {
				t.Errorf("%s vs %s = %s, want %s", c.cur, c.prev, got.Text, c.want)
			}
		})
	}
	cur, prev := &Num{Text: "58"}, &Num{Text: "69"}
	cur.Exact, _ = new(big.Rat).SetString("58")
	prev.Exact, _ = new(big.Rat).SetString("69")
	if got := yoyPercent(cur, prev, 2); got.Text != "-15.94" {
		t.Errorf("two decimals: %s, want -15.94", got.Text)
	}
}

// With a sand-dust deduction configured, PM means leave out the deducted days and the value
// without deduction is reported beside them. 2025 fixture: 5 January days at PM2.5 120 are
// declared sand-dust days → YTD to 30 June (176 days at 35) = 35; without deduction 37.
// Still at risk: the rest of the year must average (36·360 − 176·35)/184 = 36.96, and the
// same months of 2024 averaged 40.
func TestSandDustDeductionBothValues(t *testing.T) {
	sand := map[airquality.Day]airquality.SandMask{}
	for d := airquality.DayFromDate(2025, 1, 1); d <= airquality.DayFromDate(2025, 1, 5); d++ {
		sand[d] = airquality.SandBoth
	}
	c := calc(fakeAir(twoYears), Spec{Area: "city", Year: 2025, PM25: decp("36")})
	c.Opt.SandDust = map[string]map[airquality.Day]airquality.SandMask{"city": sand}
	snap := c.Compute(airquality.DayFromDate(2025, 6, 30), time.Time{})
	pm := snap.Find("city", PM25Mean)
	if pm.Current.Text != "35" || pm.WithoutSandDeduction == nil || pm.WithoutSandDeduction.Text != "37" ||
		pm.RequiredRemaining.Text != "37.0" || pm.Status != AtRisk {
		t.Errorf("PM2.5 with deduction %s, without %v, required %v, status %s; want 35, 37, 37.0, at risk", pm.Current.Text, pm.WithoutSandDeduction, pm.RequiredRemaining, pm.Status)
	}
	// The days stay in the good-day count with their original AQI (sand_dust_day: keep).
	if gd := snap.Find("city", GoodDays); gd.Current.Text != "173" {
		t.Errorf("good days %s, want 173 (kept)", gd.Current.Text)
	}
}
