package service

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/api"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/reading"
)

// lines is a sink that keeps what it is given.
type lines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lines) WriteLines(_ context.Context, b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(b)
	return bytes.Count(b, []byte{'\n'}), nil
}

// points returns the fields of the points of a measurement, by their tags' values joined
// and their timestamp.
func (l *lines) points(measurement string) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, line := range strings.Split(l.buf.String(), "\n") {
		if !strings.HasPrefix(line, measurement+",") {
			continue
		}
		head, rest, _ := strings.Cut(line, " ")
		i := strings.LastIndexByte(rest, ' ')
		fields, ts := rest[:i], rest[i+1:]
		_, tags, _ := strings.Cut(head, ",")
		f := map[string]string{}
		for _, kv := range strings.Split(fields, ",") {
			k, v, _ := strings.Cut(kv, "=")
			f[k] = strings.Trim(v, `"`)
		}
		out[tags+" "+ts] = f // the last write of a point stands, as in InfluxDB
	}
	return out
}

// Every derived field written to InfluxDB equals the API's figure for the same day, month
// and section: the air day (GET /api/v1/daily), the area month (the report's monthly
// table) and the water month (the report's section, for a year whose only samples are in
// that month) — one engine per job: the derived series serialise indicator's rows.
func TestDerivedEqualsAPI(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfgPath, []byte(`state_dir: `+filepath.Join(dir, "state")+`
areas:
  - {id: city, name: 测试市, kind: city}
air_stations:
  - {code: S1, name: 一号站, area: city, latitude: 34.6, longitude: 112.4}
  - {code: S2, name: 二号站, area: city, latitude: 34.7, longitude: 112.5}
water_sections:
  - {code: W1, name: 一号断面, water_body: river, river: 洛河, level: national, target_class: III, area: city}
`), 0o600)
	sink := &lines{}
	s, err := Open(cfgPath, slog.New(slog.NewTextHandler(io.Discard, nil)), Mode{Sink: sink})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// 2025-10: every day of S1, the first 25 days of S2 (whose month is then not valid), PM2.5
	// changing with the day and hour so that means are not round.
	var rs []reading.Reading
	for d := airquality.DayFromDate(2025, 10, 1); d <= airquality.DayFromDate(2025, 10, 31); d++ {
		for slot := 0; slot < 24; slot++ {
			for i, st := range []string{"S1", "S2"} {
				if st == "S2" && d > airquality.DayFromDate(2025, 10, 25) {
					continue
				}
				_, _, dom := d.Date()
				vals := map[string]string{"pm2_5": fmt.Sprint(20 + dom + slot%5 + 7*i), "pm10": fmt.Sprint(60 + slot), "so2": "8", "no2": fmt.Sprint(25 + slot%3),
					"co": "0.6", "o3": fmt.Sprint(40 + 6*slot)}
				r := reading.Reading{Kind: reading.Air, Site: st, End: d.HourEnd(slot)}
				for code, v := range vals {
					x, _ := fixed.Parse(v)
					r.Values = append(r.Values, reading.Value{Code: code, V: x, Flag: "N"})
				}
				rs = append(rs, r)
			}
		}
	}
	for i, nh3n := range []string{"0.8", "1.7", "1.2"} {
		x, _ := fixed.Parse(nh3n)
		tp, _ := fixed.Parse("0.12")
		rs = append(rs, reading.Reading{Kind: reading.Water, Site: "W1", End: time.Date(2025, 10, 5+10*i, 2, 0, 0, 0, time.UTC),
			Values: []reading.Value{{Code: "nh3n", V: x, Flag: "N"}, {Code: "tp", V: tp, Flag: "N"}}})
	}
	if _, err := s.pl.Handle(context.Background(), &reading.Batch{Source: "t", Readings: rs}); err != nil {
		t.Fatal(err)
	}
	h := &api.Handler{Svc: &answers{s: s}}
	get := func(path string, into any) {
		t.Helper()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
		}
		if err := json.Unmarshal(rec.Body.Bytes(), into); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}

	// Air days.
	var days []struct {
		Date    string                  `json:"date"`
		Values  map[string]*json.Number `json:"values"`
		AQI     *int                    `json:"aqi"`
		AQI2026 *int                    `json:"aqi_2026"`
		Valid   bool                    `json:"valid"`
	}
	get("/api/v1/daily?area=city&from=2025-10-01&to=2025-10-31&format=json", &days)
	daily := sink.points("air_daily")
	if len(days) != 31 {
		t.Fatalf("%d API days", len(days))
	}
	for _, d := range days {
		day, _ := airquality.ParseDay(d.Date)
		p := daily["scope=area,area=city "+fmt.Sprint(day.Start().Unix())]
		if p == nil {
			t.Fatalf("%s: no air_daily point", d.Date)
		}
		for code, v := range d.Values {
			key := code
			if code == "o3" {
				key = "o3_8h"
			}
			want := "-1"
			if v != nil {
				want = v.String()
			}
			if p[key] != want {
				t.Errorf("%s %s: InfluxDB %s, API %s", d.Date, key, p[key], want)
			}
		}
		if want := intText(d.AQI); p["aqi"] != want || p["aqi_2026"] != intText(d.AQI2026) || (p["valid"] == "1") != d.Valid {
			t.Errorf("%s: InfluxDB aqi %s/%s valid %s, API %s/%s %v", d.Date, p["aqi"], p["aqi_2026"], p["valid"], want, intText(d.AQI2026), d.Valid)
		}
	}

	// The area month and the water month, from the report of 2025 (its only data).
	var rep struct {
		Monthly struct {
			ThisYear []struct {
				Month     string          `json:"month"`
				PM25Raw   json.RawMessage `json:"pm2_5"`
				PM25Valid bool            `json:"pm2_5_valid"`
				PM10Raw   json.RawMessage `json:"pm10"`
				PM10Valid bool            `json:"pm10_valid"`
				O3Raw     json.RawMessage `json:"o3_p90"`
				O3Valid   bool            `json:"o3_p90_valid"`
				ValidDays int             `json:"valid_days"`
				GoodDays  int             `json:"good_days"`
				Calendar  int             `json:"calendar_days"`
				Over100   int             `json:"exceedance_days"`
				DaysValid bool            `json:"days_valid"`
			} `json:"this_year"`
		} `json:"monthly"`
		Sites []struct {
			Code      string  `json:"code"`
			Samples   int     `json:"samples"`
			Class     *string `json:"class"`
			Compliant *bool   `json:"compliant"`
			Main      []struct {
				Item     string          `json:"item"`
				Multiple json.RawMessage `json:"multiple"`
			} `json:"main_pollutants"`
		} `json:"water_sites"`
	}
	get("/api/v1/report?area=city&year=2025&as_of=2025-12-31&format=json", &rep)
	monthly := sink.points("air_monthly")
	oct := monthly["area=city "+fmt.Sprint(airquality.DayFromDate(2025, 10, 1).Start().Unix())]
	checked := false
	for _, m := range rep.Monthly.ThisYear {
		if m.Month != "2025-10" {
			continue
		}
		checked = true
		for key, v := range map[string]string{"pm2_5": rawOrMissing(m.PM25Raw, m.PM25Valid), "pm10": rawOrMissing(m.PM10Raw, m.PM10Valid), "o3_p90": rawOrMissing(m.O3Raw, m.O3Valid),
			"valid": boolText(m.DaysValid), "valid_days": fmt.Sprint(m.ValidDays), "good_days": fmt.Sprint(m.GoodDays),
			"exceedance_days": fmt.Sprint(m.Over100), "calendar_days": fmt.Sprint(m.Calendar)} {
			if oct[key] != v {
				t.Errorf("air_monthly %s: InfluxDB %s, report %s", key, oct[key], v)
			}
		}
	}
	if !checked || oct == nil {
		t.Fatalf("October 2025: report month %v, point %v", checked, oct)
	}
	water := sink.points("water_period")
	w := water["section=W1,area=city,period=month "+fmt.Sprint(time.Date(2025, 10, 1, 0, 0, 0, 0, airquality.Shanghai).Unix())]
	if len(rep.Sites) == 0 || w == nil {
		t.Fatalf("sites %v, point %v", rep.Sites, w)
	}
	site := rep.Sites[0]
	var main []string
	for _, m := range site.Main {
		main = append(main, m.Item+":"+string(m.Multiple))
	}
	if w["class_name"] != *site.Class || w["target_met"] != boolText(*site.Compliant) || w["samples"] != fmt.Sprint(site.Samples) ||
		w["main_pollutants"] != strings.Join(main, ";") {
		t.Errorf("water_period %v, report %s compliant %v samples %d main %v", w, *site.Class, *site.Compliant, site.Samples, main)
	}
}

func intText(n *int) string {
	if n == nil {
		return "-1"
	}
	return fmt.Sprint(*n)
}

func boolText(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func rawOrMissing(raw json.RawMessage, valid bool) string {
	if !valid || len(raw) == 0 || string(raw) == "null" {
		return "-1"
	}
	return strings.Trim(string(raw), `"`)
}
