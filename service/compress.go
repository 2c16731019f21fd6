package service

import (
	"compress/gzip"
	"net/http"
	"strings"
	"sync"
)

// fastGzip compresses a response at gzip's best speed for a client that accepts gzip
// (Prometheus does). promhttp compresses at the default level, and deflating the 6.6 MB of
// a national exposition was 43 % of a scrape's CPU (docs/performance.md); BestSpeed takes
// a fraction of that for a somewhat larger body, which a scrape over a LAN does not notice.
func fastGzip(h http.Handler) http.Handler {
	pool := sync.Pool{New: func() any {
		w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed) // a valid level: cannot fail
		return w
	}}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// promhttp sets Vary: Accept-Encoding itself.
		if !acceptsGzip(r.Header.Get("Accept-Encoding")) {
			h.ServeHTTP(w, r)
			return
		}
		r = r.Clone(r.Context())
		r.Header.Del("Accept-Encoding") // the handler writes identity; we compress
		gz := pool.Get().(*gzip.Writer)
		defer pool.Put(gz)
		gz.Reset(w)
		w.Header().Set("Content-Encoding", "gzip")
		h.ServeHTTP(&gzipWriter{ResponseWriter: w, gz: gz}, r)
		gz.Close()
	})
}

// acceptsGzip reads an Accept-Encoding header: gzip listed without q=0, or else * so.
func acceptsGzip(header string) bool {
	star := false
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		ok := q == "" || !strings.HasPrefix(q, "q=0") || strings.Trim(strings.TrimPrefix(q, "q=0"), ".0") != ""
		switch strings.TrimSpace(name) {
		case "gzip":
			return ok
		case "*":
			star = ok
		}
	}
	return star
}

// gzipWriter sends what the handler writes through gz.
type gzipWriter struct {
	http.ResponseWriter
	gz *gzip.Writer
}

func (g *gzipWriter) WriteHeader(code int) {
	g.Header().Del("Content-Length") // the length of the uncompressed body
	g.ResponseWriter.WriteHeader(code)
}

func (g *gzipWriter) Write(b []byte) (int, error) { return g.gz.Write(b) }
