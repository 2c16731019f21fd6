package airquality

import (
	"errors"
	"fmt"
	"testing"

	"github.com/envwatch/envwatch/fixed"
)

func dec(t testing.TB, s string) fixed.Dec {
	t.Helper()
	d, err := fixed.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// docs/standards.md §6.1, HJ 633-2012, expected column.
func TestIAQI2012Vectors(t *testing.T) {
	cases := []struct {
		ind  Indicator
		c    string
		want int
	}{
		{PM25_24h, "16", 23}, {PM25_24h, "80", 107}, {PM25_24h, "75", 100}, {PM25_24h, "118", 155},
		{PM10_24h, "88", 69}, {PM10_24h, "145", 98}, {PM10_24h, "190", 120},
		{SO2_24h, "60", 55}, {SO2_24h, "200", 108}, {SO2_24h, "650", 177}, {SO2_24h, "500", 154},
		{SO2_1h, "300", 72}, {NO2_24h, "45", 57}, {NO2_24h, "62", 78}, {NO2_1h, "350", 115},
		{CO_24h, "1.3", 33}, {CO_24h, "4.0", 100}, {CO_1h, "12", 104},
		{O3_1h, "250", 125}, {O3_1h, "320", 160}, {O3_8h, "125", 71}, {O3_8h, "180", 119},
		{O3_8h, "200", 137}, {O3_8h, "148", 90}, {O3_8h, "149", 91}, {O3_1h, "1000", 400},
		// breakpoint identities
		{PM25_24h, "35", 50}, {PM25_24h, "115", 150}, {PM25_24h, "150", 200}, {PM25_24h, "250", 300},
		{PM25_24h, "350", 400}, {PM25_24h, "500", 500}, {PM10_24h, "50", 50}, {PM10_24h, "150", 100},
		{PM10_24h, "420", 300}, {NO2_24h, "565", 300}, {NO2_1h, "3840", 500}, {CO_24h, "36", 300},
		{CO_1h, "10", 100}, {O3_1h, "1200", 500}, {O3_8h, "265", 200}, {O3_8h, "800", 300},
		{SO2_1h, "800", 200}, {SO2_24h, "150", 100},
	}
	for row, c := range cases {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			got, err := IAQI(V2012, c.ind, dec(t, c.c))
			if err != nil || got.Value != c.want {
				t.Errorf("IAQI(2012, %s, %s) = %d, %v; want %d", c.ind, c.c, got.Value, err, c.want)
			}
		})
	}
}

func TestIAQI2026Vectors(t *testing.T) {
	cases := []struct {
		ind  Indicator
		c    string
		want int
	}{
		{PM25_24h, "75", 114}, {PM10_24h, "150", 112}, {PM25_24h, "60.11", 101}, {PM25_24h, "60", 100},
		{PM10_24h, "120", 100}, {PM25_24h, "80", 119}, {PM10_24h, "145", 110}, {SO2_1h, "2000", 200},
		{O3_8h, "1200", 300}, {SO2_1h, "801", 200}, {O3_8h, "801", 300},
	}
	for row, c := range cases {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			got, err := IAQI(V2026, c.ind, dec(t, c.c))
			if err != nil || got.Value != c.want {
				t.Errorf("IAQI(2026, %s, %s) = %d, %v; want %d", c.ind, c.c, got.Value, err, c.want)
			}
		})
	}
}

func TestIAQIBeyondTable(t *testing.T) {
	for _, ind := range []Indicator{SO2_1h, O3_8h} {
		if _, err := IAQI(V2012, ind, dec(t, "801")); !errors.Is(err, ErrBeyondTable) {
			t.Errorf("IAQI(2012, %s, 801) err = %v, want ErrBeyondTable", ind, err)
		}
	}
	got, err := IAQI(V2012, PM25_24h, dec(t, "600"))
	if err != nil || got.Value != 500 || !got.Capped {
		t.Errorf("PM2.5 600 = %+v %v, want 500 capped", got, err)
	}
	if _, err := IAQI(V2012, PM25_24h, dec(t, "-1")); !errors.Is(err, ErrNegative) {
		t.Errorf("negative: err = %v", err)
	}
}

// Property: IAQI is monotonic and continuous at every breakpoint, for every column of both
// editions. Continuity: the value at a breakpoint is the row's IAQI, and the smallest step
// above it lies at most one IAQI above (ceiling of a value just over an integer).
func TestIAQIMonotonicContinuous(t *testing.T) {
	step := fixed.Dec(1000) // 1e-6 in value units
	for _, v := range []Version{V2012, V2026} {
		for ind := Indicator(0); ind < NumIndicators; ind++ {
			conc, rows := Breakpoints(v, ind)
			top := fixed.Int(conc[len(conc)-1])
			prev := -1
			// Walk the whole column in steps of 1/10 of the unit (CO: 1/100).
			delta := fixed.Dec(fixed.Scale / 10)
			if ind.Pollutant() == CO {
				delta = fixed.Scale / 100
			}
			for c := fixed.Dec(0); c <= top; c += delta {
				si, err := IAQI(v, ind, c)
				if err != nil {
					t.Fatalf("%s %s %s: %v", v, ind, c, err)
				}
				if si.Value < prev {
					t.Fatalf("%s %s not monotonic at %s: %d < %d", v, ind, c, si.Value, prev)
				}
				prev = si.Value
			}
			for i, bp := range conc {
				at, _ := IAQI(v, ind, fixed.Int(bp))
				if int64(at.Value) != rows[i] {
					t.Errorf("%s %s at breakpoint %d = %d, want %d", v, ind, bp, at.Value, rows[i])
				}
				if i == len(conc)-1 {
					continue
				}
				above, _ := IAQI(v, ind, fixed.Int(bp)+step)
				if int64(above.Value) != rows[i]+1 {
					t.Errorf("%s %s just above %d = %d, want %d", v, ind, bp, above.Value, rows[i]+1)
				}
				if i > 0 {
					below, _ := IAQI(v, ind, fixed.Int(bp)-step)
					if int64(below.Value) != rows[i] {
						t.Errorf("%s %s just below %d = %d, want %d", v, ind, bp, below.Value, rows[i])
					}
				}
			}
		}
	}
}

func BenchmarkIAQI(b *testing.B) {
	c := fixed.Int(118)
	for b.Loop() {
		_, _ = IAQI(V2012, PM25_24h, c)
	}
}
