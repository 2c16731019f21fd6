package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/envwatch/envwatch/api"
	"github.com/envwatch/envwatch/collector"
	"github.com/envwatch/envwatch/pipeline"
	"github.com/envwatch/envwatch/store"
)

type backfillCmd struct {
	configFile, source, from, to string
	level, format                string
	cpuProfile, memProfile       string
	force                        bool
	remote                       remoteFlags
}

func (c *backfillCmd) register(app *kingpin.Application, _ *environ) *kingpin.CmdClause {
	cmd := app.Command("backfill", "Load history of one source for a date range through the normal pipeline (idempotent; an interrupted backfill resumes when re-run).")
	cmd.Flag("config", "Configuration file.").Short('c').Required().StringVar(&c.configFile)
	cmd.Flag("source", "Source name.").Required().StringVar(&c.source)
	cmd.Flag("from", "First day (YYYY-MM-DD, in the configured time zone).").Required().StringVar(&c.from)
	cmd.Flag("to", "Last day, inclusive (YYYY-MM-DD).").Required().StringVar(&c.to)
	cmd.Flag("log.level", "debug, info, warn, error.").Default("info").EnumVar(&c.level, "debug", "info", "warn", "error")
	cmd.Flag("log.format", "logfmt or json.").Default("logfmt").EnumVar(&c.format, "logfmt", "json")
	cmd.Flag("force", "Re-read and rewrite the whole range, also where an earlier backfill of it finished (late revisions).").BoolVar(&c.force)
	c.remote.register(cmd)
	cmd.Flag("debug.cpu-profile", "Write a CPU profile of the backfill to this file (bench/run.sh).").Hidden().StringVar(&c.cpuProfile)
	cmd.Flag("debug.mem-profile", "Write an allocation profile at the end of the backfill to this file.").Hidden().StringVar(&c.memProfile)
	return cmd
}

func (c *backfillCmd) run(env *environ) int {
	stop, err := startProfiles(c.cpuProfile, c.memProfile, env.stderr)
	if err != nil {
		fmt.Fprintf(env.stderr, "envwatch: %v\n", err)
		return 1
	}
	defer stop()
	logger := (&runCmd{level: c.level, format: c.format}).logger(env.stderr)
	s, err := newStack(c.configFile, logger, sinkMode{secrets: env.secrets})
	if errors.Is(err, store.ErrLocked) {
		return c.remoteBackfill(env)
	}
	if err != nil {
		fmt.Fprintf(env.stderr, "envwatch: %v\n", err)
		return 1
	}
	defer s.close()
	bar := newProgressBar(env.stderr)
	q := api.BackfillQuery{Source: c.source, From: c.from, To: c.to, Force: c.force}
	err = s.backfill(env.ctx, env.stdout, env.stderr, q, false, bar.report)
	bar.done()
	if err != nil {
		if env.ctx.Err() != nil {
			fmt.Fprintln(env.stderr, "envwatch: interrupted; run the same command again to resume")
		} else {
			fmt.Fprintf(env.stderr, "envwatch: %v\n", err)
		}
		return 1
	}
	return 0
}

// backfill loads a source's history for a date range into the stack: the one code path
// of the CLI and the API. inService is set inside envwatch run, whose replayer owns the
// spool (the offline command drains it itself). The summary goes to out, notes to notes.
func (s *stack) backfill(ctx context.Context, out, notes io.Writer, q api.BackfillQuery, inService bool, progress func(collector.Progress)) error {
	from, err1 := time.ParseInLocation(time.DateOnly, q.From, s.loc)
	to, err2 := time.ParseInLocation(time.DateOnly, q.To, s.loc)
	if err1 != nil || err2 != nil || to.Before(from) {
		return api.Errorf(http.StatusBadRequest, "--from %q --to %q: want YYYY-MM-DD with from ≤ to", q.From, q.To)
	}
	if today := time.Now().In(s.loc); to.After(today) {
		return api.Errorf(http.StatusBadRequest, "--to %s is in the future (today is %s): nothing can be loaded for days that have not happened", q.To, today.Format(time.DateOnly))
	}
	sc, pull, err := s.pullSource(q.Source)
	switch {
	case errors.Is(err, errPushSource):
		return api.Errorf(http.StatusBadRequest, "source %s (%s) receives pushed data and cannot be backfilled; ask the stations to resend (HJ 212 CN 2061 history requests)", sc.Name, sc.Kind)
	case err != nil:
		return &api.Error{Status: http.StatusNotFound, Msg: err.Error()}
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

// remoteBackfill runs the backfill inside the running envwatch and follows it.
func (c *backfillCmd) remoteBackfill(env *environ) int {
	fail := func(err error) int { fmt.Fprintf(env.stderr, "envwatch: %v\n", err); return 1 }
	rc, err := c.remote.client(env, time.Minute)
	if err != nil {
		return fail(err)
	}
	v := url.Values{"source": {c.source}, "from": {c.from}, "to": {c.to}}
	if c.force {
		v.Set("force", "true")
	}
	resp, err := rc.do(env, http.MethodPost, "/api/v1/backfills", v)
	if err != nil {
		return fail(err)
	}
	var st api.JobStatus
	err = json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(env.stderr, "envwatch: backfill running inside envwatch run (job %s); collection continues\n", st.ID)
	bar := newProgressBar(env.stderr)
	defer bar.done()
	for st.State == "running" {
		select {
		case <-env.ctx.Done():
			// As offline: an interrupted backfill stops, and the same command resumes it.
			if r, err := rc.do(&environ{ctx: context.Background(), stderr: env.stderr, secrets: env.secrets}, http.MethodPost, "/api/v1/backfills/"+st.ID+"/cancel", nil); err == nil {
				r.Body.Close()
			}
			fmt.Fprintln(env.stderr, "envwatch: interrupted; run the same command again to resume")
			return 1
		case <-time.After(time.Second):
		}
		resp, err := rc.do(env, http.MethodGet, "/api/v1/backfills/"+st.ID, nil)
		if err != nil {
			return fail(err)
		}
		err = json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		if err != nil {
			return fail(err)
		}
		bar.report(collector.Progress{Done: st.Progress.Done, Total: st.Progress.Total, Label: st.Progress.Label})
	}
	fmt.Fprint(env.stdout, st.Summary)
	if st.State != "done" {
		return fail(errors.New(st.Error))
	}
	return 0
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

// progressBar draws on a terminal and logs plain lines otherwise.
type progressBar struct {
	w        io.Writer
	terminal bool
	last     time.Time
}

func newProgressBar(w io.Writer) *progressBar {
	term := false
	under := w
	for {
		if u, ok := under.(interface{ Unwrap() io.Writer }); ok {
			under = u.Unwrap()
			continue
		}
		break
	}
	if s, ok := under.(*syncWriter); ok {
		under = s.w
	}
	if f, ok := under.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			term = true
		}
	}
	return &progressBar{w: w, terminal: term}
}

func (p *progressBar) report(pr collector.Progress) {
	if pr.Total <= 0 {
		return
	}
	frac := float64(pr.Done) / float64(pr.Total)
	if p.terminal {
		n := int(frac * 30)
		fmt.Fprintf(p.w, "\r[%s%s] %5.1f%% %s", strings.Repeat("=", n), strings.Repeat(" ", 30-n), 100*frac, pr.Label)
		return
	}
	if time.Since(p.last) > 5*time.Second || pr.Done == pr.Total {
		p.last = time.Now()
		fmt.Fprintf(p.w, "progress %.1f%% (%d/%d) %s\n", 100*frac, pr.Done, pr.Total, pr.Label)
	}
}

func (p *progressBar) done() {
	if p.terminal {
		fmt.Fprintln(p.w)
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

// once fetches one source once through the pipeline into a printing sink.
func (c *runCmd) once(env *environ) int {
	logger := c.logger(env.stderr)
	sink := &printSink{w: env.stdout}
	s, err := newStack(c.configFile, logger, sinkMode{override: sink, dryRun: true, secrets: env.secrets})
	if err != nil {
		fmt.Fprintf(env.stderr, "envwatch: %v\n", err)
		return 1
	}
	defer s.close()
	sc, pull, err := s.pullSource(c.source)
	switch {
	case errors.Is(err, errPushSource):
		fmt.Fprintf(env.stderr, "envwatch: source %s receives pushed data; --once needs a pull source\n", sc.Name)
		return 1
	case err != nil:
		fmt.Fprintf(env.stderr, "envwatch: %v\n", err)
		return 1
	}
	job := s.job(sc, noCommit{pull})
	job.Marks = readOnlyMarks{s.st}
	w, err := job.NextWindow()
	if err != nil {
		fmt.Fprintf(env.stderr, "envwatch: %v\n", err)
		return 1
	}
	if err := job.Run(env.ctx); err != nil {
		fmt.Fprintf(env.stderr, "envwatch: %v\n", err)
		return 1
	}
	fmt.Fprintf(env.stderr, "dry run: window (%s, %s]: %d points would be written; nothing was written or recorded\n",
		w.From.In(s.loc).Format(time.RFC3339), w.To.In(s.loc).Format(time.RFC3339), sink.points)
	return 0
}

// discardSink is the sink of commands that only read (report).
type discardSink struct{}

func (discardSink) WriteLines(context.Context, []byte) (int, error) { return 0, nil }
