package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/promslog"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"
	"github.com/prometheus/exporter-toolkit/web/kingpinflag"

	"github.com/envwatch/envwatch/api"
	"github.com/envwatch/envwatch/collector"
	"github.com/envwatch/envwatch/config"
	"github.com/envwatch/envwatch/internal/secret"
	"github.com/envwatch/envwatch/metrics"
	"github.com/envwatch/envwatch/sink/influx"
)

type runCmd struct {
	configFile      string
	web             *web.FlagConfig
	shutdownTimeout time.Duration
	level, format   string
	onceFlag        bool
	source          string
	pprof           bool
	lifecycle       bool
	adminAPI        bool
	secrets         *secret.Redactor
}

func (c *runCmd) register(app *kingpin.Application, _ *environ) *kingpin.CmdClause {
	cmd := app.Command("run", "Collect, compute, store and serve metrics (the main job).")
	cmd.Flag("config", "Configuration file.").Short('c').Default("envwatch.yaml").StringVar(&c.configFile)
	cmd.Flag("shutdown-timeout", "How long running jobs get to finish on SIGTERM.").Default("20s").DurationVar(&c.shutdownTimeout)
	cmd.Flag("log.level", "Only log messages with the given severity or above: debug, info, warn, error.").Default("info").EnumVar(&c.level, "debug", "info", "warn", "error")
	cmd.Flag("log.format", "Output format of log messages: logfmt or json.").Default("logfmt").EnumVar(&c.format, "logfmt", "json")
	cmd.Flag("web.enable-lifecycle", "Enable reloading the configuration over HTTP (POST /-/reload). Off by default; SIGHUP always works.").BoolVar(&c.lifecycle)
	cmd.Flag("web.enable-admin-api", "Enable the mutating API endpoints (backfills, spool retry/drop, rebuild; POST only). Off by default.").BoolVar(&c.adminAPI)
	cmd.Flag("web.enable-pprof", "Serve Go profiles under /debug/pprof/ (behind the same TLS and authentication as /metrics).").BoolVar(&c.pprof)
	cmd.Flag("once", "Dry run: fetch --source once, print the line protocol that would be written, write and record nothing.").BoolVar(&c.onceFlag)
	cmd.Flag("source", "The source of --once.").StringVar(&c.source)
	c.web = kingpinflag.AddFlags(cmd, ":9065")
	return cmd
}

func (c *runCmd) logger(w io.Writer) *slog.Logger {
	cfg := &promslog.Config{Level: promslog.NewLevel(), Format: promslog.NewFormat(), Writer: w}
	_ = cfg.Level.Set(c.level)
	_ = cfg.Format.Set(c.format)
	return promslog.New(cfg)
}

func (c *runCmd) run(env *environ) int {
	c.secrets = env.secrets
	if c.onceFlag {
		if c.source == "" {
			fmt.Fprintln(env.stderr, "envwatch: --once needs --source")
			return 2
		}
		return c.once(env)
	}
	logger := c.logger(env.stderr)
	if err := c.serve(env.ctx, logger); err != nil {
		logger.Error("envwatch stopped", "err", err)
		return 1
	}
	return 0
}

// running is one generation of the service: a stack with its scheduler, replayer and
// HTTP routes. A reload replaces it; the listener stays.
type running struct {
	s          *stack
	sched      *collector.Scheduler
	stop       context.CancelFunc
	influxOK   atomic.Bool
	handler    http.Handler
	shutdownIn time.Duration
	jobs       *api.Jobs
}

func (c *runCmd) start(cfg *config.Config, logger *slog.Logger, selfReg *prometheus.Registry, reload func() error) (*running, error) {
	s, err := stackFrom(cfg, logger, sinkMode{secrets: c.secrets})
	if err != nil {
		return nil, err
	}
	r := &running{s: s, shutdownIn: c.shutdownTimeout}
	ctx, cancel := context.WithCancel(context.Background())
	r.stop = cancel
	fail := func(err error) (*running, error) { cancel(); s.close(); return nil, err }
	logger.Info("state store open", "path", s.st.Path())
	if s.writer != nil {
		go watchHealth(ctx, s.writer, &r.influxOK, logger)
		logger.Info("writing to influxdb", "url", s.cfg.InfluxDB.URL, "bucket", s.cfg.InfluxDB.WriteBucket())
	} else {
		r.influxOK.Store(true)
		logger.Info("no influxdb section in the configuration: readings are computed and exposed but not stored")
	}
	domain, snapshots, err := s.domainGatherer(time.Now)
	if err != nil {
		return fail(err)
	}
	go snapshots.keepWarm(ctx)
	s.promReg.MustRegister(metrics.NewSpoolCollector(s.pl), metrics.NewStoreSizeGauge(func() float64 { return float64(s.st.Size()) }))
	go s.pl.Replay(ctx)

	r.sched = collector.NewScheduler(s.loc, s.sourceMetrics, logger)
	for _, sc := range s.cfg.Sources {
		if !sc.On() {
			logger.Info("source disabled", "source", sc.Name)
			continue
		}
		src, err := s.source(sc)
		if err != nil {
			return fail(err)
		}
		switch src := src.(type) {
		case collector.Pull:
			if err := r.sched.Add(sc.Schedule, s.job(sc, src)); err != nil {
				return fail(err)
			}
		case collector.Push:
			r.sched.Serve(sc.Name, src, s.pl)
		default:
			return fail(fmt.Errorf("source %s: kind %q built neither a pull nor a push source", sc.Name, sc.Kind))
		}
	}
	r.sched.Start()
	r.jobs = api.NewJobs(ctx)
	svc := &service{s: s, jobs: r.jobs}
	apiHandler := &api.Handler{Svc: svc, Admin: c.adminAPI}
	r.handler = c.routes(metrics.Concat{selfReg, s.promReg, domain}, &r.influxOK, reload, apiHandler, pagesFor(s.cfg, apiHandler))
	return r, nil
}

// close stops the generation: sources first (running jobs get the shutdown time), then the
// replayer; every accepted batch is already in InfluxDB or in the spool; then the store.
func (r *running) close(logger *slog.Logger) {
	if err := r.sched.Stop(r.shutdownIn); err != nil {
		logger.Warn("stopping sources", "err", err)
	}
	r.stop()
	if r.jobs != nil {
		r.jobs.WaitAll() // a backfill stops at its next group; what it delivered is kept
	}
	r.s.close()
}

// swapHandler serves the current generation's routes.
type swapHandler struct{ h atomic.Pointer[http.Handler] }

func (s *swapHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	(*s.h.Load()).ServeHTTP(w, r)
}

func (c *runCmd) serve(ctx context.Context, logger *slog.Logger) error {
	logger.Info("starting envwatch", "version", version.Info(), "config", c.configFile)
	selfReg := prometheus.NewRegistry()
	self := metrics.RegisterSelf(selfReg)
	reloads := make(chan chan error)
	reload := func() error { // POST /-/reload
		done := make(chan error, 1)
		select {
		case reloads <- done:
			return <-done
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	cfg, err := config.LoadFile(c.configFile)
	if err != nil {
		self.ConfigLoaded.Set(0)
		return err
	}
	cur, err := c.start(cfg, logger, selfReg, reload)
	if err != nil {
		self.ConfigLoaded.Set(0)
		return err
	}
	self.ConfigLoaded.Set(1)
	self.ConfigLoadSuccess.SetToCurrentTime()
	handler := &swapHandler{}
	handler.h.Store(&cur.handler)
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- web.ListenAndServe(srv, c.web, logger) }()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)

	var runErr error
loop:
	for {
		var done chan error
		select {
		case <-ctx.Done():
			logger.Info("shutting down", "timeout", c.shutdownTimeout)
			break loop
		case err := <-errc:
			if !errors.Is(err, http.ErrServerClosed) {
				runErr = fmt.Errorf("web server: %w", err)
			}
			break loop
		case <-hup:
		case done = <-reloads:
		}
		err := c.reload(logger, self, selfReg, reload, &cur, handler)
		if done != nil {
			done <- err
		}
	}
	if cur != nil {
		cur.close(logger)
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	return runErr
}

// reload validates the configuration file first: an invalid file leaves the running
// generation untouched (like blackbox_exporter); a valid one replaces it. The state store
// admits one generation at a time, so the old one is closed first — and started again from
// its configuration if the new one fails to start (a file that validates can still fail:
// a missing sand_dust_file, a port taken). Readiness and source_up tell the truth either
// way: if even the old configuration cannot start, /-/ready answers 503 and only the
// self-metrics are served.
func (c *runCmd) reload(logger *slog.Logger, self *metrics.Self, selfReg *prometheus.Registry, reload func() error, cur **running, h *swapHandler) error {
	logger.Info("reloading configuration", "config", c.configFile)
	cfg, err := config.LoadFile(c.configFile)
	if err != nil {
		self.ConfigLoaded.Set(0)
		logger.Error("configuration reload failed; keeping the running configuration", "err", err)
		return err
	}
	var prev *config.Config
	if *cur != nil {
		prev = (*cur).s.cfg
		(*cur).close(logger)
		*cur = nil
	}
	next, err := c.start(cfg, logger, selfReg, reload)
	if err == nil {
		*cur = next
		h.h.Store(&next.handler)
		self.ConfigLoaded.Set(1)
		self.ConfigLoadSuccess.SetToCurrentTime()
		logger.Info("configuration reloaded")
		return nil
	}
	self.ConfigLoaded.Set(0)
	logger.Error("starting with the new configuration failed; restoring the previous one", "err", err)
	if prev != nil {
		if old, rerr := c.start(prev, logger, selfReg, reload); rerr == nil {
			*cur = old
			h.h.Store(&old.handler)
			return fmt.Errorf("the new configuration did not start (the previous one runs again): %w", err)
		} else {
			logger.Error("the previous configuration did not start again either; nothing is collecting", "err", rerr)
		}
	}
	down := c.downRoutes(selfReg, err, reload)
	h.h.Store(&down)
	return err
}

// downRoutes serve while no generation runs: self-metrics, 503 on readiness, reload.
func (c *runCmd) downRoutes(selfReg *prometheus.Registry, cause error, reload func() error) http.Handler {
	var notReady atomic.Bool
	mux := http.NewServeMux()
	base := c.routes(selfReg, &notReady, reload, http.NotFoundHandler(), http.NotFoundHandler())
	mux.Handle("/", base)
	mux.HandleFunc("/-/ready", func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "not collecting: the configuration did not start: "+cause.Error(), http.StatusServiceUnavailable)
	})
	return mux
}

func watchHealth(ctx context.Context, w *influx.Writer, ok *atomic.Bool, logger *slog.Logger) {
	t := time.NewTicker(15 * time.Second)
	defer t.Stop()
	for {
		err := w.Health(ctx)
		if err == nil && !ok.Load() {
			logger.Info("influxdb is healthy")
		}
		if err != nil {
			logger.Warn("influxdb health check failed", "err", err)
		}
		if err == nil {
			ok.Store(true) // readiness needs one success; write failures are counted separately
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (c *runCmd) routes(g prometheus.Gatherer, influxOK *atomic.Bool, reload func() error, apiHandler, pagesHandler http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/v1/", apiHandler)
	mux.Handle("/pages/", pagesHandler)
	mux.Handle("/pages", pagesHandler)
	mux.Handle("/metrics", fastGzip(promhttp.HandlerFor(g, promhttp.HandlerOpts{EnableOpenMetrics: true})))
	mux.HandleFunc("/-/reload", func(w http.ResponseWriter, r *http.Request) {
		if !c.lifecycle {
			// Prometheus' answer, for the same reason: a mutating endpoint is off until enabled.
			http.Error(w, "Lifecycle API is not enabled (start with --web.enable-lifecycle; SIGHUP always reloads).", http.StatusForbidden)
			return
		}
		if r.Method != http.MethodPost {
			http.Error(w, "POST to reload the configuration", http.StatusMethodNotAllowed)
			return
		}
		if err := reload(); err != nil {
			http.Error(w, "reload failed: "+err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, "Reloaded")
	})
	if c.pprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	mux.HandleFunc("/-/healthy", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "Healthy") })
	mux.HandleFunc("/-/ready", func(w http.ResponseWriter, _ *http.Request) {
		if !influxOK.Load() {
			http.Error(w, "waiting for InfluxDB to answer its health check", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "Ready")
	})
	landing, err := web.NewLandingPage(web.LandingConfig{
		Name:        "envwatch",
		Description: "Air- and water-quality indicators for environmental bureaus (HJ 633, HJ 663, GB 3095, GB 3838)",
		Version:     version.Info(),
		Links: []web.LandingLinks{
			{Address: "/pages/today", Text: "今日研判 · Today"},
			{Address: "/pages/month", Text: "月度考核 · Month"},
			{Address: "/pages/year", Text: "年度报告 · Year"},
			{Address: "/metrics", Text: "Metrics"},
			{Address: "/-/healthy", Text: "Health"},
			{Address: "/-/ready", Text: "Readiness"},
			{Address: "/api/v1/sites", Text: "API: sites"},
		},
	})
	if err == nil {
		mux.Handle("/", landing)
	}
	return mux
}
