// Package collector runs envwatch's data sources: the source interfaces, the registry of
// source kinds, and the scheduler that fetches each pull source on its cron schedule with
// a look-back window and catch-up from a persisted high-water mark.
package collector

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/envwatch/envwatch/config"
	"github.com/envwatch/envwatch/reading"
)

// Window is what one fetch asks for: the readings whose period ends lie in (From, To].
// Sources that cannot select by time (a drop folder, a "latest" API) deliver what is new
// and ignore the window, except in a backfill, where they deliver what lies inside it.
type Window struct {
	From, To time.Time
	Backfill bool
}

// Contains reports whether a period end lies in the window: (From, To]. An hourly value
// labelled by its end belongs to the hour before its label, so the window's first instant
// is the end of the hour before it.
func (w Window) Contains(end time.Time) bool { return end.After(w.From) && !end.After(w.To) }

// ContainsInstant reports whether an instantaneous time — a water sample, taken at a
// moment — lies in the window: [From, To). A sample dated "2025-01-01" (00:00) belongs to
// a backfill from 2025-01-01, and one at the next day's 00:00 to the next window.
func (w Window) ContainsInstant(t time.Time) bool { return !t.Before(w.From) && t.Before(w.To) }

// Holds reports whether a reading lies in the window by its kind's semantics (docs/configuration.md).
func (w Window) Holds(r *reading.Reading) bool {
	if r.Kind == reading.Water || r.Period == reading.Instant {
		return w.ContainsInstant(r.End)
	}
	return w.Contains(r.End)
}

// Pull is a source envwatch fetches on a schedule.
type Pull interface {
	Fetch(ctx context.Context, w Window) (*reading.Batch, error)
}

// Push is a source that receives data (an HJ 212 server): Serve runs until ctx ends and
// hands each received batch to h.
type Push interface {
	Serve(ctx context.Context, h Handler) error
}

// Streamer is implemented by file sources: a backfill streams them one file at a time
// instead of holding the whole window in memory. Files named ≤ after are skipped (resume);
// emit gets each file's batch, the file name as a resume mark, and the position.
type Streamer interface {
	Stream(ctx context.Context, w Window, after string, emit func(b *reading.Batch, mark string, i, n int) error) error
}

// Committer is implemented by sources that remember what they delivered (processed files):
// Commit is called after the pipeline accepted the batch of the last Fetch.
type Committer interface {
	Commit(ctx context.Context) error
}

// KeyValue is a source's own persistent key-value space in the state store.
type KeyValue interface {
	Get(key string) ([]byte, error)
	Put(key string, value []byte) error
}

// Initial is implemented by sources that say how far back their first run reaches.
type Initial interface{ InitialWindow() time.Duration }

// Sites lists the configured site codes a source may deliver for.
type Sites struct {
	Stations, Sections []string
}

// Env is what a factory gets besides its configuration.
type Env struct {
	Sites  Sites
	State  KeyValue
	Logger *slog.Logger
	// Location is the configured zone, the default of a source's own time_zone.
	Location *time.Location
}

// Zone is the time zone a source reads local times in: its own time_zone, else the
// configured one. config.Load has checked the name; an error here means the system's zone
// database lacks it.
func (e Env) Zone(c config.Source) (*time.Location, error) {
	if c.TimeZone == "" {
		return e.Location, nil
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("time_zone: %w", err)
	}
	return loc, nil
}

// Factory builds a source of one kind from its configuration; it validates what the
// configuration schema could not (Init-style) and returns errors naming the source.
// It returns a Pull or a Push source.
type Factory func(c config.Source, env Env) (any, error)

// Registry maps kind names to factories. The binary builds it in main: no global state.
type Registry map[string]Factory

// Kinds lists the registered kinds in order.
func (r Registry) Kinds() []string {
	out := make([]string, 0, len(r))
	for k := range r {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Handler receives each fetched batch (the pipeline). It returns the number of readings
// it accepted.
type Handler interface {
	Handle(ctx context.Context, b *reading.Batch) (accepted int, err error)
}

// Marks persists high-water marks (the state store).
type Marks interface {
	HighWater(source string) (time.Time, bool, error)
	SetHighWater(source string, t time.Time) error
}

// Metrics are the per-source self-metrics.
type Metrics struct {
	up          *prometheus.GaugeVec
	lastSuccess *prometheus.GaugeVec
	duration    *prometheus.HistogramVec
	accepted    *prometheus.CounterVec
	skipped     *prometheus.CounterVec
	failures    *prometheus.CounterVec
	outside     *prometheus.CounterVec
}

// NewMetrics creates and registers the source metrics.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		up: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "envwatch_source_up",
			Help: "1 if the last run of the source succeeded, 0 if it failed."}, []string{"source"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "envwatch_source_last_success_timestamp_seconds",
			Help: "Unix time of the last successful run of the source."}, []string{"source"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "envwatch_source_run_duration_seconds",
			Help: "Duration of source runs.", Buckets: prometheus.ExponentialBuckets(0.01, 4, 9)}, []string{"source"}),
		accepted: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "envwatch_source_readings_accepted_total",
			Help: "Readings the pipeline accepted from the source."}, []string{"source"}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "envwatch_source_runs_skipped_total",
			Help: "Scheduled runs skipped because the previous run was still going."}, []string{"source"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "envwatch_source_run_failures_total",
			Help: "Source runs that failed after their retries."}, []string{"source"}),
		outside: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "envwatch_source_readings_outside_window_total",
			Help: "Readings a source read but left out because they lie outside a backfill's window."}, []string{"source"}),
	}
	if reg != nil {
		reg.MustRegister(m.up, m.lastSuccess, m.duration, m.accepted, m.skipped, m.failures, m.outside)
	}
	return m
}

// SetUp sets a source's envwatch_source_up: for a push source kept across reloads, whose
// serving loop is not the scheduler's.
func (m *Metrics) SetUp(source string, up bool) {
	v := 0.0
	if up {
		v = 1
	}
	m.up.WithLabelValues(source).Set(v)
}

// Job is one pull source with its schedule settings.
type Job struct {
	Name     string
	Source   Pull
	Lookback time.Duration
	Timeout  time.Duration
	Retries  int
	// Chunk bounds the window of one fetch so a long catch-up commits progress as it goes.
	Chunk time.Duration
	// StreamBatch is how many readings a streamed backfill stages at once (one engine pass
	// and one set of write requests per group, not per file); CheckpointEvery is how many
	// it delivers between checkpoints of the engines and the resume mark — a crash repeats
	// at most that much, idempotently. Zero means 10,000 and 500,000.
	StreamBatch, CheckpointEvery int
	Marks                        Marks
	Handler                      Handler
	Metrics                      *Metrics
	Logger                       *slog.Logger
	Now                          func() time.Time
}

// Run performs one run: it fetches [high-water − look-back, now] (or, on the first run,
// the source's initial window), hands the readings over chunk by chunk, and advances the
// high-water mark after each chunk the pipeline accepted.
func (j *Job) Run(ctx context.Context) error {
	start := time.Now()
	err := j.run(ctx)
	j.Metrics.duration.WithLabelValues(j.Name).Observe(time.Since(start).Seconds())
	if err != nil {
		j.Metrics.up.WithLabelValues(j.Name).Set(0)
		j.Metrics.failures.WithLabelValues(j.Name).Inc()
		j.Logger.Error("source run failed", "source", j.Name, "err", err)
		return err
	}
	j.Metrics.up.WithLabelValues(j.Name).Set(1)
	j.Metrics.lastSuccess.WithLabelValues(j.Name).SetToCurrentTime()
	return nil
}

func (j *Job) run(ctx context.Context) error {
	w, err := j.NextWindow()
	if err != nil {
		return err
	}
	_, err = j.Range(ctx, w, func(w Window) error { return j.Marks.SetHighWater(j.Name, w.To) })
	return err
}

// NextWindow is what the next run fetches: from the high-water mark less the look-back
// (on the first run, the source's initial window or the look-back) to the current hour.
func (j *Job) NextWindow() (Window, error) {
	now := j.Now().UTC().Truncate(time.Hour)
	hwm, ok, err := j.Marks.HighWater(j.Name)
	if err != nil {
		return Window{}, fmt.Errorf("reading high-water mark: %w", err)
	}
	if ok {
		return Window{From: hwm.Add(-j.Lookback), To: now}, nil
	}
	window := j.Lookback
	if in, isInitial := j.Source.(Initial); isInitial && in.InitialWindow() > window {
		window = in.InitialWindow()
	}
	return Window{From: now.Add(-window), To: now}, nil
}

// Summary counts what a range of fetches delivered.
type Summary struct {
	Read, Accepted, Rejected int
}

// Range fetches w chunk by chunk, hands each batch to the pipeline and, after each chunk
// the pipeline accepted, commits the source's own state and calls done (which records
// progress). It stops at the first error.
func (j *Job) Range(ctx context.Context, w Window, done func(Window) error) (Summary, error) {
	if s, ok := j.Source.(Streamer); ok && !w.Backfill {
		return j.streamNew(ctx, s, w, done)
	}
	var sum Summary
	chunk := j.Chunk
	if chunk <= 0 {
		chunk = 7 * 24 * time.Hour
	}
	for lo := w.From; lo.Before(w.To); lo = lo.Add(chunk) {
		hi := lo.Add(chunk)
		if hi.After(w.To) {
			hi = w.To
		}
		cw := Window{From: lo, To: hi, Backfill: w.Backfill}
		b, err := j.fetch(ctx, cw)
		if err != nil {
			return sum, err
		}
		b.Source = j.Name
		j.countOutside(b.OutsideWindow)
		if done != nil && !w.Backfill {
			b.Mark = hi // committed with the batch (the pipeline's transaction)
		}
		n, err := j.Handler.Handle(ctx, b)
		sum.Read += len(b.Readings) + len(b.Rejects)
		sum.Accepted += n
		sum.Rejected += len(b.Readings) + len(b.Rejects) - n
		j.Metrics.accepted.WithLabelValues(j.Name).Add(float64(n))
		if err != nil {
			return sum, fmt.Errorf("handling readings (%s, %s]: %w", lo.Format(time.RFC3339), hi.Format(time.RFC3339), err)
		}
		if c, ok := j.Source.(Committer); ok {
			if err := c.Commit(ctx); err != nil {
				return sum, fmt.Errorf("committing source state: %w", err)
			}
		}
		if done != nil {
			if err := done(cw); err != nil {
				return sum, fmt.Errorf("saving progress: %w", err)
			}
		}
		j.Logger.Debug("source chunk done", "source", j.Name, "from", lo, "to", hi, "readings", len(b.Readings), "accepted", n)
	}
	return sum, nil
}

// streamNew delivers what a file source holds that is new, a group of rows at a time (a
// large new file must not become one batch in memory). A file is committed as processed
// once its last group is handled; the high-water mark moves with every group.
func (j *Job) streamNew(ctx context.Context, s Streamer, w Window, done func(Window) error) (Summary, error) {
	var sum Summary
	err := s.Stream(ctx, w, "", func(b *reading.Batch, mark string, _, _ int) error {
		b.Source = j.Name
		j.countOutside(b.OutsideWindow)
		if done != nil {
			b.Mark = w.To
		}
		n, err := j.Handler.Handle(ctx, b)
		sum.Read += len(b.Readings) + len(b.Rejects)
		sum.Accepted += n
		sum.Rejected += len(b.Readings) + len(b.Rejects) - n
		j.Metrics.accepted.WithLabelValues(j.Name).Add(float64(n))
		if err != nil {
			return fmt.Errorf("handling readings: %w", err)
		}
		if c, ok := j.Source.(Committer); ok && mark != "" {
			if err := c.Commit(ctx); err != nil {
				return fmt.Errorf("committing source state: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return sum, err
	}
	if done != nil {
		if err := done(w); err != nil {
			return sum, fmt.Errorf("saving progress: %w", err)
		}
	}
	return sum, nil
}

// Prepare exports a source's counters at 0 (see pipeline.Pipeline.Prepare).
func (m *Metrics) Prepare(source string) {
	for _, c := range []*prometheus.CounterVec{m.accepted, m.skipped, m.failures, m.outside} {
		c.WithLabelValues(source)
	}
}

// countOutside counts what a source left out of a backfill's window.
func (j *Job) countOutside(n int) {
	if n > 0 {
		j.Metrics.outside.WithLabelValues(j.Name).Add(float64(n))
	}
}

// fetch calls the source with a timeout, retrying with exponential backoff and jitter.
func (j *Job) fetch(ctx context.Context, w Window) (*reading.Batch, error) {
	backoff := time.Second
	var lastErr error
	for attempt := 0; attempt <= j.Retries; attempt++ {
		if attempt > 0 {
			wait := backoff + time.Duration(rand.Int64N(int64(backoff)))
			backoff *= 2
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(wait):
			}
		}
		fctx, cancel := context.WithTimeout(ctx, j.Timeout)
		b, err := j.Source.Fetch(fctx, w)
		cancel()
		if err == nil {
			if b == nil {
				b = &reading.Batch{}
			}
			return b, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
		j.Logger.Warn("source fetch failed", "source", j.Name, "attempt", attempt+1, "err", err)
	}
	return nil, fmt.Errorf("fetching (%s, %s]: %w", w.From.Format(time.RFC3339), w.To.Format(time.RFC3339), lastErr)
}

// BackfillKey is the source-state key of a backfill window's resume mark.
func BackfillKey(w Window) string { return fmt.Sprintf("backfill:%d-%d", w.From.Unix(), w.To.Unix()) }

// Progress is reported during a backfill.
type Progress struct {
	Done, Total int64
	Label       string
}

// Backfill loads the history of w through the same path as scheduled runs (fetch or
// stream → pipeline → sink). Progress is saved in state as it goes, so an interrupted
// backfill re-run with the same window resumes where it stopped; writes are idempotent,
// so a chunk repeated after a crash duplicates nothing.
func (j *Job) Backfill(ctx context.Context, w Window, state KeyValue, report func(Progress)) (Summary, error) {
	w.Backfill = true
	key := BackfillKey(w)
	mark, err := state.Get(key)
	if err != nil {
		return Summary{}, err
	}
	if report == nil {
		report = func(Progress) {}
	}
	if s, ok := j.Source.(Streamer); ok {
		return j.stream(ctx, s, w, string(mark), func(m string) error { return state.Put(key, []byte(m)) }, report)
	}
	from := w.From
	if len(mark) == 8 {
		if t := time.Unix(int64(binary.BigEndian.Uint64(mark)), 0); t.After(from) {
			from = t
		}
	}
	total := int64(w.To.Sub(w.From) / time.Hour)
	return j.Range(ctx, Window{From: from, To: w.To, Backfill: true}, func(cw Window) error {
		report(Progress{Done: int64(cw.To.Sub(w.From) / time.Hour), Total: total, Label: cw.To.Format(time.RFC3339)})
		return state.Put(key, binary.BigEndian.AppendUint64(nil, uint64(cw.To.Unix())))
	})
}
