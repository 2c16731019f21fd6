package service

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func TestAcceptsGzip(t *testing.T) {
	for header, want := range map[string]bool{
		"gzip": true, "gzip, deflate": true, "deflate, gzip;q=0.5": true, "gzip;q=0": false, "gzip; q=0.000": false,
		"": false, "identity": false, "*": true, "*;q=0": false, "*;q=0, gzip": true, "gzip;q=0, *": false, "gzip;q=0.01": true,
	} {
		if got := acceptsGzip(header); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", header, got, want)
		}
	}
}

// The exposition compressed at best speed decodes to exactly what promhttp sends
// uncompressed; a client that does not accept gzip gets it as is.
func TestFastGzipExposition(t *testing.T) {
	reg := prometheus.NewRegistry()
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "envwatch_test", Help: "Test."}, []string{"station"})
	reg.MustRegister(g)
	for i := range 500 {
		g.WithLabelValues(fmt.Sprintf("S%03d", i)).Set(float64(i))
	}
	h := fastGzip(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	get := func(ae string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		if ae != "" {
			req.Header.Set("Accept-Encoding", ae)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	plain := get("")
	if plain.Header().Get("Content-Encoding") != "" || !strings.Contains(plain.Body.String(), `envwatch_test{station="S007"} 7`) {
		t.Fatalf("identity answer: %v %q…", plain.Header(), plain.Body.String()[:80])
	}
	zipped := get("gzip")
	if zipped.Code != http.StatusOK || zipped.Header().Get("Content-Encoding") != "gzip" || !strings.Contains(strings.Join(zipped.Header().Values("Vary"), ","), "Accept-Encoding") {
		t.Fatalf("gzip answer: %d %v", zipped.Code, zipped.Header())
	}
	zr, err := gzip.NewReader(zipped.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(body, plain.Body.Bytes()) {
		t.Errorf("decompressed exposition differs from the identity one (%d vs %d bytes)", len(body), plain.Body.Len())
	}
}
