package service

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/reading"
)

// GET /api/v1/now on the real hours of 1 June 2022 (testdata/README.md): the stations'
// published AQIs at 23:00, the district's real-time AQI 81 (PM10), the provisional day 157
// from the day's 20 hours so far (the file has no 09:00, 10:00 or 19:00, and its
// 00:00 hour ends 31 May), and the age of each station's newest hour; past 3 h the
// stations and the headline hour are stale; after midnight today has no hour yet.
func TestNowOnRealHours(t *testing.T) {
	s := fixtureStack(t, t.TempDir())
	defer s.Close()
	if _, err := s.pl.Handle(context.Background(), &reading.Batch{Source: "fixture", Readings: realHours(t)}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2022, 6, 1, 23, 30, 0, 0, airquality.Shanghai) // half an hour after the newest hour (22:00–23:00) ends
	var buf bytes.Buffer
	if err := s.Now(context.Background(), &buf, "xigong", "zh", now); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Hour *struct {
			End      string         `json:"end"`
			Age      int64          `json:"age_seconds"`
			Stale    bool           `json:"stale"`
			AQI      *int           `json:"aqi"`
			Category string         `json:"category"`
			Primary  []string       `json:"primary"`
			IAQI     map[string]int `json:"iaqi"`
		} `json:"hour"`
		Today *struct {
			Date  string `json:"date"`
			AQI   *int   `json:"aqi"`
			Hours int    `json:"hours"`
		} `json:"today"`
		Stations []struct {
			Code  string `json:"code"`
			AQI   *int   `json:"aqi"`
			Age   *int64 `json:"age_seconds"`
			Stale bool   `json:"stale"`
		} `json:"stations"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Hour == nil || got.Hour.End != "2022-06-01T23:00:00+08:00" || got.Hour.AQI == nil || *got.Hour.AQI != 81 ||
		got.Hour.Category != "良" || len(got.Hour.Primary) != 1 || got.Hour.Primary[0] != "pm10" || got.Hour.IAQI["pm10"] != 81 || got.Hour.Age != 1800 || got.Hour.Stale {
		t.Errorf("hour: %s", buf.String())
	}
	if got.Today == nil || got.Today.Date != "2022-06-01" || got.Today.AQI == nil || *got.Today.AQI != 157 || got.Today.Hours != 20 {
		t.Errorf("today: %s", buf.String())
	}
	want := map[string]int{"1812A": 79, "1814A": 84}
	for _, st := range got.Stations {
		if st.AQI == nil || *st.AQI != want[st.Code] || st.Age == nil || *st.Age != 1800 || st.Stale {
			t.Errorf("station %s: %s", st.Code, buf.String())
		}
	}
	if len(got.Stations) != 2 {
		t.Errorf("%d stations, want 2", len(got.Stations))
	}
	// Half an hour after midnight: a new day without an hour yet.
	buf.Reset()
	s.Now(context.Background(), &buf, "xigong", "en", now.Add(time.Hour))
	if !bytes.Contains(buf.Bytes(), []byte(`"today": null`)) {
		t.Errorf("after midnight: %s", buf.String())
	}
	// A second over 3 h after the newest hour, both stations and the headline are stale.
	buf.Reset()
	s.Now(context.Background(), &buf, "xigong", "en", now.Add(150*time.Minute+time.Second))
	if !bytes.Contains(buf.Bytes(), []byte(`"stale_stations": [
    "1812A",
    "1814A"
  ]`)) || !bytes.Contains(buf.Bytes(), []byte(`"category": "Good"`)) || !bytes.Contains(buf.Bytes(), []byte(`"age_seconds": 10801,
    "stale": true,`)) {
		t.Errorf("stale after 3 h: %s", buf.String())
	}
}
