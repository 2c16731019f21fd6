package target

import (
	"testing"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/fixed"
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
