package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/envwatch/envwatch/api"
	"github.com/envwatch/envwatch/collector"
	"github.com/envwatch/envwatch/config"
	"github.com/envwatch/envwatch/internal/secret"
	"github.com/envwatch/envwatch/pipeline"
	"github.com/prometheus/client_golang/prometheus"
)

// Backfill loads a source's history for a date range into the stack: the one code path
// of the CLI and the API. inService is set inside envwatch run, whose replayer owns the
// spool (the offline command drains it itself). The summary goes to out, notes to notes.
// backfillRange checks a backfill's days: both given as YYYY-MM-DD, from ≤ to, to not
// after today (Asia/Shanghai) — answered before anything starts.
func (s *Generation) backfillRange(q api.BackfillQuery, now time.Time) (from, to time.Time, err error) {
	if q.From == "" || q.To == "" {
		return from, to, api.Errorf(http.StatusBadRequest, "from and to are required (YYYY-MM-DD)")
	}
	from, err1 := time.ParseInLocation(time.DateOnly, q.From, s.loc)
	to, err2 := time.ParseInLocation(time.DateOnly, q.To, s.loc)
	switch {
	case err1 != nil || err2 != nil:
		return from, to, api.Errorf(http.StatusBadRequest, "from %q to %q: want YYYY-MM-DD", q.From, q.To)
	case to.Before(from):
		return from, to, api.Errorf(http.StatusBadRequest, "from %s is after to %s", q.From, q.To)
	}
	if today := now.In(s.loc); to.After(today) {
		return from, to, api.Errorf(http.StatusBadRequest, "to %s is in the future (today is %s): nothing can be loaded for days that have not happened", q.To, today.Format(time.DateOnly))
	}
	return from, to, nil
}

// backfillSourceError is the answer to a source that cannot be backfilled.
func backfillSourceError(sc config.Source, err error) error {
	if errors.Is(err, ErrPushSource) {
		return api.Errorf(http.StatusBadRequest, "source %s (%s) receives pushed data and cannot be backfilled; ask the stations to resend (HJ 212 CN 2061 history requests)", sc.Name, sc.Kind)
	}
	return &api.Error{Status: http.StatusNotFound, Msg: err.Error()}
}

func (s *Generation) Backfill(ctx context.Context, out, notes io.Writer, q api.BackfillQuery, inService bool, progress func(collector.Progress)) error {
	from, to, err := s.backfillRange(q, time.Now())
	if err != nil {
		return err
	}
	sc, pull, err := s.pullSource(q.Source)
	if err != nil {
		return backfillSourceError(sc, err)
	}
	if !inService {
		// Whatever an interrupted run left in the spool goes first.
		if err := s.pl.Drain(ctx); err != nil {
			return fmt.Errorf("InfluxDB does not take the spooled data yet: %w", err)
		}
	}
	job := s.job(sc, pull)
	job.Chunk = 24 * time.Hour
	job.Handler = staging{s.pl, s.pl.Bulk()}
	// Hour-ending days: the window (from 00:00, to+1 00:00] holds the hours of from … to.
	w := collector.Window{From: from, To: to.AddDate(0, 0, 1)}
	state := s.st.SourceState(sc.Name)
	if q.Force {
		// Re-read and rewrite the whole range (late revisions): forget where an earlier
		// backfill of this window stopped.
		if err := state.Put(collector.BackfillKey(w), []byte{}); err != nil {
			return err
		}
	}
	before := counters(s.promReg, sc.Name)
	sum, err := job.Backfill(ctx, w, state, progress)
	if err == nil && !inService {
		err = s.pl.Drain(ctx) // batches spooled during the run
	}
	if st, ok := s.pl.SpoolStats(); ok && st.Points > 0 {
		fmt.Fprintf(notes, "envwatch: %d points wait in the spool; the next run or backfill sends them\n", st.Points)
	}
	after := counters(s.promReg, sc.Name)
	printSummary(out, sc.Name, q.From, q.To, sum, before, after)
	if err != nil {
		return fmt.Errorf("backfill failed: %w", err)
	}
	return nil
}

// staging lets a streamed backfill use the pipeline's staged path (collector.Stager).
type staging struct {
	*pipeline.Pipeline
	*pipeline.Bulk
}

type counterSet struct {
	written, failed float64
	rejected        map[string]float64
}

// counters reads the pipeline's and sink's counters, so the summary reports exactly what
// the metrics would.
func counters(reg *prometheus.Registry, source string) counterSet {
	cs := counterSet{rejected: map[string]float64{}}
	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			switch mf.GetName() {
			case "envwatch_influxdb_points_written_total":
				cs.written = m.GetCounter().GetValue()
			case "envwatch_influxdb_points_failed_total":
				cs.failed = m.GetCounter().GetValue()
			case "envwatch_readings_rejected_total":
				var src, reason string
				for _, l := range m.GetLabel() {
					switch l.GetName() {
					case "source":
						src = l.GetValue()
					case "reason":
						reason = l.GetValue()
					}
				}
				if src == source {
					cs.rejected[reason] = m.GetCounter().GetValue()
				}
			}
		}
	}
	return cs
}

func printSummary(w io.Writer, source, from, to string, sum collector.Summary, before, after counterSet) {
	fmt.Fprintf(w, "backfill %s %s … %s\n", source, from, to)
	fmt.Fprintf(w, "  records read:       %d\n", sum.Read)
	fmt.Fprintf(w, "  readings accepted:  %d\n", sum.Accepted)
	var reasons []string
	for r := range after.rejected {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	total := 0.0
	var parts []string
	for _, r := range reasons {
		if d := after.rejected[r] - before.rejected[r]; d > 0 {
			total += d
			parts = append(parts, fmt.Sprintf("%s %d", r, int(d)))
		}
	}
	fmt.Fprintf(w, "  values rejected:    %d", int(total))
	if len(parts) > 0 {
		fmt.Fprintf(w, " (%s)", strings.Join(parts, ", "))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  points written:     %d\n", int(after.written-before.written))
	if f := after.failed - before.failed; f > 0 {
		fmt.Fprintf(w, "  points failed:      %d\n", int(f))
	}
}

// printSink is the sink of `envwatch run --once`: it prints line protocol.
type printSink struct {
	w      io.Writer
	points int
}

func (p *printSink) WriteLines(_ context.Context, lines []byte) (int, error) {
	n, err := p.w.Write(lines)
	p.points += strings.Count(string(lines[:n]), "\n")
	return p.points, err
}

// readOnlyMarks lets a dry run read high-water marks without moving them.
type readOnlyMarks struct{ collector.Marks }

func (readOnlyMarks) SetHighWater(string, time.Time) error { return nil }

// noCommit hides a source's Commit so a dry run leaves its state untouched. It keeps the
// source's initial window, so that the dry run fetches what the first real run would.
type noCommit struct{ collector.Pull }

func (n noCommit) InitialWindow() time.Duration {
	if in, ok := n.Pull.(collector.Initial); ok {
		return in.InitialWindow()
	}
	return 0
}

// discardSink is the sink of commands that only read (report).
type discardSink struct{}

func (discardSink) WriteLines(context.Context, []byte) (int, error) { return 0, nil }

// DryRun fetches one source of a configuration once through the pipeline into a sink that
// prints the line protocol to out; it writes and records nothing (`envwatch run --once`).
func DryRun(ctx context.Context, cfgPath, source string, logger *slog.Logger, out, notes io.Writer, secrets *secret.Redactor) error {
	cfg, err := config.LoadFile(cfgPath)
	if err != nil {
		return err
	}
	note, err := dryRun(ctx, cfg, source, logger, out, Mode{DryRun: true, Secrets: secrets})
	if err != nil {
		return err
	}
	fmt.Fprintln(notes, note)
	return nil
}

// DryRun is the dry run beside the running service (GET /api/v1/dryrun): a throwaway
// generation of the same configuration that reads the sources' marks and file states from
// the running one's store, prints what the next run would write, and records nothing.
func (s *Generation) DryRun(ctx context.Context, out io.Writer, source string) (note string, err error) {
	return dryRun(ctx, s.cfg, source, s.logger, out, Mode{DryRun: true, State: s.st})
}

func dryRun(ctx context.Context, cfg *config.Config, source string, logger *slog.Logger, out io.Writer, mode Mode) (string, error) {
	sink := &printSink{w: out}
	mode.Sink = sink
	s, err := New(cfg, logger, mode)
	if err != nil {
		return "", err
	}
	defer s.Close()
	sc, pull, err := s.pullSource(source)
	switch {
	case errors.Is(err, ErrPushSource):
		return "", api.Errorf(http.StatusBadRequest, "source %s receives pushed data; --once needs a pull source", sc.Name)
	case err != nil:
		return "", api.Errorf(http.StatusBadRequest, "%v", err)
	}
	job := s.job(sc, noCommit{pull})
	job.Marks = readOnlyMarks{s.st}
	w, err := job.NextWindow()
	if err != nil {
		return "", err
	}
	if err := job.Run(ctx); err != nil {
		return "", err
	}
	return fmt.Sprintf("dry run: window (%s, %s]: %d points would be written; nothing was written or recorded",
		w.From.In(s.loc).Format(time.RFC3339), w.To.In(s.loc).Format(time.RFC3339), sink.points), nil
}
