package airquality

import (
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/envwatch/envwatch/fixed"
)

func rats(xs ...int64) []*big.Rat {
	out := make([]*big.Rat, len(xs))
	for i, x := range xs {
		out[i] = big.NewRat(x, 1)
	}
	return out
}

// docs/standards.md §6.4 percentile examples (HJ 663 formula).
func TestPercentileVectors(t *testing.T) {
	cases := []struct {
		vals []int64
		p    int
		want string
	}{
		{[]int64{3, 4, 8, 2, 5, 4}, 90, "6.50"},
		{[]int64{12, 15, 9, 30, 22, 18, 40, 35, 27, 19}, 90, "35.50"},
		{[]int64{12, 15, 9, 30, 22, 18, 40, 35, 27, 19}, 95, "37.75"},
		{[]int64{7}, 95, "7.00"},
	}
	for row, c := range cases {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			if got := Percentile(rats(c.vals...), c.p, PercentileInterpolate).FloatString(2); got != c.want {
				t.Errorf("P%d(%v) = %s, want %s", c.p, c.vals, got, c.want)
			}
		})
	}
	// nearest rank: ⌈0.9·10⌉ = 9th smallest of the second set = 35
	if got := Percentile(rats(12, 15, 9, 30, 22, 18, 40, 35, 27, 19), 90, PercentileNearestRank).FloatString(0); got != "35" {
		t.Errorf("nearest-rank P90 = %s, want 35", got)
	}
}

// §2.6: Heyuan 2022-02 → 1.73, Naiman → 3.14.
func TestCompositeIndexVectors(t *testing.T) {
	d := func(s ...string) []fixed.Dec {
		out := make([]fixed.Dec, len(s))
		for i, x := range s {
			out[i] = dec(t, x)
		}
		return out
	}
	if got := CompositeIndex(d("3", "13", "16", "13", "0.9", "87"), Composite2013).FloatString(2); got != "1.73" {
		t.Errorf("Heyuan composite = %s, want 1.73", got)
	}
	if got := CompositeIndex(d("9", "14", "77", "23", "1.1", "96"), Composite2013).FloatString(2); got != "3.14" {
		t.Errorf("Naiman composite = %s, want 3.14", got)
	}
}

// R11: 26 of 28 → 92.9, 86 of 91 → 94.5.
func TestGoodDayRatio(t *testing.T) {
	for row, c := range []struct {
		good, valid int64
		want        string
	}{{26, 28, "92.9"}, {86, 91, "94.5"}} {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			if got := RoundedRatio(big.NewRat(c.good*100, c.valid)); got != c.want {
				t.Errorf("%d/%d = %s, want %s", c.good, c.valid, got, c.want)
			}
		})
	}
}

// dayVals builds a day with all six pollutants valid.
func dayVals(t *testing.T, d Day, pm25, pm10, so2, no2, co, o3 string) DayValues {
	v := DayValues{Day: d}
	set := func(p Pollutant, s string) {
		if s != "" {
			v.Conc[p] = Stat{Value: dec(t, s).Rat(), N: 24}
		} else {
			v.Conc[p] = Stat{Reason: TooFewHours}
		}
	}
	set(PM25, pm25)
	set(PM10, pm10)
	set(SO2, so2)
	set(NO2, no2)
	set(CO, co)
	set(O3, o3)
	v.O3Max1h = Stat{Reason: TooFewHours}
	return v
}

// A synthetic year with known gaps: every month complete except February with 24 valid
// PM2.5 days → the annual PM2.5 mean is invalid though 359 days ≥ 324; PM10 complete is valid.
func TestAnnualValidity(t *testing.T) {
	var days []DayValues
	yr := Year(2023)
	for d := yr.From; d <= yr.To; d++ {
		_, m, dd := d.Date()
		pm25 := "40"
		if m == time.February && dd > 24 {
			pm25 = ""
		}
		days = append(days, dayVals(t, d, pm25, "70", "8", "30", "0.8", "100"))
	}
	ps := Assess(days, yr, PeriodOptions{})
	if ps.Mean[PM25].OK() || ps.Mean[PM25].Reason != TooFewMonthDays || ps.Mean[PM25].N != 361 {
		t.Errorf("PM2.5 annual: %+v, want invalid (February 24 days), N 361", ps.Mean[PM25])
	}
	if !ps.Mean[PM10].OK() || ps.Mean[PM10].N != 365 || ps.Mean[PM10].Value.FloatString(0) != "70" {
		t.Errorf("PM10 annual: %+v, want valid 70 from 365 days", ps.Mean[PM10])
	}
	// February alone is invalid; March alone is valid.
	if feb := Assess(days, Month(2023, time.February), PeriodOptions{}); feb.Mean[PM25].OK() {
		t.Errorf("February PM2.5 with 24 days should be invalid")
	}
	if mar := Assess(days, Month(2023, time.March), PeriodOptions{}); !mar.Mean[PM25].OK() {
		t.Errorf("March PM2.5 should be valid: %+v", mar.Mean[PM25])
	}
	// February has NA days (PM2.5 missing, AQI ≤ 100): they leave the ratio.
	if ps.ValidDays != 361 || ps.GoodDays != 361 {
		t.Errorf("valid/good days = %d/%d, want 361/361", ps.ValidDays, ps.GoodDays)
	}
	// 324-day rule: 28 days a month → 336 valid; 27 a month → exactly 324 valid; one less
	// → invalid.
	var sparse []DayValues
	for d := yr.From; d <= yr.To; d++ {
		_, _, dd := d.Date()
		if dd <= 27 || (dd == 28 && d.Year() == 2023) {
			sparse = append(sparse, dayVals(t, d, "40", "70", "8", "30", "0.8", "100"))
		}
	}
	ps = Assess(sparse, yr, PeriodOptions{})
	if ps.Mean[PM25].N != 12*28 || !ps.Mean[PM25].OK() {
		t.Errorf("sparse year: N %d valid %q, want 336 valid", ps.Mean[PM25].N, ps.Mean[PM25].Reason)
	}
	sparse = sparse[:0]
	for d := yr.From; d <= yr.To; d++ {
		if _, _, dd := d.Date(); dd <= 27 {
			sparse = append(sparse, dayVals(t, d, "40", "70", "8", "30", "0.8", "100"))
		}
	}
	if ps = Assess(sparse, yr, PeriodOptions{}); ps.Mean[PM25].N != 324 || !ps.Mean[PM25].OK() {
		t.Errorf("324 days, 27 a month: N %d reason %q, want valid", ps.Mean[PM25].N, ps.Mean[PM25].Reason)
	}
	sparse = sparse[1:]
	if ps = Assess(sparse, yr, PeriodOptions{}); ps.Mean[PM25].OK() {
		t.Errorf("323 days should be invalid")
	}
}

func TestPeriodCounts(t *testing.T) {
	r := Range{DayFromDate(2022, 4, 29), DayFromDate(2022, 5, 4)}
	days := []DayValues{
		dayVals(t, r.From, "30", "50", "8", "30", "0.8", "180"),    // Apr 29: O3 119 (out of season)
		dayVals(t, r.From+1, "30", "50", "8", "30", "0.8", "100"),  // Apr 30: 50 good
		dayVals(t, r.From+2, "160", "50", "8", "30", "0.8", "100"), // May 1: PM2.5 210 heavy
		dayVals(t, r.From+3, "30", "50", "8", "30", "0.8", "161"),  // May 2: O3 101 exceed
		dayVals(t, r.From+4, "30", "50", "8", "30", "0.8", "160"),  // May 3: O3 100 good
		dayVals(t, r.From+5, "30", "50", "8", "30", "", "90"),      // May 4: NA
	}
	ps := Assess(days, r, PeriodOptions{O3Season: &HenanSummer})
	if ps.ValidDays != 5 || ps.GoodDays != 2 || ps.ExceedanceDays != 3 || ps.HeavyDays != 1 {
		t.Errorf("valid %d good %d exceed %d heavy %d, want 5 2 3 1", ps.ValidDays, ps.GoodDays, ps.ExceedanceDays, ps.HeavyDays)
	}
	if ps.O3ExceedanceDays != 1 || ps.O3SeasonDays != 3 {
		t.Errorf("summer O3 exceedance %d of %d, want 1 of 3", ps.O3ExceedanceDays, ps.O3SeasonDays)
	}
	if ps.PrimaryDays[O3] != 3 || ps.PrimaryDays[PM25] != 1 {
		t.Errorf("primary days O3 %d PM2.5 %d, want 3 1", ps.PrimaryDays[O3], ps.PrimaryDays[PM25])
	}
	if got := RoundedRatio(ps.GoodRatio); got != "40.0" {
		t.Errorf("good ratio %s, want 40.0", got)
	}
}

// R19/R20: sand-dust deduction removes PM from concentration statistics; the day keeps its
// AQI (keep) or is recomputed from the gases (recompute): SO2 8, NO2 51, CO 0.6, O3 158 →
// 99 (良); NO2 40, O3 185 → 123.
func TestSandDust(t *testing.T) {
	d1, d2 := DayFromDate(2025, 4, 14), DayFromDate(2025, 4, 16)
	days := []DayValues{
		dayVals(t, d1, "90", "400", "8", "51", "0.6", "158"),
		dayVals(t, d2, "80", "380", "8", "40", "0.6", "185"),
		dayVals(t, d2+1, "30", "60", "8", "40", "0.6", "100"),
	}
	r := Range{d1, d2 + 1}
	sand := map[Day]SandMask{d1: SandBoth, d2: SandBoth}
	keep := Assess(days, r, PeriodOptions{SandDust: sand})
	if keep.Mean[PM10].Value.FloatString(0) != "60" || keep.Mean[PM10].N != 1 || keep.SandDays != 2 {
		t.Errorf("deducted PM10 mean = %s from %d days, want 60 from 1", keep.Mean[PM10].Value.FloatString(0), keep.Mean[PM10].N)
	}
	if keep.GoodDays != 1 || keep.ExceedanceDays != 2 || keep.PrimaryDays[PM10] != 3 {
		// PM10 IAQIs 272, 243 and 55 (the third day, AQI 55, is primary PM10 too).
		t.Errorf("keep: good %d exceed %d PM10 primary %d, want original AQIs (1 good, 2 exceed, 3)", keep.GoodDays, keep.ExceedanceDays, keep.PrimaryDays[PM10])
	}
	rec := Assess(days, r, PeriodOptions{SandDust: sand, SandDay: SandRecompute})
	if rec.ValidDays != 3 || rec.GoodDays != 2 || rec.ExceedanceDays != 1 || rec.PrimaryDays[O3] != 2 {
		t.Errorf("recompute: valid %d good %d exceed %d O3 primary %d, want 3 2 1 2", rec.ValidDays, rec.GoodDays, rec.ExceedanceDays, rec.PrimaryDays[O3])
	}
	without := Assess(days, r, PeriodOptions{})
	if without.Mean[PM10].N != 3 {
		t.Errorf("without deduction PM10 N = %d, want 3", without.Mean[PM10].N)
	}
	for row, c := range []struct {
		d    DayValues
		want int
	}{{days[0], 99}, {days[1], 123}} {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			res := dayClass(&c.d, SandBoth, PeriodOptions{SandDay: SandRecompute})
			if res.AQI != c.want || res.NA {
				t.Errorf("recompute %s: AQI %d NA %v, want %d", c.d.Day, res.AQI, res.NA, c.want)
			}
		})
	}
}

func TestSamePeriodLastYear(t *testing.T) {
	r := YearToDate(DayFromDate(2024, 2, 29)).SamePeriodLastYear()
	if r.From.String() != "2023-01-01" || r.To.String() != "2023-02-28" {
		t.Errorf("YTD 2024-02-29 last year = %s…%s", r.From, r.To)
	}
}
