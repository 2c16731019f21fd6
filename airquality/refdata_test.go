package airquality

import (
	"encoding/csv"
	"os"
	"strings"
	"testing"
	"time"
)

type cnemcRow map[string]string

func loadCNEMC(t *testing.T) []cnemcRow {
	t.Helper()
	f, err := os.Open("testdata/cnemc_luoyang_hourly_20220601.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var rows []cnemcRow
	for _, rec := range recs[1:] {
		r := cnemcRow{}
		for i, h := range recs[0] {
			r[h] = rec[i]
		}
		rows = append(rows, r)
	}
	return rows
}

var cnemcPrimary = map[string]string{
	"颗粒物(PM10)": "pm10", "细颗粒物(PM2.5)": "pm2_5", "臭氧1小时": "o3", "二氧化硫": "so2",
	"二氧化氮": "no2", "一氧化碳": "co",
}

// Every complete row of the real CNEMC publication for Luoyang on 2022-06-01 must give the
// published real-time AQI and primary pollutant.
func TestCNEMCPublishedHourlyAQI(t *testing.T) {
	rows := loadCNEMC(t)
	checked := 0
	for i, r := range rows {
		cols := []string{"pm2_5", "pm10", "so2", "no2", "co", "o3_24h"}
		complete := r["aqi"] != ""
		for _, c := range cols {
			complete = complete && r[c] != ""
		}
		if !complete {
			continue
		}
		in := HourlyInput{PM25: val(t, r["pm2_5"]), PM10: val(t, r["pm10"]), SO2: val(t, r["so2"]),
			NO2: val(t, r["no2"]), CO: val(t, r["co"]), O3: val(t, r["o3_24h"])}
		end, err := time.ParseInLocation("2006-01-02T15:04:05", r["timepoint"], Shanghai)
		if err != nil {
			t.Fatal(err)
		}
		res := Hourly(ForHourEnding(end), &in)
		var want []string
		for _, p := range strings.Split(r["primarypollutant"], ",") {
			if p != "" {
				want = append(want, cnemcPrimary[p])
			}
		}
		if got := res.AQI; res.NA || got != atoi(t, r["aqi"]) || res.Primary.Join("+") != strings.Join(want, "+") {
			t.Errorf("line %d %s %s: AQI %d NA %v primary %q, published %s %q", i+2, r["timepoint"], r["stationcode"],
				got, res.NA, res.Primary.Join("+"), r["aqi"], r["primarypollutant"])
		}
		checked++
	}
	if checked != 107 {
		t.Errorf("checked %d complete rows, the file has 107", checked)
	}
}

func atoi(t *testing.T, s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("not an integer: %q", s)
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// The published 8-h O3 (the archive's o3_8h_24h column, day-bounded) is recomputed from
// the published 1-h O3 (o3_24h) wherever the window holds all 8 hours of the day.
func TestCNEMCPublished8hO3(t *testing.T) {
	rows := loadCNEMC(t)
	days := map[string]*StationDay{}
	type pub struct {
		station string
		slot    int
		value   string
	}
	var published []pub
	for _, r := range rows {
		end, err := time.ParseInLocation("2006-01-02T15:04:05", r["timepoint"], Shanghai)
		if err != nil {
			t.Fatal(err)
		}
		day, slot, _ := HourSlot(end)
		if day != DayFromDate(2022, 6, 1) {
			continue // the 00:00 row closes 31 May
		}
		d := days[r["stationcode"]]
		if d == nil {
			d = &StationDay{}
			days[r["stationcode"]] = d
		}
		if r["o3_24h"] != "" {
			d.set(O3, slot, int32(dec(t, r["o3_24h"]).Units(3)))
		}
		if r["o3_8h_24h"] != "" {
			published = append(published, pub{r["stationcode"], slot, r["o3_8h_24h"]})
		}
	}
	checked := 0
	for _, p := range published {
		m := days[p.station].Mean8h(p.slot)
		if p.slot < 7 || m.N != 8 {
			continue
		}
		if got := m.Rounded(O3).String(); got != p.value {
			t.Errorf("%s window ending slot %d: %s, published %s", p.station, p.slot, got, p.value)
		}
		checked++
	}
	if checked != 9 {
		t.Errorf("checked %d complete windows, the file has 9", checked)
	}
}
