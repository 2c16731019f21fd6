package airquality

import "testing"

// Today so far: two stations with the day's first hours. CityDay has nothing yet (no
// station has 20 hours), ProvisionalDay has the running values and the hours (HJ 633-2026
// breakpoints, the day being in December 2026: PM2.5 35 → 50, 60 → 100; PM10 50 → 50,
// 120 → 100; O3-8h 100 → 50):
//   - station A, hours 1–9: PM2.5 30…70 step 5 (mean 50), PM10 80, O3 40…120 step 10;
//   - station B, hours 1–7: PM2.5 60, PM10 100, O3 50;
//   - hours: 9 (any station); PM2.5 (50 + 60)/2 = 55, PM10 90;
//   - O3-8h: A's windows of ≥ 6 hours end at 08:00 (hours 1–8: 75), 09:00 (2–9: 85), 10:00
//     (3–9: 90) and 11:00 (4–9: 95) → 95; B's at 08:00 and 09:00 → 50; (95 + 50)/2 = 72.5
//     → 72 (half-even).
//
// The provisional AQI takes what is there: PM2.5 55 → 50 + 50·20/25 = 90, PM10 90 →
// 50 + 50·40/70 = 78.6 → 79, O3-8h 72 → 36; SO2, NO2 and CO, not measured yet, are not
// due: AQI 90, PM2.5. With hours 1–5 only no 8-h window has six hours: the AQI comes from
// the rest — PM2.5 (40 + 60)/2 = 50 → 50 + 50·15/25 = 80.
func TestProvisionalDay(t *testing.T) {
	a := hoursOf(t, PM25, "30,35,40,45,50,55,60,65,70")
	for slot := 0; slot < 9; slot++ {
		a.set(PM10, slot, 80000)
		a.set(O3, slot, int32(40000+10000*slot))
	}
	b := hoursOf(t, PM25, "60,60,60,60,60,60,60")
	for slot := 0; slot < 7; slot++ {
		b.set(PM10, slot, 100000)
		b.set(O3, slot, 50000)
	}
	day := DayFromDate(2026, 12, 6)
	if v := CityDay(day, []*StationDay{a, b}, CityOptions{}); v.Conc[PM25].OK() {
		t.Errorf("CityDay valid with 9 hours: %v", v.Conc[PM25])
	}
	v, hours := ProvisionalDay(day, []*StationDay{a, b}, CityOptions{})
	got := func(p Pollutant) string {
		if !v.Conc[p].OK() {
			return "none"
		}
		return v.Conc[p].Rounded(p).String()
	}
	if hours != 9 || got(PM25) != "55" || got(PM10) != "90" || got(O3) != "72" || got(SO2) != "none" {
		t.Errorf("hours %d, PM2.5 %s, PM10 %s, O3-8h %s, SO2 %s; want 9, 55, 90, 72, none", hours, got(PM25), got(PM10), got(O3), got(SO2))
	}
	r := ProvisionalAQI(&v, AQIOptions{})
	if r.NA || r.AQI != 90 || !r.Primary.Has(ItemPM25) || r.IAQI[ItemPM10].Value != 79 || r.IAQI[ItemO3_8h].Value != 36 {
		t.Errorf("provisional AQI %+v, want 90 (PM2.5), PM10 79, O3-8h 36", r)
	}
	a5, b5 := hoursOf(t, PM25, "30,35,40,45,50"), hoursOf(t, PM25, "60,60,60,60,60")
	for slot := 0; slot < 5; slot++ {
		a5.set(O3, slot, 40000)
		b5.set(O3, slot, 50000)
	}
	v, hours = ProvisionalDay(day, []*StationDay{a5, b5}, CityOptions{})
	r = ProvisionalAQI(&v, AQIOptions{})
	if hours != 5 || v.Conc[O3].Value != nil || r.NA || r.AQI != 80 {
		t.Errorf("hours 1–5: hours %d, O3-8h %v, AQI %d (NA %v); want 5, none, 80", hours, v.Conc[O3].Value, r.AQI, r.NA)
	}
}
