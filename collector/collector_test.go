package collector

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/envwatch/envwatch/config"
	"github.com/envwatch/envwatch/reading"
)

type window struct{ from, to time.Time }

type fakeSource struct {
	mu      sync.Mutex
	windows []window
	fail    int // fail this many calls first
	initial time.Duration
}

func (f *fakeSource) Fetch(_ context.Context, w Window) (*reading.Batch, error) {
	from, to := w.From, w.To
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail > 0 {
		f.fail--
		return nil, errors.New("HTTP 500")
	}
	f.windows = append(f.windows, window{from, to})
	var out []reading.Reading
	for t := from.Add(time.Hour); !t.After(to); t = t.Add(time.Hour) {
		out = append(out, reading.Reading{Kind: reading.Air, Site: "A", End: t})
	}
	return &reading.Batch{Readings: out}, nil
}

func (f *fakeSource) InitialWindow() time.Duration { return f.initial }

type memMarks map[string]time.Time

func (m memMarks) HighWater(s string) (time.Time, bool, error) { t, ok := m[s]; return t, ok, nil }
func (m memMarks) SetHighWater(s string, t time.Time) error {
	if t.After(m[s]) {
		m[s] = t
	}
	return nil
}

type countHandler struct{ n int }

func (h *countHandler) Handle(_ context.Context, b *reading.Batch) (int, error) {
	h.n += len(b.Readings)
	return len(b.Readings), nil
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// With a high-water mark 30 hours old, one run fetches the 30 missed hours plus the
// 6-hour look-back — 36 hours — and moves the mark to now.
func TestCatchUpFromHighWater(t *testing.T) {
	now := time.Date(2022, 6, 2, 10, 20, 0, 0, time.UTC)
	marks := memMarks{"cnemc": now.Truncate(time.Hour).Add(-30 * time.Hour)}
	src := &fakeSource{}
	h := &countHandler{}
	j := &Job{Name: "cnemc", Source: src, Lookback: 6 * time.Hour, Timeout: time.Second, Marks: marks,
		Handler: h, Metrics: NewMetrics(nil), Logger: quiet, Now: func() time.Time { return now }}
	if err := j.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(src.windows) != 1 {
		t.Fatalf("windows %v", src.windows)
	}
	w := src.windows[0]
	if got := w.to.Sub(w.from); got != 36*time.Hour || !w.to.Equal(now.Truncate(time.Hour)) {
		t.Errorf("fetched (%s, %s] = %s, want the last 36 h up to 10:00", w.from, w.to, got)
	}
	if h.n != 36 || !marks["cnemc"].Equal(now.Truncate(time.Hour)) {
		t.Errorf("handled %d readings, mark %s", h.n, marks["cnemc"])
	}
	if testutil.ToFloat64(j.Metrics.up.WithLabelValues("cnemc")) != 1 {
		t.Error("up not set")
	}
}

// The first run reaches back the source's initial window, in chunks, committing each.
func TestFirstRunChunkedBackfill(t *testing.T) {
	now := time.Date(2022, 6, 2, 0, 0, 0, 0, time.UTC)
	marks := memMarks{}
	src := &fakeSource{initial: 10 * 24 * time.Hour}
	h := &countHandler{}
	j := &Job{Name: "sim", Source: src, Lookback: time.Hour, Timeout: time.Second, Chunk: 72 * time.Hour, Marks: marks,
		Handler: h, Metrics: NewMetrics(nil), Logger: quiet, Now: func() time.Time { return now }}
	if err := j.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(src.windows) != 4 || h.n != 240 {
		t.Errorf("%d chunks, %d readings; want 4 chunks (3+3+3+1 days), 240", len(src.windows), h.n)
	}
}

// A failing source is retried; after the retries the run fails and is counted, the mark
// stays, and a later run recovers.
func TestRetriesAndFailure(t *testing.T) {
	now := time.Date(2022, 6, 2, 0, 0, 0, 0, time.UTC)
	mark := now.Add(-2 * time.Hour)
	marks := memMarks{"s": mark}
	src := &fakeSource{fail: 2}
	reg := prometheus.NewRegistry()
	j := &Job{Name: "s", Source: src, Timeout: time.Second, Retries: 1, Marks: marks, Handler: &countHandler{},
		Metrics: NewMetrics(reg), Logger: quiet, Now: func() time.Time { return now }}
	if err := j.Run(context.Background()); err == nil {
		t.Fatal("run with 2 failures and 1 retry succeeded")
	}
	if !marks["s"].Equal(mark) || testutil.ToFloat64(j.Metrics.up.WithLabelValues("s")) != 0 ||
		testutil.ToFloat64(j.Metrics.failures.WithLabelValues("s")) != 1 {
		t.Error("failure not recorded or mark moved")
	}
	if err := j.Run(context.Background()); err != nil { // third call succeeds
		t.Fatal(err)
	}
	if !marks["s"].Equal(now) {
		t.Errorf("mark %s after recovery", marks["s"])
	}
}

type slowSource struct{ release chan struct{} }

func (s *slowSource) Fetch(ctx context.Context, _ Window) (*reading.Batch, error) {
	select {
	case <-s.release:
	case <-ctx.Done():
	}
	return nil, nil
}

// A run still going when the next tick fires is skipped and counted.
func TestSchedulerSkipsOverlap(t *testing.T) {
	m := NewMetrics(nil)
	s := NewScheduler(time.UTC, m, quiet)
	src := &slowSource{release: make(chan struct{})}
	j := &Job{Name: "slow", Source: src, Lookback: time.Hour, Timeout: time.Minute, Marks: memMarks{}, Handler: &countHandler{},
		Metrics: m, Logger: quiet, Now: time.Now}
	if err := s.Add("@every 1s", j); err != nil {
		t.Fatal(err)
	}
	s.Start()
	deadline := time.Now().Add(10 * time.Second)
	for testutil.ToFloat64(m.skipped.WithLabelValues("slow")) < 1 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	close(src.release)
	if err := s.Stop(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	if testutil.ToFloat64(m.skipped.WithLabelValues("slow")) < 1 {
		t.Error("no skipped run counted")
	}
}

// timedSource takes d to fetch unless cancelled, and records how each fetch ended.
type timedSource struct {
	d        time.Duration
	started  chan struct{}
	mu       sync.Mutex
	finished []bool // true: completed, false: cancelled
}

func (s *timedSource) Fetch(ctx context.Context, _ Window) (*reading.Batch, error) {
	select {
	case s.started <- struct{}{}:
	default:
	}
	select {
	case <-time.After(s.d):
		s.mu.Lock()
		s.finished = append(s.finished, true)
		s.mu.Unlock()
		return &reading.Batch{}, nil
	case <-ctx.Done():
		s.mu.Lock()
		s.finished = append(s.finished, false)
		s.mu.Unlock()
		return nil, ctx.Err()
	}
}

// Stop gives a running job its grace period to finish; a job that outlasts it is
// cancelled, and Stop returns once it has.
func TestSchedulerStopGraceThenCancel(t *testing.T) {
	for _, c := range []struct {
		name      string
		job       time.Duration
		grace     time.Duration
		completed bool
	}{
		{"finishes within the grace period", 300 * time.Millisecond, 3 * time.Second, true},
		{"cancelled after the grace period", time.Hour, 200 * time.Millisecond, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := NewMetrics(nil)
			s := NewScheduler(time.UTC, m, quiet)
			src := &timedSource{d: c.job, started: make(chan struct{}, 1)}
			j := &Job{Name: "j", Source: src, Lookback: time.Hour, Timeout: 2 * time.Hour, Marks: memMarks{}, Handler: &countHandler{},
				Metrics: m, Logger: quiet, Now: time.Now}
			if err := s.Add("", j); err != nil {
				t.Fatal(err)
			}
			s.Start()
			<-src.started
			if err := s.Stop(c.grace); err != nil {
				t.Fatal(err)
			}
			src.mu.Lock()
			defer src.mu.Unlock()
			if len(src.finished) != 1 || src.finished[0] != c.completed {
				t.Errorf("fetch ended %v, want completed=%v", src.finished, c.completed)
			}
		})
	}
}

// A source's own time_zone wins over the configured zone; without one it reads in the
// configured zone.
func TestEnvZone(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	env := Env{Location: shanghai}
	if loc, err := env.Zone(config.Source{}); err != nil || loc != shanghai {
		t.Errorf("default: %v, %v", loc, err)
	}
	if loc, err := env.Zone(config.Source{TimeZone: "UTC"}); err != nil || loc.String() != "UTC" {
		t.Errorf("own: %v, %v", loc, err)
	}
	if _, err := env.Zone(config.Source{TimeZone: "Asia/Beijing"}); err == nil || !strings.Contains(err.Error(), "time_zone") {
		t.Errorf("unknown zone: %v", err)
	}
}
