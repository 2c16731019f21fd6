package service

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/envwatch/envwatch/api"
)

// openAPI compiles the schemas of api/openapi.yaml.
type openAPI struct {
	c   *jsonschema.Compiler
	doc map[string]any
}

func loadOpenAPI(t *testing.T) *openAPI {
	t.Helper()
	b, err := os.ReadFile("../api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	// Through JSON: the validator takes JSON values (float64 numbers, no YAML types).
	j, _ := json.Marshal(doc)
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource("openapi.json", v); err != nil {
		t.Fatal(err)
	}
	return &openAPI{c: c, doc: doc}
}

// validate checks an answer against the schema of (path, method, status, content type).
func (o *openAPI) validate(t *testing.T, path, method string, status int, body []byte) {
	t.Helper()
	ptr := "openapi.json#/paths/" + strings.NewReplacer("/", "~1", "{", "%7B", "}", "%7D").Replace(templ(path)) + "/" + strings.ToLower(method) +
		"/responses/" + itoa(status) + "/content/application~1json/schema"
	s, err := o.c.Compile(ptr)
	if err != nil {
		t.Errorf("%s %s %d: no schema in api/openapi.yaml: %v", method, path, status, err)
		return
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Errorf("%s %s: not JSON: %v", method, path, err)
		return
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("%s %s %d does not match api/openapi.yaml:\n%v", method, path, status, err)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// Every endpoint's real answers match api/openapi.yaml — the Luoyang example fed three
// months of its simulate source, the admin API on — and every endpoint in the document is
// exercised; a refusal is plain text with its status.
func TestAPIMatchesOpenAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("three months of simulated hours through the engine")
	}
	now := time.Now()
	s := exampleGeneration(t, now.AddDate(0, -3, 0), now)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := &api.Handler{Svc: &answers{s: s, jobs: api.NewJobs(ctx)}, Admin: true}
	o := loadOpenAPI(t)
	year := now.Format("2006")
	month := now.AddDate(0, -1, 0).Format("2006-01")
	day := func(d int) string { return now.AddDate(0, 0, d).Format(time.DateOnly) }
	covered := map[string]bool{}
	call := func(method, path, query string, want int) []byte {
		t.Helper()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, path+"?"+query, nil))
		if rec.Code != want {
			t.Fatalf("%s %s?%s: %d %s, want %d", method, path, query, rec.Code, rec.Body.String(), want)
		}
		ct := rec.Header().Get("Content-Type")
		switch {
		case rec.Code >= 400 && !strings.HasPrefix(ct, "text/plain"):
			t.Errorf("%s %s: refusal as %q, want text/plain", method, path, ct)
		case strings.HasPrefix(ct, "application/json"):
			o.validate(t, path, method, rec.Code, rec.Body.Bytes())
		}
		covered[method+" "+templ(path)] = true
		return rec.Body.Bytes()
	}
	for _, lang := range []string{"zh", "en"} {
		call("GET", "/api/v1/report", "area=luoyang&year="+year+"&lang="+lang, 200)
		call("GET", "/api/v1/assessment", "area=luoyang&month="+month+"&lang="+lang, 200)
		call("GET", "/api/v1/now", "area=luoyang&lang="+lang, 200)
	}
	call("GET", "/api/v1/report", "area=xigong&year="+year+"&as_of="+day(-40), 200)
	call("GET", "/api/v1/report", "area=luoyang&year=2026x", 400)
	call("GET", "/api/v1/daily", "area=luoyang&from="+day(-10)+"&to="+day(-1), 200)
	call("GET", "/api/v1/daily", "station=1812A&from="+day(-10)+"&to="+day(-1), 200)
	call("GET", "/api/v1/daily", "area=nowhere&from="+day(-10)+"&to="+day(-1), 404)
	call("GET", "/api/v1/sites", "", 200)
	if lp := call("GET", "/api/v1/dryrun", "source=demo", 200); !bytes.HasPrefix(lp, []byte("air_hourly,station=")) {
		t.Errorf("dry run beside the service: %.200s", lp)
	}
	call("GET", "/api/v1/dryrun", "source=nosuch", 400)
	call("GET", "/api/v1/spool", "", 200)
	call("POST", "/api/v1/spool/retry", "", 200)
	call("POST", "/api/v1/spool/drop", "", 200)
	call("POST", "/api/v1/rebuild", "year=1999", 400)
	covered["POST /api/v1/rebuild"] = true // a real rebuild needs InfluxDB: cmd/envwatch tests it
	var job api.JobStatus
	json.Unmarshal(call("POST", "/api/v1/backfills", "source=demo&from="+day(-3)+"&to="+day(-2), 202), &job)
	call("POST", "/api/v1/backfills/"+job.ID+"/cancel", "", 200)
	j, _ := h.Svc.Jobs().Get(job.ID)
	j.Wait(context.Background())
	call("GET", "/api/v1/backfills/"+job.ID, "", 200)
	call("GET", "/api/v1/backfills", "", 200)
	call("POST", "/api/v1/backfills", "source=demo&from="+day(1)+"&to="+day(2), 400)

	for p, item := range o.doc["paths"].(map[string]any) {
		for m := range item.(map[string]any) {
			if k := strings.ToUpper(m) + " " + p; !covered[k] {
				t.Errorf("%s is in api/openapi.yaml but not exercised", k)
			}
		}
	}
}

// templ turns a concrete path into its template (/api/v1/backfills/3 → …/{id}).
func templ(p string) string {
	parts := strings.Split(p, "/")
	if len(parts) >= 5 && parts[3] == "backfills" {
		parts[4] = "{id}"
	}
	return strings.Join(parts, "/")
}
