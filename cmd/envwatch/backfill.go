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
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/envwatch/envwatch/api"
	"github.com/envwatch/envwatch/collector"
	"github.com/envwatch/envwatch/service"
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
	s, err := (*service.Generation)(nil), error(store.ErrLocked)
	// Beside a running envwatch (its address in the state directory): ask it at once.
	if !c.remote.beside(c.configFile) {
		s, err = service.Open(c.configFile, logger, service.Mode{Secrets: env.secrets})
	}
	if errors.Is(err, store.ErrLocked) {
		return c.remoteBackfill(env)
	}
	if err != nil {
		fmt.Fprintf(env.stderr, "envwatch: %v\n", err)
		return 1
	}
	defer s.Close()
	bar := newProgressBar(env.stderr)
	q := api.BackfillQuery{Source: c.source, From: c.from, To: c.to, Force: c.force}
	err = s.Backfill(env.ctx, env.stdout, env.stderr, q, false, bar.report)
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

// once fetches one source once through the pipeline and prints the line protocol.
func (c *runCmd) once(env *environ) int {
	// Beside the running service (which holds the state store) the dry run is its own,
	// through the API, reading its marks and recording nothing.
	remote := &remoteFlags{}
	if c.web != nil && c.web.WebConfigFile != nil {
		remote.webConfig = *c.web.WebConfigFile
	}
	if remote.beside(c.configFile) {
		return remote.get(env, "/api/v1/dryrun", url.Values{"source": {c.source}})
	}
	err := service.DryRun(env.ctx, c.configFile, c.source, c.logger(env.stderr), env.stdout, env.stderr, env.secrets)
	if errors.Is(err, store.ErrLocked) {
		return remote.get(env, "/api/v1/dryrun", url.Values{"source": {c.source}})
	}
	if err != nil {
		fmt.Fprintf(env.stderr, "envwatch: %v\n", err)
		return 1
	}
	return 0
}
