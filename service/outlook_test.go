package service

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/envwatch/envwatch/api"
)

// The outlook where a bureau reads it — report (text and JSON), the today page and
// /metrics — for the Luoyang example fed three years of its simulate source, on 6 December
// 2026: every air target not yet decided has a probability with its basis in all four, the
// same figure; and no target is "at risk" whose remaining mean lies below every stretch as
// long in the past years' daily values, read back from GET /api/v1/daily.
func TestOutlookWhereBureausReadIt(t *testing.T) {
	if testing.Short() {
		t.Skip("three years of simulated hours through the engine")
	}
	now := time.Date(2026, 12, 6, 11, 30, 0, 0, time.FixedZone("CST", 8*3600))
	s := exampleGeneration(t, time.Date(2023, 12, 31, 0, 0, 0, 0, now.Location()), now)

	var buf bytes.Buffer
	if _, err := s.Report(context.Background(), &buf, api.ReportQuery{Area: "luoyang", Year: 2026, Format: "json"}, now); err != nil {
		t.Fatal(err)
	}
	var rep struct {
		AsOf       string `json:"as_of"`
		Indicators []struct {
			Indicator string   `json:"indicator"`
			Name      string   `json:"name"`
			Status    string   `json:"status"`
			Required  *float64 `json:"required_remaining_mean"`
			Outlook   *struct {
				P         float64 `json:"probability"`
				PastYears int     `json:"past_years"`
				Sims      int     `json:"simulations"`
				Basis     string  `json:"basis"`
			} `json:"outlook"`
		} `json:"indicators"`
	}
	if err := json.Unmarshal(buf.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if _, err := s.Report(context.Background(), &text, api.ReportQuery{Area: "luoyang", Year: 2026, Format: "text"}, now); err != nil {
		t.Fatal(err)
	}
	metrics := exposition(t, s, now)
	rec := httptest.NewRecorder()
	pg := s.Pages()
	pg.Now = func() time.Time { return now }
	pg.ServeHTTP(rec, httptest.NewRequest("GET", "/pages/today?area=luoyang", nil))
	page := rec.Body.String()

	forecast := 0
	for _, r := range rep.Indicators {
		// Water is not simulated (a dozen samples a year per site; docs/targets.md): its
		// statuses stay arithmetic, without a probability.
		water := strings.HasPrefix(r.Indicator, "sections_") || strings.HasPrefix(r.Indicator, "drinking_water_")
		if water || r.Status == "" || r.Status == "met" || r.Status == "missed" || r.Status == "insufficient_data" {
			if r.Outlook != nil {
				t.Errorf("%s (%s): a probability for a decided target", r.Indicator, r.Status)
			}
			continue
		}
		if r.Outlook == nil {
			t.Errorf("%s (%s): no probability with two past years", r.Indicator, r.Status)
			continue
		}
		forecast++
		o := r.Outlook
		if o.PastYears != 2 || o.Sims != 4000 || o.Basis != "由 2 个往年同期模拟 4000 次" {
			t.Errorf("%s: basis %+v", r.Indicator, o)
		}
		pct := strconv.Itoa(int(math.Round(o.P*100))) + "%"
		line := ""
		for _, l := range strings.Split(text.String(), "\n") {
			if strings.Contains(l, r.Name) && strings.Contains(l, "按期完成概率") {
				line = l
			}
		}
		if !strings.Contains(line, "按期完成概率 "+pct+"；") || !strings.Contains(line, o.Basis) {
			t.Errorf("%s: the text report says %q, want probability %s and its basis", r.Indicator, line, pct)
		}
		if want := fmt.Sprintf(`envwatch_target_probability{area="luoyang",indicator=%q,year="2026"} %s`, r.Indicator, strconv.FormatFloat(o.P, 'g', -1, 64)); !strings.Contains(metrics, want) {
			t.Errorf("%s: /metrics lacks %s", r.Indicator, want)
		}
		if !strings.Contains(page, `data-path="indicators/`+r.Indicator+`/outlook/probability" data-value=`) &&
			!strings.Contains(page, `data-path="indicators/`+r.Indicator+`/outlook/probability">`) {
			t.Errorf("%s: the today page shows no probability", r.Indicator)
		}
		// At risk only where the past years have seen a rest of the year as clean.
		if r.Status == "at_risk" && r.Required != nil && (r.Indicator == "pm2_5_mean" || r.Indicator == "pm10_mean") {
			if low := lowestStretch(t, s, strings.TrimSuffix(r.Indicator, "_mean"), rep.AsOf); *r.Required < low {
				t.Errorf("%s: at risk with the rest of the year needing %.1f, below any stretch of the past years (%.1f)", r.Indicator, *r.Required, low)
			}
		}
	}
	if forecast == 0 {
		t.Fatal("no target left to forecast: the fixture decides nothing")
	}
}

// lowestStretch is the lowest mean of a pollutant's daily values (GET /api/v1/daily) over
// any run of as many consecutive days as remain after asOf, in the two years before.
func lowestStretch(t *testing.T, s *Generation, pollutant, asOf string) float64 {
	t.Helper()
	end, _ := time.Parse(time.DateOnly, asOf)
	n := int(time.Date(end.Year(), 12, 31, 0, 0, 0, 0, time.UTC).Sub(end).Hours() / 24)
	h := &api.Handler{Svc: &answers{s: s}}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", fmt.Sprintf("/api/v1/daily?area=luoyang&from=%d-01-01&to=%d-12-31", end.Year()-2, end.Year()-1), nil))
	var days []struct {
		Values map[string]*float64 `json:"values"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &days); err != nil {
		t.Fatal(err)
	}
	low := math.Inf(1)
	for i := 0; i+n <= len(days); i++ {
		sum, k := 0.0, 0
		for _, d := range days[i : i+n] {
			if v := d.Values[pollutant]; v != nil {
				sum, k = sum+*v, k+1
			}
		}
		if k > 0 {
			low = math.Min(low, sum/float64(k))
		}
	}
	return low
}
