package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fakeService records what the handler asked for; the real service is tested end to end
// in cmd/envwatch.
type fakeService struct{ asked []string }

func (f *fakeService) Report(_ context.Context, w io.Writer, q ReportQuery) (string, error) {
	f.asked = append(f.asked, fmt.Sprintf("report %s %d %s", q.Area, q.Year, q.Format))
	if q.Area == "nowhere" {
		return "", Errorf(http.StatusNotFound, "no area %q", q.Area)
	}
	fmt.Fprint(w, `{"area":"luoyang"}`)
	return "", nil
}
func (f *fakeService) Daily(context.Context, io.Writer, DailyQuery) error   { return nil }
func (f *fakeService) Assess(context.Context, io.Writer, AssessQuery) error { return nil }
func (f *fakeService) Now(_ context.Context, w io.Writer, area, lang string) error {
	f.asked = append(f.asked, "now "+area+" "+lang)
	fmt.Fprint(w, `{"area":"`+area+`"}`)
	return nil
}
func (f *fakeService) Sites() *Sites { return &Sites{Areas: []SiteArea{}} }
func (f *fakeService) StartBackfill(BackfillQuery) (*Job, error) {
	return nil, Errorf(http.StatusNotFound, "no source")
}
func (f *fakeService) Jobs() *Jobs                                   { return NewJobs(context.Background()) }
func (f *fakeService) Spool(io.Writer, string, uint64) error         { return nil }
func (f *fakeService) Rebuild(context.Context, io.Writer, int) error { return nil }
func (f *fakeService) DryRun(_ context.Context, w io.Writer, source string) (string, error) {
	if source == "big" {
		w.Write(make([]byte, maxDryRun+1))
	}
	return "dry run of " + source, nil
}

func TestHandlerRefusalsAndRoutes(t *testing.T) {
	svc := &fakeService{}
	h := &Handler{Svc: svc}
	for row, tc := range []struct {
		method, url string
		status      int
		body        string
	}{
		{"GET", "/api/v1/report?area=luoyang&year=2026&format=json", 200, `{"area":"luoyang"}`},
		{"GET", "/api/v1/report?area=luoyang&year=twenty", 400, `year "twenty": want a year`},
		{"GET", "/api/v1/report?area=nowhere&year=2026", 404, `no area "nowhere"`},
		{"POST", "/api/v1/report?area=luoyang&year=2026", 405, "use GET"},
		{"GET", "/api/v1/now?area=luoyang&lang=en", 200, `{"area":"luoyang"}`},
		{"GET", "/api/v1/now", 400, "give area"},
		{"POST", "/api/v1/spool/drop", 403, "--web.enable-admin-api"},
		{"GET", "/api/v1/rebuild?year=2026", 403, "--web.enable-admin-api"},
		{"GET", "/api/v1/nosuch", 404, "docs/api.md"},
		// Parameters the endpoint does not take, or values outside their set: 400 before any
		// work, never silently ignored.
		{"GET", "/api/v1/report?area=luoyang&year=2026&lang=fr", 400, `lang "fr": want zh or en`},
		{"GET", "/api/v1/report?area=luoyang&year=2026&format=csv&table=month", 400, `table "month": want indicators or monthly`},
		{"GET", "/api/v1/report?area=luoyang&year=2026&yaer=1", 400, `unknown parameter "yaer" (did you mean "year"?)`},
		{"GET", "/api/v1/report?area=luoyang&year=1900", 400, "year 1900: want a year between 2000 and 2100"},
		{"GET", "/api/v1/report?area=luoyang&year=2026&year=2025", 400, `parameter "year" given 2 times`},
		{"GET", "/api/v1/report?area=luoyang&year=2026&daily=yes", 400, `daily "yes": want true or false`},
		{"GET", "/api/v1/daily?area=luoyang&station=1812A&from=2026-01-01&to=2026-01-02", 400, "give area or station, not both"},
		{"GET", "/api/v1/daily?area=luoyang&format=xml", 400, `format "xml": want json or csv`},
		{"GET", "/api/v1/now?area=luoyang&station=1812A", 400, `unknown parameter "station": /now takes only area, lang`},
		{"GET", "/api/v1/sites?area=luoyang", 400, "/sites takes no parameters"},
		{"GET", "/api/v1/assessment?area=luoyang&month=2026-11&table=totals", 400, `table "totals": want compensation or ranking`},
		{"GET", "/api/v1/dryrun", 400, "give source"},
		{"GET", "/api/v1/dryrun?source=demo&from=2026-01-01", 400, `unknown parameter "from"`},
		{"POST", "/api/v1/dryrun?source=demo", 405, "use GET"},
		{"GET", "/api/v1/dryrun?source=big", 413, "more than 64 MiB"},
	} {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.url, nil))
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.body) {
				t.Errorf("%s %s: %d %q, want %d with %q", tc.method, tc.url, rec.Code, rec.Body.String(), tc.status, tc.body)
			}
		})
	}
	// With the admin API on, mutating endpoints still take POST only, and their parameters
	// are checked too.
	h.Admin = true
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/api/v1/backfills?source=a&from=2026-01-01&to=2026-01-02&froce=true", nil))
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"froce" (did you mean "force"?)`) {
		t.Errorf("backfill with a misspelt parameter: %d %q", rec.Code, rec.Body.String())
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/spool/drop", nil))
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "POST" {
		t.Errorf("GET on a mutating endpoint with the admin API on: %d %v", rec.Code, rec.Header())
	}
	if want := []string{"report luoyang 2026 json", "report nowhere 2026 json", "now luoyang en"}; strings.Join(svc.asked, "|") != strings.Join(want, "|") {
		t.Errorf("the service was asked %q, want %q", svc.asked, want)
	}
}
