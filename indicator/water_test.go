package indicator

import (
	"math/big"
	"testing"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/waterquality"
)

// yearSamples serves one sample per site and year: NH3-N by site and year.
type yearSamples map[string]map[int]string

func (y yearSamples) WaterSamples(site string, from, _ time.Time) []waterquality.Sample {
	v, ok := y[site][from.In(airquality.Shanghai).Year()]
	if !ok {
		return nil
	}
	var s waterquality.Sample
	s.Set(waterquality.DO, fixed.Int(8))
	d, _ := fixed.Parse(v)
	s.Set(waterquality.NH3N, d)
	return []waterquality.Sample{s}
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
	for _, w := range []struct{ indicator, cur, last, change string }{
		{SectionsGoodShare, "80.0", "70.0", "10.0"},
		{SectionsWorseThanVShare, "0.0", "10.0", "-10.0"},
		{DrinkingWater, "50.0", "100.0", "-50.0"},
		{DrinkingWaterVolume, "75.0", "100.0", "-25.0"},
	} {
		r := snap.Find("city", w.indicator)
		if r == nil || r.Current.Text != w.cur || r.LastYear.textOf() != w.last || r.Change.textOf() != w.change {
			t.Errorf("%s: %+v; want %s (last year %s, change %s pp)", w.indicator, r, w.cur, w.last, w.change)
		}
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
