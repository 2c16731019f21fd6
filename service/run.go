package service

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"sync/atomic"
	"time"

	"github.com/envwatch/envwatch/api"
	"github.com/envwatch/envwatch/collector"
	"github.com/envwatch/envwatch/collector/hj212recv"
	"github.com/envwatch/envwatch/config"
	"github.com/envwatch/envwatch/internal/secret"
	"github.com/envwatch/envwatch/metrics"
	"github.com/envwatch/envwatch/sink/influx"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"
)

// Options are the running service's switches (the flags of `envwatch run`).
type Options struct {
	// ShutdownTimeout is how long running pull jobs get to finish when a generation stops.
	ShutdownTimeout time.Duration
	// Lifecycle enables POST /-/reload; AdminAPI the mutating API; Pprof /debug/pprof/.
	Lifecycle, AdminAPI, Pprof bool
	Secrets                    *secret.Redactor
	// Receivers, when set, keeps HJ 212 receivers and their connections across
	// generations whose receiver configuration is unchanged (`run`'s reloads).
	Receivers *Receivers
}

// Running is one generation of the service: a Generation with its scheduler, replayer,
// backfill jobs and HTTP routes. A reload replaces it; the listener stays.
type Running struct {
	s        *Generation
	sched    *collector.Scheduler
	stop     context.CancelFunc
	influxOK atomic.Bool
	// Handler serves the generation's routes.
	Handler http.Handler
	opt     Options
	jobs    *api.Jobs
}

// Config is the configuration the generation runs.
func (r *Running) Config() *config.Config { return r.s.cfg }

// Start builds a generation from cfg and starts it: its sources on their schedules, the
// spool's replayer, the target snapshot kept warm, and the routes (with selfReg's
// process metrics; reload answers POST /-/reload).
func Start(cfg *config.Config, logger *slog.Logger, selfReg *prometheus.Registry, reload func() error, opt Options) (*Running, error) {
	mode := Mode{Secrets: opt.Secrets}
	if opt.Receivers != nil {
		mode.HJ212Metrics = opt.Receivers.metrics
	}
	s, err := New(cfg, logger, mode)
	if err != nil {
		return nil, err
	}
	r := &Running{s: s, opt: opt}
	ctx, cancel := context.WithCancel(context.Background())
	r.stop = cancel
	fail := func(err error) (*Running, error) {
		if opt.Receivers != nil {
			opt.Receivers.detach(r)
		}
		cancel()
		s.Close()
		return nil, err
	}
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
		case *hj212recv.Server:
			if opt.Receivers != nil {
				name := sc.Name
				opt.Receivers.attach(name, src, r, s.pl, func(up bool) { s.sourceMetrics.SetUp(name, up) })
				continue
			}
			r.sched.Serve(sc.Name, src, s.pl)
		case collector.Push:
			r.sched.Serve(sc.Name, src, s.pl)
		default:
			return fail(fmt.Errorf("source %s: kind %q built neither a pull nor a push source", sc.Name, sc.Kind))
		}
	}
	r.sched.Start()
	if opt.Receivers != nil {
		opt.Receivers.retain(r)
	}
	r.jobs = api.NewJobs(ctx)
	svc := &answers{s: s, jobs: r.jobs}
	apiHandler := &api.Handler{Svc: svc, Admin: opt.AdminAPI}
	r.Handler = routes(opt, metrics.Concat{selfReg, s.promReg, domain}, &r.influxOK, reload, apiHandler, PagesFor(s.cfg, apiHandler))
	return r, nil
}

// close stops the generation: sources first (running jobs get the shutdown time), then the
// replayer; every accepted batch is already in InfluxDB or in the spool; then the store.
func (r *Running) Close(logger *slog.Logger) {
	if err := r.sched.Stop(r.opt.ShutdownTimeout); err != nil {
		logger.Warn("stopping sources", "err", err)
	}
	if r.opt.Receivers != nil {
		r.opt.Receivers.detach(r) // kept receivers wait for the next generation
	}
	r.stop()
	if r.jobs != nil {
		r.jobs.WaitAll() // a backfill stops at its next group; what it delivered is kept
	}
	r.s.Close()
}

// DownRoutes serve while no generation runs: self-metrics, 503 on readiness, reload.
func DownRoutes(opt Options, selfReg *prometheus.Registry, cause error, reload func() error) http.Handler {
	var notReady atomic.Bool
	mux := http.NewServeMux()
	base := routes(opt, selfReg, &notReady, reload, http.NotFoundHandler(), http.NotFoundHandler())
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

func routes(opt Options, g prometheus.Gatherer, influxOK *atomic.Bool, reload func() error, apiHandler, pagesHandler http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/v1/", apiHandler)
	mux.Handle("/pages/", pagesHandler)
	mux.Handle("/pages", pagesHandler)
	mux.Handle("/metrics", fastGzip(promhttp.HandlerFor(g, promhttp.HandlerOpts{EnableOpenMetrics: true})))
	mux.HandleFunc("/-/reload", func(w http.ResponseWriter, r *http.Request) {
		if !opt.Lifecycle {
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
	if opt.Pprof {
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
	// A page on another site must not be able to trigger a reload, a backfill or a spool
	// drop through a visitor's browser (a form POST needs no credentials here, or brings
	// the browser's cached ones): non-safe cross-origin browser requests are refused
	// (Sec-Fetch-Site, Origin). curl, the CLI and Prometheus send neither and pass.
	return http.NewCrossOriginProtection().Handler(mux)
}
