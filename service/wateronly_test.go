package service

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/envwatch/envwatch/api"
)

// withoutAir is the Luoyang example without its air stations (and the air targets and
// rankings that need them): a bureau's water-only configuration.
func withoutAir(b []byte) []byte {
	cut := func(b []byte, from, to string) []byte {
		i, j := bytes.Index(b, []byte(from)), bytes.Index(b, []byte(to))
		if i < 0 || j < i {
			return b
		}
		return append(append([]byte{}, b[:i]...), b[j:]...)
	}
	b = cut(b, "\nair_stations:\n", "\nwater_sections:\n")
	if i := bytes.Index(b, []byte("\ntargets:\n")); i >= 0 {
		b = b[:i+1]
	}
	return b
}

// A water-only area shows its water, says once that it has no air station, and shows no
// empty air section; its report's data end is its newest sample's day and no air day
// counts as unreported (the issue found data_end null, 339 unreported days and empty air
// calendars).
func TestWaterOnlyPages(t *testing.T) {
	now := time.Date(2026, 12, 6, 11, 30, 0, 0, time.FixedZone("CST", 8*3600))
	s := exampleGenerationOf(t, time.Date(2026, 1, 1, 0, 0, 0, 0, now.Location()), now, withoutAir)
	if len(s.cfg.Stations) != 0 || len(s.cfg.Sections) == 0 {
		t.Fatalf("the configuration has %d air stations and %d sections", len(s.cfg.Stations), len(s.cfg.Sections))
	}
	pg := s.Pages()
	pg.Now = func() time.Time { return now }
	get := func(url string) string {
		t.Helper()
		rec := httptest.NewRecorder()
		pg.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
		if rec.Code != 200 {
			t.Fatalf("%s: %d %s", url, rec.Code, rec.Body.String())
		}
		return rec.Body.String()
	}
	for _, url := range []string{"/pages/today?area=luoyang", "/pages/month?area=luoyang&month=2026-11", "/pages/year?area=luoyang&year=2026"} {
		body := get(url)
		if !strings.Contains(body, "该区域未配置空气自动监测站点") {
			t.Errorf("%s does not say the area has no air station", url)
		}
		for _, air := range []string{"逐日空气质量日历", "本月逐日 AQI", "实时 AQI", "各站点最新数据", "逐月 PM2.5", `class="chart calendar"`, `class="chart strip"`} {
			if strings.Contains(body, air) {
				t.Errorf("%s shows the air section %q", url, air)
			}
		}
	}
	if body := get("/pages/year?area=luoyang&year=2026"); !strings.Contains(body, "地表水断面与饮用水水源地") || !strings.Contains(body, "黄河大横岭") {
		t.Error("the year page does not show the water sections")
	}

	var rep struct {
		DataEnd     *string `json:"data_end"`
		AsOf        string  `json:"as_of"`
		NotReported int     `json:"not_reported_days"`
		NADays      []string
	}
	var out bytes.Buffer
	if _, err := s.Report(t.Context(), &out, api.ReportQuery{Area: "luoyang", Year: 2026, Format: "json"}, now); err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(out.Bytes(), &rep)
	if rep.DataEnd == nil || *rep.DataEnd < "2026-11-01" || *rep.DataEnd > rep.AsOf || rep.NotReported != 0 {
		t.Errorf("data_end %v (as of %s), not reported %d: want the newest sample's day and none unreported", rep.DataEnd, rep.AsOf, rep.NotReported)
	}
}
