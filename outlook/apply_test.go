package outlook

import (
	"fmt"
	"testing"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/indicator"
	"github.com/envwatch/envwatch/waterquality"
)

// areasAir serves each area's days from a function of the day.
type areasAir map[string]func(d airquality.Day) (airquality.DayValues, bool)

func (a areasAir) AreaDays(area string, r airquality.Range) []airquality.DayValues {
	var out []airquality.DayValues
	for d := r.From; d <= r.To; d++ {
		if v, ok := a[area](d); ok {
			out = append(out, v)
		}
	}
	return out
}

type noWater struct{}

func (noWater) WaterSamples(string, time.Time, time.Time) []waterquality.Sample { return nil }

// flatDay is a day of flat(…, pm25) dated d.
func flatDay(pm25 int64) func(d airquality.Day) (airquality.DayValues, bool) {
	years := map[int][]airquality.DayValues{}
	return func(d airquality.Day) (airquality.DayValues, bool) {
		y := d.Year()
		if years[y] == nil {
			years[y] = flat(y, pm25)
		}
		return years[y][int(d-airquality.Year(y).From)], true
	}
}

func dec(s string) *fixed.Dec { d, _ := fixed.Parse(s); return &d }
func intp(n int) *int         { return &n }

// Through Apply, as the service calls it (30 September 2025, PM2.5 40 every day of every
// year):
//   - "hist" has five past years. PM2.5 ≤ 39 needs the rest of the year at
//     (39·365 − 40·273)/92 = 36.0, below any day the area has had: every simulated year
//     ends at 40 (P = 0, unlikely — not "at risk"). "easy": ≤ 41 is met in every simulated
//     year (P = 1, on track).
//   - "new" has only this year: no probability and why; ≤ 39 asks for 36.0 where the
//     record's lowest 92-day stretch is 40 — unlikely by the record.
//   - A good-days target beyond the days left (273 good + 92 left < 366) is missed, with
//     neither a probability nor a reason for lacking one.
func TestApplyStatuses(t *testing.T) {
	air := areasAir{"hist": flatDay(40), "new": func(d airquality.Day) (airquality.DayValues, bool) {
		if d.Year() < 2025 {
			return airquality.DayValues{}, false
		}
		return flatDay(40)(d)
	}}
	calc := &indicator.Calculator{Air: air, Water: noWater{}, Areas: []indicator.Area{{ID: "hist", Name: "Hist"}, {ID: "new", Name: "New"}, {ID: "easy", Name: "Easy"}},
		Specs: []indicator.Spec{{Area: "hist", Year: 2025, PM25: dec("39"), GoodDays: intp(366)}, {Area: "new", Year: 2025, PM25: dec("39")}, {Area: "easy", Year: 2025, PM25: dec("41")}}}
	air["easy"] = flatDay(40)
	snap := calc.Compute(airquality.DayFromDate(2025, 9, 30), time.Time{})
	Apply(&snap, calc, Options{Sims: 200})

	for row, c := range []struct {
		area, ind string
		status    indicator.Status
		p         float64 // −1: no outlook
		reason    string
		best      string
	}{
		{"hist", indicator.PM25Mean, indicator.Unlikely, 0, "", ""},
		{"easy", indicator.PM25Mean, indicator.OnTrack, 1, "", ""},
		{"new", indicator.PM25Mean, indicator.Unlikely, -1, TooFewYears, "40.0"},
		{"hist", indicator.GoodDays, indicator.Missed, -1, "", ""},
	} {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			r := snap.Find(c.area, c.ind)
			if r == nil {
				t.Fatalf("%s %s: no result", c.area, c.ind)
			}
			p := -1.0
			if r.Outlook != nil {
				p = r.Outlook.P
			}
			best := ""
			if r.BestOnRecord != nil {
				best = r.BestOnRecord.Text
			}
			if r.Status != c.status || p != c.p || r.OutlookReason != c.reason || best != c.best {
				t.Errorf("%s %s: status %v, P %v, reason %q, best on record %q; want %v, %v, %q, %q (required %v)",
					c.area, c.ind, r.Status, p, r.OutlookReason, best, c.status, c.p, c.reason, c.best, r.RequiredRemaining)
			}
		})
	}
}

// BenchmarkApplyNational forecasts 342 cities (the national configuration's count) with
// five past years each, as the snapshot cache does; the cities share one synthetic history
// but are seeded apart.
func BenchmarkApplyNational(b *testing.B) {
	s := Synthetic{Seed: 9}
	years := map[int][]airquality.DayValues{}
	for y := 2020; y <= 2025; y++ {
		years[y], _ = s.Year(y)
	}
	day := func(d airquality.Day) (airquality.DayValues, bool) {
		return years[d.Year()][int(d-airquality.Year(d.Year()).From)], years[d.Year()] != nil
	}
	air := areasAir{}
	calc := &indicator.Calculator{Air: air, Water: noWater{}}
	for i := range 342 {
		id := "city" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		air[id] = day
		calc.Areas = append(calc.Areas, indicator.Area{ID: id, Name: id})
		calc.Specs = append(calc.Specs, indicator.Spec{Area: id, Year: 2025, PM25: dec("40"), GoodDays: intp(250)})
	}
	snap := calc.Compute(airquality.DayFromDate(2025, 6, 30), time.Time{})
	for b.Loop() {
		s := snap
		s.Results = append([]indicator.Result(nil), snap.Results...)
		Apply(&s, calc, Options{})
	}
}

// versioned is air data with a fingerprint the test sets.
type versioned struct {
	areasAir
	version uint64
}

func (v *versioned) AreaVersion(string, airquality.Range) uint64 { return v.version }

// The cache reuses an area's forecast while its days' fingerprint stands and simulates
// again when it changes.
func TestCacheReusesUntilTheDaysChange(t *testing.T) {
	air := &versioned{areasAir: areasAir{"a": flatDay(40)}, version: 1}
	calc := &indicator.Calculator{Air: air, Water: noWater{}, Areas: []indicator.Area{{ID: "a", Name: "A"}},
		Specs: []indicator.Spec{{Area: "a", Year: 2025, PM25: dec("41")}}}
	var cache Cache
	run := func() *indicator.Result {
		snap := calc.Compute(airquality.DayFromDate(2025, 9, 30), time.Time{})
		cache.Apply(&snap, calc, Options{Sims: 100})
		return snap.Find("a", indicator.PM25Mean)
	}
	first := run()
	if first.Outlook == nil || first.Outlook.P != 1 || first.Status != indicator.OnTrack {
		t.Fatalf("first: %+v %v", first.Outlook, first.Status)
	}
	if r := run(); r.Outlook != first.Outlook || r.Status != indicator.OnTrack {
		t.Errorf("same fingerprint: outlook %p, status %v; want the cached %p, on track", r.Outlook, r.Status, first.Outlook)
	}
	air.version = 2
	if r := run(); r.Outlook == nil || r.Outlook == first.Outlook || r.Outlook.P != 1 {
		t.Errorf("changed fingerprint: outlook %+v; want a new one with P = 1", r.Outlook)
	}
}
