package indicator

import (
	"fmt"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/waterquality"
)

// yearSamples serves a site's monthly samples (the 10th, 10:00) in [from, to), the same
// NH3-N all year, by site and year.
type yearSamples map[string]map[int]string

func (y yearSamples) WaterSamples(site string, from, to time.Time) []waterquality.Sample {
	v, ok := y[site][from.In(airquality.Shanghai).Year()]
	if !ok {
		return nil
	}
	return monthlySamples(from, to, func(s *waterquality.Sample) {
		s.Set(waterquality.DO, fixed.Int(8))
		d, _ := fixed.Parse(v)
		s.Set(waterquality.NH3N, d)
	})
}

// monthlySamples are samples taken on the 10th of each month at 10:00 in [from, to).
func monthlySamples(from, to time.Time, fill func(*waterquality.Sample)) []waterquality.Sample {
	var out []waterquality.Sample
	l := from.In(airquality.Shanghai)
	for t := time.Date(l.Year(), l.Month(), 10, 10, 0, 0, 0, airquality.Shanghai); t.Before(to); t = t.AddDate(0, 1, 0) {
		if t.Before(from) {
			continue
		}
		s := waterquality.Sample{Taken: t.UTC()}
		fill(&s)
		out = append(out, s)
	}
	return out
}

// The worked examples of docs/standards.md ("Water trend and volume-weighted drinking water"):
// ten river sections. 2024: NH3-N puts 7 in Class I–III, 2 in IV, 1 in 劣V → G 70 %, D 10 %.
// 2025: 8 in I–III, 2 in IV, 0 in 劣V → G 80 %, D 0 %. ΔG = +10, ΔD = −10, ΔG − ΔD = +20 →
// "有所好转" (10 < |Δ| ≤ 20). Two drinking-water sources, 3,000 and 1,000 (10⁴ m³ a year), the
// smaller failing in 2025: share 1/2 = 50.0 %, by volume 3000/4000 = 75.0 %.
func TestWaterSharesTrendAndVolume(t *testing.T) {
	data := yearSamples{}
	var sites []WaterSite
	for i := 0; i < 10; i++ {
		code := string(rune('A' + i))
		prev, cur := "0.5", "0.5" // Class II
		switch {
		case i < 2:
			prev, cur = "1.2", "1.2" // Class IV both years
		case i == 2:
			prev = "2.5" // 劣V in 2024, Class II in 2025
		}
		data[code] = map[int]string{2024: prev, 2025: cur}
		sites = append(sites, WaterSite{Code: code, Area: "city", Body: waterquality.River, Target: waterquality.ClassIII})
	}
	data["S1"] = map[int]string{2024: "0.5", 2025: "0.5"}
	data["S2"] = map[int]string{2024: "0.5", 2025: "1.2"} // Class IV: fails Class III
	sites = append(sites, WaterSite{Code: "S1", Area: "city", Body: waterquality.River, Target: waterquality.ClassIII, Source: true, Volume: big.NewRat(3000, 1)},
		WaterSite{Code: "S2", Area: "city", Body: waterquality.River, Target: waterquality.ClassIII, Source: true, Volume: big.NewRat(1000, 1)})
	c := &Calculator{Air: fakeAir(func(airquality.Day) (airquality.DayValues, bool) { return airquality.DayValues{}, false }),
		Water: data, Areas: []Area{{ID: "city"}}, Sites: sites}
	snap := c.Compute(airquality.DayFromDate(2025, 12, 31), time.Time{})
	for row, w := range []struct{ indicator, cur, last, change string }{
		{SectionsGoodShare, "80.0", "70.0", "10.0"},
		{SectionsWorseThanVShare, "0.0", "10.0", "-10.0"},
		{DrinkingWater, "50.0", "100.0", "-50.0"},
		{DrinkingWaterVolume, "75.0", "100.0", "-25.0"},
	} {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			r := snap.Find("city", w.indicator)
			if r == nil || r.Current.Text != w.cur || r.LastYear.textOf() != w.last || r.Change.textOf() != w.change {
				t.Errorf("%s: %+v; want %s (last year %s, change %s pp)", w.indicator, r, w.cur, w.last, w.change)
			}
		})
	}
	tr := snap.Find("city", SectionsTrend)
	if tr == nil || tr.Current.Text != "20.0" || tr.Trend.Verdict() != "有所好转" {
		t.Errorf("trend %+v, want +20.0 有所好转", tr)
	}
	if g := snap.Find("city", SectionsGoodShare); g.Compliant != 8 || g.Total != 10 {
		t.Errorf("good share counts %d/%d, want 8/10", g.Compliant, g.Total)
	}
	// Per site: the section that was 劣V last year.
	for _, w := range snap.Water {
		if w.Code == "C" && (w.Class != waterquality.ClassII || w.LastYear == nil || w.LastYear.Class != waterquality.WorseThanV) {
			t.Errorf("section C: %v, last year %+v; want II, last year 劣V", w.Class, w.LastYear)
		}
	}
}

func (n *Num) textOf() string {
	if n == nil {
		return ""
	}
	return n.Text
}

// monthsOnly serves monthly samples of a Class II site, but only in the listed months of
// each year (nil: every month).
type monthsOnly map[int][]time.Month

func (m monthsOnly) WaterSamples(_ string, from, to time.Time) []waterquality.Sample {
	months, ok := m[from.In(airquality.Shanghai).Year()]
	var out []waterquality.Sample
	for _, s := range monthlySamples(from, to, func(s *waterquality.Sample) {
		s.Set(waterquality.DO, fixed.Int(8))
		s.Set(waterquality.NH3N, fixed.Dec(fixed.Scale/2))
	}) {
		if !ok || slices.Contains(months, s.Taken.In(airquality.Shanghai).Month()) {
			out = append(out, s)
		}
	}
	return out
}

// A comparison only between periods with enough samples (the rule of docs/targets.md,
// "Water comparisons"): on 5 December, 11 whole months → each site needs samples in
// ⌈0.75 × 11⌉ = 9 of them in both periods. A source sampled once last year (November)
// against eleven times this year: its rate is shown, its change withheld with the counts.
// Sampled in nine months last year it is compared (100.0 → 100.0: 0.0 pp).
func TestWaterComparisonNeedsSamples(t *testing.T) {
	sites := []WaterSite{{Code: "S", Area: "city", Body: waterquality.River, Target: waterquality.ClassIII, Source: true}}
	asOf := airquality.DayFromDate(2026, 12, 5)
	for _, c := range []struct {
		name      string
		last      []time.Month
		change    string
		shortLast int
	}{
		{"one sample last year", []time.Month{11}, "", 1},
		{"nine months last year", []time.Month{1, 2, 3, 4, 5, 6, 7, 8, 9}, "0.0", 0},
		{"eight months last year", []time.Month{1, 2, 3, 4, 5, 6, 7, 8}, "", 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			c2 := &Calculator{Air: fakeAir(func(airquality.Day) (airquality.DayValues, bool) { return airquality.DayValues{}, false }),
				Water: monthsOnly{2025: c.last}, Areas: []Area{{ID: "city"}}, Sites: sites}
			snap := c2.Compute(asOf, time.Time{})
			r := snap.Find("city", DrinkingWater)
			if r == nil || r.Current.textOf() != "100.0" || r.WaterBasis == nil {
				t.Fatalf("drinking water %+v", r)
			}
			b := *r.WaterBasis
			if r.Change.textOf() != c.change || b.NeedMonths != 9 || b.Sites != 1 || b.ShortNow != 0 || b.ShortLast != c.shortLast {
				t.Errorf("change %q (reason %q), basis %+v; want change %q, 9 months needed, %d short last year", r.Change.textOf(), r.ChangeReason, b, c.change, c.shortLast)
			}
			if c.change == "" && r.ChangeReason != WaterSamplesShort {
				t.Errorf("reason %q, want %q", r.ChangeReason, WaterSamplesShort)
			}
		})
	}
}

// needMonths: the share of the whole months of 1 January … as-of, rounded up, at least 1.
func TestNeedMonths(t *testing.T) {
	for row, c := range []struct {
		y, m, d int
		share   float64
		want    int
	}{{2026, 12, 31, 0.75, 9}, {2026, 12, 5, 0.75, 9}, {2026, 6, 30, 0.75, 5}, {2026, 6, 29, 0.75, 4}, {2026, 1, 15, 0.75, 1}, {2026, 12, 31, 1, 12}} {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			if got := needMonths(airquality.DayFromDate(c.y, time.Month(c.m), c.d), c.share); got != c.want {
				t.Errorf("%d-%02d-%02d × %v: %d, want %d", c.y, c.m, c.d, c.share, got, c.want)
			}
		})
	}
}
