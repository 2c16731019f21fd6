package httpjson

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/envwatch/envwatch/collector"
	"github.com/envwatch/envwatch/config"
	"github.com/envwatch/envwatch/reading"
)

func values(r reading.Reading) string {
	var out []string
	for _, v := range r.Values {
		out = append(out, v.Code+"="+v.V.String())
	}
	return strings.Join(out, " ")
}

// server replays a recorded response, or misbehaves as mode says.
func server(t *testing.T, body string, mode *atomic.Value, wantKey func(*http.Request) bool) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !wantKey(r) {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		switch mode.Load().(string) {
		case "429":
			http.Error(w, "slow down", http.StatusTooManyRequests)
		case "500":
			http.Error(w, "boom", 500)
		case "slow":
			time.Sleep(500 * time.Millisecond)
			w.Write([]byte(body))
		case "truncated":
			w.Write([]byte(body[:len(body)/2]))
		case "schema":
			w.Write([]byte(`{"status":"ok","data":{"measurements":[]},"results":{"not":"a list"}}`))
		default:
			w.Write([]byte(body))
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func newSource(t *testing.T, k *config.HTTPJSON, url string) *Source {
	t.Helper()
	k.URL = url + "/{{.ID}}"
	os.Setenv("TEST_HTTPJSON_KEY", "s3cr3t")
	k.APIKeyEnv = "TEST_HTTPJSON_KEY"
	src, err := New(config.Source{Name: "api", Kind: "http_json", Timeout: config.Duration(200 * time.Millisecond), HTTPJSON: k},
		collector.Env{Location: time.FixedZone("CST", 8*3600)})
	if err != nil {
		t.Fatal(err)
	}
	return src.(*Source)
}

func TestOpenAQAndFailures(t *testing.T) {
	body, _ := os.ReadFile("testdata/openaq_v3_latest.json")
	var mode atomic.Value
	mode.Store("ok")
	srv := server(t, string(body), &mode, func(r *http.Request) bool { return r.Header.Get("X-API-Key") == "s3cr3t" })
	src := newSource(t, &config.HTTPJSON{Preset: PresetOpenAQ, Stations: map[string]string{"7001": "1812A"},
		Sensors: map[string]string{"12001": "pm2_5", "12002": "pm10"}}, srv.URL)
	ctx := context.Background()
	b, err := src.Fetch(ctx, collector.Window{})
	if err != nil {
		t.Fatal(err)
	}
	// The unmapped sensor 12009 is ignored, not an error.
	if len(b.Readings) != 1 || len(b.Rejects) != 0 || b.Readings[0].Site != "1812A" ||
		b.Readings[0].End.Format(time.RFC3339) != "2024-03-20T06:00:00Z" || values(b.Readings[0]) != "pm2_5=35 pm10=58" {
		t.Fatalf("OpenAQ: %+v", b)
	}
	for _, m := range []string{"429", "500", "slow", "truncated", "schema"} {
		mode.Store(m)
		_, err := src.Fetch(ctx, collector.Window{})
		if err == nil {
			t.Errorf("%s: no error", m)
			continue
		}
		if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("%s: the API key leaks into the error: %v", m, err)
		}
		if m == "schema" && !errors.Is(err, ErrSchema) {
			t.Errorf("changed schema: %v, want ErrSchema", err)
		}
	}
	mode.Store("ok")
	if b, err := src.Fetch(ctx, collector.Window{}); err != nil || len(b.Readings) != 1 {
		t.Errorf("recovery: %v %+v", err, b)
	}
}

func TestWAQI(t *testing.T) {
	body, _ := os.ReadFile("testdata/waqi_city.json")
	var mode atomic.Value
	mode.Store("ok")
	srv := server(t, string(body), &mode, func(r *http.Request) bool { return r.URL.Query().Get("token") == "s3cr3t" })
	src := newSource(t, &config.HTTPJSON{Preset: PresetWAQI, Stations: map[string]string{"luoyang": "1812A"}}, srv.URL)
	b, err := src.Fetch(context.Background(), collector.Window{})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Readings) != 1 || values(b.Readings[0]) != "pm10=67.1 pm2_5=34.4" || b.Readings[0].End.Format(time.RFC3339) != "2024-03-20T06:00:00Z" {
		t.Errorf("WAQI: %+v", b.Readings)
	}
	mode.Store("truncated")
	if _, err := src.Fetch(context.Background(), collector.Window{}); err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("truncated: %v", err)
	}
}

// Requests respect the minimum interval.
func TestMinInterval(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte(`{"results":[]}`))
	}))
	defer srv.Close()
	src := newSource(t, &config.HTTPJSON{Stations: map[string]string{"a": "1812A"}, Records: "results", Time: "t", Value: "v", Pollutant: "p",
		MinInterval: config.Duration(10 * time.Minute)}, srv.URL)
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	src.Now = func() time.Time { return now }
	src.Fetch(context.Background(), collector.Window{})
	now = now.Add(5 * time.Minute)
	src.Fetch(context.Background(), collector.Window{})
	now = now.Add(6 * time.Minute)
	src.Fetch(context.Background(), collector.Window{})
	if hits.Load() != 2 {
		t.Errorf("%d requests, want 2 (the second is within min_interval)", hits.Load())
	}
}

func TestGenericLongFormat(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"data":{"rows":[{"ts":"2024-03-20 14:00:00","param":"PM2.5","val":41},{"ts":"2024-03-20 14:00:00","param":"NO2","val":"x"},{"ts":"bad","param":"PM2.5","val":1}]}}`))
	}))
	defer srv.Close()
	src := newSource(t, &config.HTTPJSON{Stations: map[string]string{"a": "1812A"}, Records: "data.rows", Time: "ts", Value: "val",
		Pollutant: "param", Pollutants: map[string]string{"PM2.5": "pm2_5", "NO2": "no2"}}, srv.URL)
	b, err := src.Fetch(context.Background(), collector.Window{})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Readings) != 1 || values(b.Readings[0]) != "pm2_5=41" || b.Readings[0].End.Format(time.RFC3339) != "2024-03-20T06:00:00Z" || len(b.Rejects) != 2 {
		t.Errorf("generic: %+v", b)
	}
	if b.Rejects[0].Detail != `site a record 1: val: invalid value "x"` {
		t.Errorf("reject %q", b.Rejects[0].Detail)
	}
}

func TestParsePath(t *testing.T) {
	for in, want := range map[string]string{"data.iaqi.pm25.v": "data.iaqi.pm25.v", "results[0].value": "results[0].value", "a[1][2]": "a[1][2]"} {
		p, err := ParsePath(in)
		if err != nil || p.String() != want {
			t.Errorf("ParsePath(%q) = %v %v", in, p, err)
		}
	}
	for _, bad := range []string{"a..b", "a[x]", "a[1", "a[1]b"} {
		if _, err := ParsePath(bad); err == nil {
			t.Errorf("ParsePath(%q) accepted", bad)
		}
	}
}

func FuzzExtract(f *testing.F) {
	b1, _ := os.ReadFile("testdata/openaq_v3_latest.json")
	b2, _ := os.ReadFile("testdata/waqi_city.json")
	f.Add(b1)
	f.Add(b2)
	oa, _, _ := mapping(&config.HTTPJSON{Preset: PresetOpenAQ, Sensors: map[string]string{"12001": "pm2_5"}})
	wq, _, _ := mapping(&config.HTTPJSON{Preset: PresetWAQI})
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, m := range []Mapping{oa, wq} {
			var doc any
			if err := jsonDecode(body, &doc); err != nil {
				return
			}
			_, _, _ = m.extract(doc, "1812A", "x", time.UTC)
		}
	})
}

// A feed that sends particles in mg/m³ and CO in µg/m³ is converted to GB 3095's units
// (1 mg = 1000 µg), not read as a thousand times cleaner (or dirtier) air.
func TestUnitsPerPollutant(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"t":"2024-03-20 14:00:00","pm25":0.041,"co":850,"no2":"32"}`))
	}))
	defer srv.Close()
	src := newSource(t, &config.HTTPJSON{Stations: map[string]string{"a": "1812A"}, Time: "t",
		Values: map[string]string{"pm2_5": "pm25", "co": "co", "no2": "no2"},
		Units:  map[string]string{"pm2_5": "mg/m3", "co": "µg/m³"}}, srv.URL)
	b, err := src.Fetch(context.Background(), collector.Window{})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Readings) != 1 || values(b.Readings[0]) != "co=0.85 no2=32 pm2_5=41" {
		t.Errorf("converted: %+v", b.Readings)
	}
	// Units on the waqi_city preset are refused by the configuration (examples/bad/waqi-units.yaml).
}

// A body within the size limit can still expand when decoded; it is refused from its
// tokens before anything is kept: too many values, or nested too deep.
func TestJSONBodyBounded(t *testing.T) {
	for name, body := range map[string]string{
		"values": "[" + strings.Repeat("0,", 300_000) + "0]",
		"depth":  strings.Repeat("[", 100) + strings.Repeat("]", 100),
	} {
		t.Run(name, func(t *testing.T) {
			var doc any
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			err := jsonDecode([]byte(body), &doc)
			runtime.ReadMemStats(&after)
			if err == nil || doc != nil {
				t.Fatalf("decoded a hostile body (err %v)", err)
			}
			if got := after.HeapAlloc - min(after.HeapAlloc, before.HeapAlloc); got > 8<<20 {
				t.Errorf("live heap grew by %d bytes", got)
			}
		})
	}
	var doc any
	if err := jsonDecode([]byte(`{"t":"2024-03-20 14:00:00","pm25":41}`), &doc); err != nil {
		t.Errorf("an ordinary body refused: %v", err)
	}
}
