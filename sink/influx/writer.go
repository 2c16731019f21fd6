// Package influx is envwatch's InfluxDB sink: it encodes readings and derived series as
// line protocol (the schema of docs/storage.md) and writes them in batches through
// influxdb-client-go's blocking write API, to InfluxDB 1.8 (db/rp bucket) or 2.x/3.x.
package influx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	influxdb2 "github.com/influxdata/influxdb-client-go/v2"
	"github.com/influxdata/influxdb-client-go/v2/api"
	ihttp "github.com/influxdata/influxdb-client-go/v2/api/http"
	influxlog "github.com/influxdata/influxdb-client-go/v2/log"
	"github.com/prometheus/client_golang/prometheus"
)

// Options configure a Writer.
type Options struct {
	URL    string
	Org    string // empty for 1.8
	Bucket string // 2.x bucket, or "db" / "db/rp" for 1.8
	// Token is the 2.x token or "user:password" for 1.8 with authentication.
	Token     string
	Timeout   time.Duration
	BatchSize int // lines per request
	// Concurrency is the number of write requests in flight (default 2).
	Concurrency int
	// Gzip compresses request bodies.
	Gzip bool
}

// Writer writes to one InfluxDB. It is safe for concurrent use.
type Writer struct {
	client  influxdb2.Client
	write   api.WriteAPIBlocking
	opt     Options
	metrics *writerMetrics
}

type writerMetrics struct {
	written, failed prometheus.Counter
	retryFailed     prometheus.Counter
	up              prometheus.Gauge
	requests        *prometheus.CounterVec
	duration        prometheus.Histogram
	lastSuccess     prometheus.Gauge
}

// New creates a writer and registers its metrics on reg (nil: not registered).
func New(opt Options, reg prometheus.Registerer) *Writer {
	if opt.BatchSize <= 0 {
		opt.BatchSize = 5000
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 10 * time.Second
	}
	if opt.Concurrency <= 0 {
		opt.Concurrency = 2
	}
	// The client logs through a package-level logger; silence it, errors come back to us.
	influxlog.Log = nil
	hc := &http.Client{Timeout: opt.Timeout, Transport: &http.Transport{
		MaxIdleConnsPerHost: 4, IdleConnTimeout: 90 * time.Second, Proxy: http.ProxyFromEnvironment,
	}}
	o := influxdb2.DefaultOptions().SetHTTPClient(hc).SetPrecision(time.Second).SetUseGZip(opt.Gzip)
	c := influxdb2.NewClientWithOptions(opt.URL, opt.Token, o)
	w := &Writer{client: c, write: c.WriteAPIBlocking(opt.Org, opt.Bucket), opt: opt, metrics: newWriterMetrics()}
	if reg != nil {
		reg.MustRegister(w.metrics.written, w.metrics.failed, w.metrics.retryFailed, w.metrics.up, w.metrics.requests, w.metrics.duration, w.metrics.lastSuccess)
	}
	return w
}

func newWriterMetrics() *writerMetrics {
	return &writerMetrics{
		written: prometheus.NewCounter(prometheus.CounterOpts{Name: "envwatch_influxdb_points_written_total",
			Help: "Points InfluxDB accepted."}),
		failed: prometheus.NewCounter(prometheus.CounterOpts{Name: "envwatch_influxdb_points_failed_total",
			Help: "Points whose first write to InfluxDB failed (each counted once; they go to the spool)."}),
		retryFailed: prometheus.NewCounter(prometheus.CounterOpts{Name: "envwatch_influxdb_retry_points_failed_total",
			Help: "Points of spooled batches whose replay failed, once per attempt."}),
		up: prometheus.NewGauge(prometheus.GaugeOpts{Name: "envwatch_influxdb_up",
			Help: "1 when InfluxDB answered the last health check or write request (even with an error status), 0 when it could not be reached."}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "envwatch_influxdb_write_requests_total",
			Help: "Write requests to InfluxDB by result (success, error)."}, []string{"result"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "envwatch_influxdb_write_duration_seconds",
			Help: "Duration of write requests to InfluxDB.", Buckets: prometheus.ExponentialBuckets(0.005, 2, 12)}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{Name: "envwatch_influxdb_last_success_timestamp_seconds",
			Help: "Unix time of the last successful write to InfluxDB."}),
	}
}

// Health asks InfluxDB's /health endpoint.
func (w *Writer) Health(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, w.opt.Timeout)
	defer cancel()
	ok, err := w.client.Ping(ctx)
	w.setUp(err == nil)
	if err != nil {
		return fmt.Errorf("influxdb %s: %w", w.opt.URL, err)
	}
	if !ok {
		return fmt.Errorf("influxdb %s: not ready", w.opt.URL)
	}
	return nil
}

// WriteLines writes newline-terminated line protocol in requests of at most BatchSize
// lines, Concurrency requests at a time (the points of one call are distinct, so their order
// does not matter; calls stay in order because WriteLines returns after all its requests).
// On failure it reports the first error; the caller treats the whole call as not written
// (rewriting points that did land is harmless: writes are idempotent).
func (w *Writer) WriteLines(ctx context.Context, lines []byte) (written int, err error) {
	return w.writeLines(ctx, lines, w.metrics.failed)
}

// RetryLines writes lines that failed before (a spooled batch): failures count as failed
// retries, not as more failed points.
func (w *Writer) RetryLines(ctx context.Context, lines []byte) (written int, err error) {
	return w.writeLines(ctx, lines, w.metrics.retryFailed)
}

func (w *Writer) writeLines(ctx context.Context, lines []byte, failed prometheus.Counter) (written int, err error) {
	var chunks [][]byte
	for len(lines) > 0 {
		var chunk []byte
		chunk, lines = splitLines(lines, w.opt.BatchSize)
		chunks = append(chunks, chunk)
	}
	workers := min(max(w.opt.Concurrency, 1), len(chunks))
	var mu sync.Mutex
	var firstErr error
	next := make(chan []byte)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for chunk := range next {
				n, err := w.writeChunk(ctx, chunk, failed)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				written += n
				mu.Unlock()
			}
		}()
	}
	for _, c := range chunks {
		mu.Lock()
		stop := firstErr != nil
		mu.Unlock()
		if stop {
			failed.Add(float64(bytes.Count(c, []byte{'\n'})))
			continue
		}
		next <- c
	}
	close(next)
	wg.Wait()
	return written, firstErr
}

func (w *Writer) writeChunk(ctx context.Context, chunk []byte, failed prometheus.Counter) (int, error) {
	n := bytes.Count(chunk, []byte{'\n'})
	start := time.Now()
	err := w.write.WriteRecord(ctx, string(bytes.TrimSuffix(chunk, []byte{'\n'})))
	w.metrics.duration.Observe(time.Since(start).Seconds())
	if err != nil {
		w.metrics.requests.WithLabelValues("error").Inc()
		failed.Add(float64(n))
		var he *ihttp.Error
		w.setUp(errors.As(err, &he) && he.StatusCode > 0) // an HTTP status: reachable, refusing
		return 0, fmt.Errorf("writing %d points to influxdb %s: %w", n, w.opt.URL, err)
	}
	w.metrics.requests.WithLabelValues("success").Inc()
	w.setUp(true)
	w.metrics.written.Add(float64(n))
	w.metrics.lastSuccess.SetToCurrentTime()
	return n, nil
}

func (w *Writer) setUp(up bool) {
	if up {
		w.metrics.up.Set(1)
	} else {
		w.metrics.up.Set(0)
	}
}

func splitLines(b []byte, n int) (chunk, rest []byte) {
	i := 0
	for k := 0; k < n; k++ {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			return b, nil
		}
		i += j + 1
		if i == len(b) {
			return b, nil
		}
	}
	return b[:i], b[i:]
}

// Close releases the client's connections.
func (w *Writer) Close() { w.client.Close() }

// Permanent reports whether a write error will not go away by retrying: InfluxDB refused
// the data (400 bad line protocol, field-type conflict, 413 too large, 422 beyond
// retention…). Network errors, timeouts, 429 and 5xx are transient.
func Permanent(err error) bool {
	var he *ihttp.Error
	if !errors.As(err, &he) {
		return false
	}
	switch {
	case he.StatusCode == http.StatusTooManyRequests, he.StatusCode == http.StatusRequestTimeout:
		return false
	case he.StatusCode >= 400 && he.StatusCode < 500:
		return true
	}
	return false
}
