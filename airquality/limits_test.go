package airquality

import (
	"fmt"
	"testing"
	"time"
)

// docs/standards.md §2.1; the 2012 Grade II short-term limits equal the IAQI-100 breakpoints.
func TestLimits(t *testing.T) {
	cases := []struct {
		day  time.Time
		p    Pollutant
		a    Averaging
		want string
	}{
		{time.Date(2025, 6, 1, 0, 0, 0, 0, Shanghai), PM25, Annual, "35"},
		{time.Date(2026, 3, 1, 0, 0, 0, 0, Shanghai), PM25, Annual, "30"},
		{time.Date(2026, 2, 28, 23, 0, 0, 0, Shanghai), PM25, Daily24h, "75"},
		{time.Date(2030, 12, 31, 0, 0, 0, 0, Shanghai), PM10, Daily24h, "120"},
		{time.Date(2031, 1, 1, 0, 0, 0, 0, Shanghai), PM10, Daily24h, "100"},
		{time.Date(2031, 1, 1, 0, 0, 0, 0, Shanghai), NO2, Annual, "30"},
		{time.Date(2031, 1, 1, 0, 0, 0, 0, Shanghai), O3, MDA8h, "160"},
	}
	for row, c := range cases {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			got, ok := Limit(LimitsForDay(c.day), c.p, c.a, GradeII)
			if !ok || got.String() != c.want {
				t.Errorf("%s %s %d Grade II = %s %v, want %s", c.day.Format(time.DateOnly), c.p, c.a, got, ok, c.want)
			}
		})
	}
	if _, ok := Limit(Limits2012, CO, Annual, GradeII); ok {
		t.Error("CO has no annual limit")
	}
	// Grade II short-term limits (2012) equal the IAQI-100 breakpoints of HJ 633-2012.
	for row, c := range []struct {
		p   Pollutant
		a   Averaging
		ind Indicator
	}{{SO2, Daily24h, SO2_24h}, {SO2, Hourly1h, SO2_1h}, {NO2, Daily24h, NO2_24h}, {NO2, Hourly1h, NO2_1h},
		{PM10, Daily24h, PM10_24h}, {PM25, Daily24h, PM25_24h}, {CO, Daily24h, CO_24h}, {CO, Hourly1h, CO_1h},
		{O3, MDA8h, O3_8h}, {O3, Hourly1h, O3_1h}} {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			l, _ := Limit(Limits2012, c.p, c.a, GradeII)
			if si, _ := IAQI(V2012, c.ind, l); si.Value != 100 {
				t.Errorf("%s limit %s → IAQI %d, want 100", c.ind, l, si.Value)
			}
		})
	}
	// 2026 transitional PM 24-h limits equal the 2026 IAQI-100 breakpoints.
	for row, c := range []struct {
		p   Pollutant
		ind Indicator
	}{{PM10, PM10_24h}, {PM25, PM25_24h}} {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			l, _ := Limit(Limits2026Transitional, c.p, Daily24h, GradeII)
			if si, _ := IAQI(V2026, c.ind, l); si.Value != 100 {
				t.Errorf("2026 %s limit %s → IAQI %d, want 100", c.ind, l, si.Value)
			}
		})
	}
}

func TestHourEndFromStart(t *testing.T) {
	// HJ 212 2061 DataTime 08:00 (08:00–09:00) is the HJ 663 hour ending 09:00 (hour 9).
	start := time.Date(2026, 3, 1, 8, 0, 0, 0, Shanghai)
	_, slot, err := HourSlot(HourEndFromStart(start))
	if err != nil || slot != 8 {
		t.Errorf("slot %d %v, want 8 (the hour labelled 09:00)", slot, err)
	}
}
