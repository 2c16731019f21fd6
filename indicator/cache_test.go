package indicator

import (
	"testing"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/reading"
	"github.com/envwatch/envwatch/waterquality"
)

// countingAir is the real air engine, counting how often the calculator reads days.
type countingAir struct {
	*airquality.Network
	reads int
}

func (c *countingAir) AreaDays(area string, r airquality.Range) []airquality.DayValues {
	c.reads++
	return c.Network.AreaDays(area, r)
}

// An area's air indicators are recomputed only when its data or the day changes, and a
// late revision is never hidden by the cache.
func TestAirIndicatorsCachedUntilDataChanges(t *testing.T) {
	net := airquality.NewNetwork(airquality.CityOptions{})
	net.AddStation("A")
	if err := net.SetArea("c", []string{"A"}); err != nil {
		t.Fatal(err)
	}
	first := airquality.DayFromDate(2025, 1, 1)
	for d := first; d < first+60; d++ {
		for slot := 0; slot < 24; slot++ {
			for p := airquality.Pollutant(0); p < airquality.NumPollutants; p++ {
				if err := net.Series(0).Set(d.HourEnd(slot).Unix(), p, fixed.Int(40)); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	air := &countingAir{Network: net}
	calc := &Calculator{Air: air, Areas: []Area{{ID: "c"}}}
	asOf := first + 59
	pm25 := func(s Snapshot) string {
		for _, r := range s.Results {
			if r.Indicator == PM25Mean {
				return r.Current.Text
			}
		}
		t.Fatal("no pm2_5_mean result")
		return ""
	}
	s1 := calc.Compute(asOf, asOf.Start())
	if got := pm25(s1); got != "40" {
		t.Fatalf("PM2.5 mean %s, want 40", got)
	}
	reads := air.reads
	s2 := calc.Compute(asOf, asOf.Start())
	if air.reads != reads || pm25(s2) != "40" {
		t.Errorf("unchanged data re-read %d times (PM2.5 %s)", air.reads-reads, pm25(s2))
	}
	// A revision of every hour of 10 January to 100 µg/m³.
	for slot := 0; slot < 24; slot++ {
		if err := net.Series(0).Set(airquality.DayFromDate(2025, 1, 10).HourEnd(slot).Unix(), airquality.PM25, fixed.Int(100)); err != nil {
			t.Fatal(err)
		}
	}
	s3 := calc.Compute(asOf, asOf.Start())
	if air.reads == reads {
		t.Error("a revision did not cause a recomputation")
	}
	if got := pm25(s3); got != "41" { // (59 × 40 + 100) / 60 = 41
		t.Errorf("PM2.5 mean after the revision %s, want 41", got)
	}
	reads = air.reads
	calc.Compute(asOf+1, (asOf + 1).Start())
	if air.reads == reads {
		t.Error("a new day did not cause a recomputation")
	}
}

// countingWater is the real water store, counting sample reads.
type countingWater struct {
	*waterquality.Store
	reads int
}

func (c *countingWater) WaterSamples(site string, from, to time.Time) []waterquality.Sample {
	c.reads++
	return c.Store.Samples(site, from, to)
}

func (c *countingWater) WaterVersion(site string) uint64 { return c.Store.Version(site) }

// A section is evaluated again only when one of its samples arrives or the day changes.
func TestWaterSitesCachedUntilSamplesChange(t *testing.T) {
	store := waterquality.NewStore()
	sample := func(day int, nh3n string) {
		v, _ := fixed.Parse(nh3n)
		store.Apply("W1", time.Date(2025, 3, day, 2, 0, 0, 0, time.UTC), []reading.Value{{Code: "nh3n", V: v, Flag: "N"}})
	}
	sample(1, "0.4") // class II by NH3-N (≤ 0.5)
	water := &countingWater{Store: store}
	calc := &Calculator{Air: fakeAir(func(airquality.Day) (airquality.DayValues, bool) { return airquality.DayValues{}, false }),
		Water: water, Areas: []Area{{ID: "c"}},
		Sites: []WaterSite{{Code: "W1", Area: "c", Body: waterquality.River, Target: waterquality.ClassIII}}}
	asOf := airquality.DayFromDate(2025, 3, 20)
	class := func(s Snapshot) waterquality.Class {
		for _, w := range s.Water {
			if w.Code == "W1" {
				return w.Class
			}
		}
		t.Fatal("W1 not in the snapshot")
		return 0
	}
	if got := class(calc.Compute(asOf, asOf.Start())); got != waterquality.ClassII {
		t.Fatalf("class %v, want II", got)
	}
	reads := water.reads
	calc.Compute(asOf, asOf.Start())
	if water.reads != reads {
		t.Errorf("unchanged samples read again %d times", water.reads-reads)
	}
	sample(10, "1.8") // mean NH3-N (0.4 + 1.8) / 2 = 1.1 → class IV (≤ 1.5)
	if got := class(calc.Compute(asOf, asOf.Start())); got != waterquality.ClassIV {
		t.Errorf("class after a new sample %v, want IV", got)
	}
}
