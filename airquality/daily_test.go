package airquality

import (
	"strings"
	"testing"
)

func hoursOf(t *testing.T, p Pollutant, csv string) *StationDay {
	t.Helper()
	var d StationDay
	for slot, s := range strings.Split(csv, ",") {
		if s == "" || s == "_" {
			continue
		}
		d.set(p, slot, int32(dec(t, s).Units(3)))
	}
	return &d
}

func fill(d *StationDay, p Pollutant, milli int32, skip ...int) *StationDay {
	for slot := 0; slot < 24; slot++ {
		missing := false
		for _, s := range skip {
			missing = missing || s == slot+1 // skip lists hour labels 1…24
		}
		if !missing {
			d.set(p, slot, milli)
		}
	}
	return d
}

const mda8Example = "40,35,30,28,25,24,30,45,60,80,100,120,140,155,165,170,168,150,120,95,80,70,60,50"

// docs/standards.md §6.4 MDA8 and validity examples.
func TestMDA8Example(t *testing.T) {
	d := hoursOf(t, O3, mda8Example)
	m := d.MDA8()
	if !m.OK() || m.Value.FloatString(3) != "148.500" || m.N != 17 || m.Rounded(O3).String() != "148" {
		t.Errorf("MDA8 = %v valid=%q windows %d, want 148.5 (→148) from 17 windows", m.Value, m.Reason, m.N)
	}
	if mean := d.DailyMean(O3); mean.Value.FloatString(0) != "85" || mean.N != 24 {
		t.Errorf("24-h mean = %v, want 85", mean.Value)
	}
	// Remove hours 10–13: 10 valid windows, max 154.67 ≤ 160 → invalid.
	for _, h := range []int{10, 11, 12, 13} {
		d.clear(O3, h-1)
	}
	m = d.MDA8()
	if m.OK() || m.N != 10 || m.Value.FloatString(2) != "154.67" || m.Reason != TooFewWindows {
		t.Errorf("MDA8 with hours 10-13 missing = %v (%d windows, %q), want invalid 154.67 from 10", m.Value.FloatString(2), m.N, m.Reason)
	}
	// The exception: fewer than 14 windows but above the limit stays valid.
	hot := hoursOf(t, O3, "40,35,30,28,25,24,30,45,60,_,_,_,_,200,210,220,230,220,200,95,80,70,60,50")
	if m := hot.MDA8(); !m.OK() || m.N >= 14 {
		t.Errorf("exceeding MDA8 with %d windows: valid=%v, want valid", m.N, m.OK())
	}
}

func TestDailyMeanValidity(t *testing.T) {
	d := fill(&StationDay{}, PM25, 88000, 1, 2, 3, 4)
	if m := d.DailyMean(PM25); !m.OK() || m.N != 20 {
		t.Errorf("20 hours: %+v, want valid", m)
	}
	d.clear(PM25, 4)
	if m := d.DailyMean(PM25); m.OK() || m.Reason != TooFewHours || m.N != 19 {
		t.Errorf("19 hours: %+v, want invalid", m)
	}
}

// docs/standards.md (city example) 1: city PM2.5 = mean of station daily means = 76 → IAQI
// 102 (2012), 115 (2026); example 2: city MDA8 155 (2a) and 148 with station B dropped (2b);
// example 3: city AQI 100.
func TestCityExamples(t *testing.T) {
	day := DayFromDate(2022, 6, 1)
	a := fill(&StationDay{}, PM25, 60000)
	b := fill(&StationDay{}, PM25, 80000)
	c := fill(&StationDay{}, PM25, 88000, 1, 2, 3, 4)
	city := CityDay(day, []*StationDay{a, b, c}, CityOptions{})
	if got := city.Conc[PM25]; got.Rounded(PM25).String() != "76" || got.N != 3 {
		t.Errorf("example 1 city PM2.5 = %v from %d stations, want 76 from 3", got.Value, got.N)
	}
	for v, want := range map[Version]int{V2012: 102, V2026: 115} {
		si, _ := IAQI(v, PM25_24h, city.Conc[PM25].Rounded(PM25))
		if si.Value != want {
			t.Errorf("example 1 IAQI %s = %d, want %d", v, si.Value, want)
		}
	}

	sa := hoursOf(t, O3, mda8Example)
	sb := hoursOf(t, O3, "50,45,40,35,30,30,35,50,70,95,125,150,170,180,185,180,160,140,110,90,75,65,60,55")
	city = CityDay(day, []*StationDay{sa, sb}, CityOptions{})
	if got := city.Conc[O3]; got.Value.FloatString(3) != "154.875" || got.Rounded(O3).String() != "155" {
		t.Errorf("example 2a city MDA8 = %v, want 154.875 → 155", got.Value.FloatString(3))
	}
	if si, _ := IAQI(V2012, O3_8h, city.Conc[O3].Rounded(O3)); si.Value != 96 {
		t.Errorf("example 2a IAQI = %d, want 96", si.Value)
	}
	for _, h := range []int{14, 15, 16} {
		sb.clear(O3, h-1)
	}
	city = CityDay(day, []*StationDay{sa, sb}, CityOptions{})
	if got := city.Conc[O3]; got.Rounded(O3).String() != "148" || got.N != 1 {
		t.Errorf("example 2b city MDA8 = %v from %d stations, want 148 from 1", got.Value.FloatString(3), got.N)
	}
	if si, _ := IAQI(V2012, O3_8h, city.Conc[O3].Rounded(O3)); si.Value != 90 {
		t.Errorf("example 2b IAQI = %d, want 90", si.Value)
	}

	// Example 3: PM2.5 50 and 100, other pollutants low → city AQI 100.
	low := func(pm int32) *StationDay {
		d := fill(&StationDay{}, PM25, pm*1000)
		fill(d, PM10, 20000)
		fill(d, SO2, 5000)
		fill(d, NO2, 10000)
		fill(d, CO, 300)
		fill(d, O3, 40000)
		return d
	}
	city = CityDay(day, []*StationDay{low(50), low(100)}, CityOptions{})
	r := DailyAQI(&city, AQIOptions{Version: V2012})
	if r.NA || r.AQI != 100 {
		t.Errorf("example 3 city AQI = %d (NA %v), want 100", r.AQI, r.NA)
	}
	for i, pm := range []int32{50, 100} {
		sv := StationDayValues(day, low(pm))
		if r := DailyAQI(&sv, AQIOptions{Version: V2012}); r.AQI != []int{69, 132}[i] {
			t.Errorf("example 3 station AQI = %d, want %d", r.AQI, []int{69, 132}[i])
		}
	}
}

// R10: a day with a pollutant missing is valid only when the AQI of the rest is > 100.
func TestCityDayValidity(t *testing.T) {
	day := DayFromDate(2022, 6, 1)
	s := fill(&StationDay{}, PM25, 50000)
	fill(s, PM10, 60000)
	fill(s, SO2, 5000)
	fill(s, NO2, 20000)
	fill(s, CO, 500)
	v := CityDay(day, []*StationDay{s}, CityOptions{})
	if r := DailyAQI(&v, AQIOptions{}); !r.NA {
		t.Errorf("no O3 and AQI %d ≤ 100: want NA", r.AQI)
	}
	fill(s, PM25, 120000)
	v = CityDay(day, []*StationDay{s}, CityOptions{})
	if r := DailyAQI(&v, AQIOptions{}); r.NA || r.AQI != 158 {
		t.Errorf("no O3 and PM2.5 120 (2012): AQI %d NA %v, want 158 valid", r.AQI, r.NA)
	}
}
