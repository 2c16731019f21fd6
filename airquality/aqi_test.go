package airquality

import (
	"fmt"
	"testing"
	"time"
)

func val(t testing.TB, s string) Value {
	if s == "" {
		return Value{}
	}
	return Some(dec(t, s))
}

// docs/standards.md §6.2, daily vectors D1–D7, under HJ 633-2012 with and without O3 1-h
// (AQI₇ / AQI₆), and the 2026 notes below the table.
func TestDailyVectors(t *testing.T) {
	cases := []struct {
		id                                   string
		so2, no2, pm10, co, o31h, o38h, pm25 string
		aqi7, aqi6                           int
		level7                               Level
		primary7, primary6, exceeding7       string
		aqi2026                              int
		primary2026                          string
	}{
		{"D1", "150", "40", "50", "2", "", "100", "35", 100, 100, 2, "so2", "so2", "", 100, "so2"},
		{"D2", "650", "180", "250", "14", "", "215", "115", 177, 177, 4, "so2", "so2", "pm2_5+pm10+so2+no2+co+o3_8h", 177, "so2"},
		{"D3", "8", "62", "145", "1.6", "40", "30", "118", 155, 155, 4, "pm2_5", "pm2_5", "pm2_5", 155, "pm2_5"},
		{"D4", "6", "25", "60", "0.7", "320", "200", "30", 160, 137, 4, "o3_1h_max", "o3_8h", "o3_8h+o3_1h_max", 137, "o3_8h"},
		{"D5", "10", "30", "60", "0.8", "1000", "850", "30", 400, 400, 6, "o3_8h", "o3_8h", "o3_8h+o3_1h_max", 300, "o3_8h"},
		{"D6", "5", "20", "40", "0.5", "90", "80", "20", 40, 40, 1, "", "", "", 40, ""},
		{"D7", "10", "15", "150", "0.5", "80", "60", "75", 100, 100, 2, "pm2_5+pm10", "pm2_5+pm10", "", 114, "pm2_5"},
	}
	for row, c := range cases {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			in := DailyInput{PM25: val(t, c.pm25), PM10: val(t, c.pm10), SO2: val(t, c.so2), NO2: val(t, c.no2),
				CO: val(t, c.co), O3_8h: val(t, c.o38h), O3_1hMax: val(t, c.o31h)}
			r7 := Daily(V2012, &in, O3OneHourDefault)
			if r7.NA || r7.AQI != c.aqi7 || r7.Level() != c.level7 || r7.Primary.Join("+") != c.primary7 ||
				r7.Exceeding.Join("+") != c.exceeding7 {
				t.Errorf("%s 2012 AQI7: got AQI %d NA %v level %d primary %q exceeding %q; want %d %d %q %q",
					c.id, r7.AQI, r7.NA, r7.Level(), r7.Primary.Join("+"), r7.Exceeding.Join("+"), c.aqi7, c.level7, c.primary7, c.exceeding7)
			}
			r6 := Daily(V2012, &in, O3OneHourExclude)
			if r6.AQI != c.aqi6 || r6.Primary.Join("+") != c.primary6 {
				t.Errorf("%s 2012 AQI6: got %d %q, want %d %q", c.id, r6.AQI, r6.Primary.Join("+"), c.aqi6, c.primary6)
			}
			r26 := Daily(V2026, &in, O3OneHourDefault)
			if r26.AQI != c.aqi2026 || r26.Primary.Join("+") != c.primary2026 || r26.Exceeding != 0 {
				t.Errorf("%s 2026: got %d %q exceeding %q, want %d %q", c.id, r26.AQI, r26.Primary.Join("+"), r26.Exceeding.Join("+"), c.aqi2026, c.primary2026)
			}
		})
	}
}

// §6.2 D3 IAQIs in full (SO2, NO2, PM10, CO, PM2.5, O3-8h, O3-1h) = 8, 78, 98, 40, 155, 15, 13.
func TestDailyD3SubIndices(t *testing.T) {
	in := DailyInput{SO2: val(t, "8"), NO2: val(t, "62"), PM10: val(t, "145"), CO: val(t, "1.6"),
		O3_1hMax: val(t, "40"), O3_8h: val(t, "30"), PM25: val(t, "118")}
	r := Daily(V2012, &in, O3OneHourDefault)
	want := map[Item]int{ItemSO2: 8, ItemNO2: 78, ItemPM10: 98, ItemCO: 40, ItemPM25: 155, ItemO3_8h: 15, ItemO3_1hMax: 13}
	for it, w := range want {
		if r.IAQI[it].Value != w {
			t.Errorf("D3 IAQI %s = %d, want %d", it, r.IAQI[it].Value, w)
		}
	}
}

// docs/standards.md §6.3.
func TestHourlyVectors(t *testing.T) {
	h1 := HourlyInput{PM25: val(t, "16"), PM10: val(t, "88"), CO: val(t, "0.2"), SO2: val(t, "3"), NO2: val(t, "11"), O3: val(t, "75")}
	r := Hourly(V2012, &h1)
	want := map[Item]int{ItemPM25: 23, ItemPM10: 69, ItemCO: 2, ItemSO2: 1, ItemNO2: 6, ItemO3: 24}
	for it, w := range want {
		if r.IAQI[it].Value != w {
			t.Errorf("H1 IAQI %s = %d, want %d", it, r.IAQI[it].Value, w)
		}
	}
	if r.AQI != 69 || r.Primary.Join("+") != "pm10" || r.Level().Info().Category != "良" {
		t.Errorf("H1 = %d %q %s, want 69 pm10 良", r.AQI, r.Primary.Join("+"), r.Level().Info().Category)
	}

	h2 := HourlyInput{PM25: val(t, "250"), PM10: val(t, "350"), SO2: val(t, "650"), NO2: val(t, "700"), CO: val(t, "35"), O3: val(t, "300")}
	if r := Hourly(V2012, &h2); r.AQI != 300 || r.Primary.Join("+") != "pm2_5" {
		t.Errorf("H2 = %d %q, want 300 pm2_5", r.AQI, r.Primary.Join("+"))
	}

	h3 := HourlyInput{SO2: val(t, "900"), SO2_24h: val(t, "700"), PM25: val(t, "10"), PM10: val(t, "10"), NO2: val(t, "10"), CO: val(t, "0.5"), O3: val(t, "50")}
	if r := Hourly(V2012, &h3); r.IAQI[ItemSO2].Value != 185 || r.AQI != 185 {
		t.Errorf("H3 2012 SO2 IAQI = %d AQI %d, want 185", r.IAQI[ItemSO2].Value, r.AQI)
	}
	if r := Hourly(V2026, &h3); r.IAQI[ItemSO2].Value != 200 || r.AQI != 200 {
		t.Errorf("H3 2026 SO2 IAQI = %d, want 200", r.IAQI[ItemSO2].Value)
	}
	h3.SO2_24h = Value{}
	if r := Hourly(V2012, &h3); r.Computed.Has(ItemSO2) || !r.Missing.Has(ItemSO2) || !r.NA {
		t.Errorf("H3 2012 without SO2 24h: SO2 computed=%v missing=%v NA=%v, want missing and NA", r.Computed.Has(ItemSO2), r.Missing.Has(ItemSO2), r.NA)
	}
}

// HJ 633-2026 §5.3.1: with a pollutant missing the AQI is published only when > 100.
func TestMissingNA(t *testing.T) {
	in := HourlyInput{PM25: val(t, "40"), PM10: val(t, "60"), SO2: val(t, "5"), NO2: val(t, "20"), CO: val(t, "0.5")}
	r := Hourly(V2026, &in)
	if !r.NA || r.Level() != 0 || !r.Missing.Has(ItemO3) {
		t.Errorf("missing O3, AQI %d: NA=%v, want NA", r.AQI, r.NA)
	}
	in.PM25 = val(t, "100")
	r = Hourly(V2026, &in)
	if r.NA || r.AQI != 137 || r.Primary.Join("+") != "pm2_5" {
		t.Errorf("missing O3, PM2.5 100 (2026): AQI %d NA %v primary %q, want 137 (100 + 50·40/55 = 136.4, ceiling) published", r.AQI, r.NA, r.Primary.Join("+"))
	}
	if r := Hourly(V2026, &HourlyInput{}); !r.NA {
		t.Error("empty input should be NA")
	}
}

// Concentrations are rounded half-even before IAQI: MDA8 148.5 → 148 → 90 (not 91).
func TestRoundingBeforeIAQI(t *testing.T) {
	in := DailyInput{PM25: val(t, "10"), PM10: val(t, "10"), SO2: val(t, "5"), NO2: val(t, "10"), CO: val(t, "0.25"), O3_8h: val(t, "148.5")}
	r := Daily(V2012, &in, O3OneHourExclude)
	if r.IAQI[ItemO3_8h].Value != 90 || r.AQI != 90 {
		t.Errorf("O3 148.5: IAQI %d, want 90", r.IAQI[ItemO3_8h].Value)
	}
	if r.IAQI[ItemCO].Value != 5 { // 0.25 → 0.2 → IAQI 5
		t.Errorf("CO 0.25: IAQI %d, want 5", r.IAQI[ItemCO].Value)
	}
}

func BenchmarkHourlyAQI(b *testing.B) {
	in := HourlyInput{PM25: Some(dec(b, "16")), PM10: Some(dec(b, "88")), CO: Some(dec(b, "0.2")),
		SO2: Some(dec(b, "3")), NO2: Some(dec(b, "11")), O3: Some(dec(b, "75"))}
	b.ReportAllocs()
	for b.Loop() {
		_ = Hourly(V2012, &in)
	}
}

// The real-time AQI when a pollutant is missing, under the platform's practice and the
// literal HJ 633-2026 §5.3.1 (docs/standards.md §1.7). IAQIs by hand from the 2026 tables,
// in each row's comment.
func TestHourlyNARules(t *testing.T) {
	notMonitored := Value{NotMonitored: true}
	cases := []struct {
		name              string
		in                HourlyInput
		platform, literal int // -1: NA
		platformExcused   string
	}{
		// PM2.5 30 → ⌈30·50/35⌉ = 43; O3 100 → ⌈100·50/160⌉ = 32; NO2 20 → 10; CO 0.5 → 5; SO2 5 → 2.
		{"all present", HourlyInput{PM25: val(t, "30"), PM10: val(t, "40"), SO2: val(t, "5"), NO2: val(t, "20"), CO: val(t, "0.5"), O3: val(t, "100")}, 43, 43, ""},
		// PM10 blank beside PM2.5: hidden for 倒挂 on the platform, missing literally.
		{"pm10 blank", HourlyInput{PM25: val(t, "30"), SO2: val(t, "5"), NO2: val(t, "20"), CO: val(t, "0.5"), O3: val(t, "100")}, 43, -1, "pm10"},
		// PM10 blank and PM2.5 blank: nothing hides PM10 — missing either way.
		{"both pm blank", HourlyInput{SO2: val(t, "5"), NO2: val(t, "20"), CO: val(t, "0.5"), O3: val(t, "100")}, -1, -1, ""},
		// SO2 and CO not monitored ("/"): not missing on the platform.
		{"so2 co not monitored", HourlyInput{PM25: val(t, "30"), PM10: val(t, "40"), SO2: notMonitored, NO2: val(t, "20"), CO: notMonitored, O3: val(t, "100")}, 43, -1, "so2+co"},
		// NO2 missing (not "/"): NA under both when ≤ 100 …
		{"no2 missing", HourlyInput{PM25: val(t, "30"), PM10: val(t, "40"), SO2: val(t, "5"), CO: val(t, "0.5"), O3: val(t, "100")}, -1, -1, ""},
		// … and published under both when > 100: PM2.5 80 → 100 + 50·20/55 = 118.2 → 119.
		{"no2 missing above 100", HourlyInput{PM25: val(t, "80"), PM10: val(t, "90"), SO2: val(t, "5"), CO: val(t, "0.5"), O3: val(t, "100")}, 119, 119, ""},
	}
	end := time.Date(2026, 7, 1, 12, 0, 0, 0, Shanghai)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for rule, want := range map[HourlyNARule]int{HourlyNAPlatform: c.platform, HourlyNALiteral: c.literal} {
				r := AQIOptions{HourlyNA: rule}.Hourly(end, &c.in)
				got := r.AQI
				if r.NA {
					got = -1
				}
				if got != want {
					t.Errorf("rule %d: AQI %d (missing %q), want %d", rule, got, r.Missing.Join("+"), want)
				}
				if rule == HourlyNAPlatform && r.Excused.Join("+") != c.platformExcused {
					t.Errorf("excused %q, want %q", r.Excused.Join("+"), c.platformExcused)
				}
			}
		})
	}
}
