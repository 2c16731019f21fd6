package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/promslog"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"
	"github.com/prometheus/exporter-toolkit/web/kingpinflag"

	"github.com/envwatch/envwatch/collector"
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
}

func (c *runCmd) register(app *kingpin.Application, _ *environ) *kingpin.CmdClause {
	cmd := app.Command("run", "Collect, compute, store and serve metrics (the main job).")
	cmd.Flag("config", "Configuration file.").Short('c').Default("envwatch.yaml").StringVar(&c.configFile)
	cmd.Flag("shutdown-timeout", "How long running jobs get to finish on SIGTERM.").Default("20s").DurationVar(&c.shutdownTimeout)
	cmd.Flag("log.level", "Only log messages with the given severity or above: debug, info, warn, error.").Default("info").EnumVar(&c.level, "debug", "info", "warn", "error")
	cmd.Flag("log.format", "Output format of log messages: logfmt or json.").Default("logfmt").EnumVar(&c.format, "logfmt", "json")
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

func (c *runCmd) serve(ctx context.Context, logger *slog.Logger) error {
	logger.Info("starting envwatch", "version", version.Info(), "config", c.configFile)
	s, err := newStack(c.configFile, logger, sinkMode{})
	if err != nil {
		return err
	}
	defer s.close()
	logger.Info("state store open", "path", s.st.Path())
	self := metrics.RegisterSelf(s.reg, func() float64 { return float64(s.st.Size()) })
	self.ConfigLoaded.Set(1)
	self.ConfigLoadSuccess.SetToCurrentTime()

	var influxOK atomic.Bool
	if s.writer != nil {
		go watchHealth(ctx, s.writer, &influxOK, logger)
		logger.Info("writing to influxdb", "url", s.cfg.InfluxDB.URL, "bucket", s.cfg.InfluxDB.WriteBucket())
	} else {
		influxOK.Store(true)
		logger.Info("no influxdb section in the configuration: readings are computed and exposed but not stored")
	}
	cs, err := s.domainCollectors(time.Now)
	if err != nil {
		return err
	}
	s.reg.MustRegister(cs...)

	replayCtx, stopReplay := context.WithCancel(context.Background())
	defer stopReplay()
	go s.pl.Replay(replayCtx)
	s.reg.MustRegister(metrics.NewSpoolCollector(s.pl))

	sched := collector.NewScheduler(s.loc, s.metrics, logger)
	for _, sc := range s.cfg.Collectors {
		if !sc.On() {
			logger.Info("source disabled", "source", sc.Name)
			continue
		}
		src, err := s.source(sc)
		if err != nil {
			return err
		}
		switch src := src.(type) {
		case collector.Pull:
			if err := sched.Add(sc.Schedule, s.job(sc, src)); err != nil {
				return err
			}
		case collector.Push:
			sched.Serve(sc.Name, src, s.pl)
		default:
			return fmt.Errorf("source %s: kind %q built neither a pull nor a push source", sc.Name, sc.Kind)
		}
	}
	sched.Start()

	srv := &http.Server{Handler: c.routes(s.reg, &influxOK), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- web.ListenAndServe(srv, c.web, logger) }()

	var runErr error
	select {
	case <-ctx.Done():
		logger.Info("shutting down", "timeout", c.shutdownTimeout)
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			runErr = fmt.Errorf("web server: %w", err)
		}
	}
	if err := sched.Stop(c.shutdownTimeout); err != nil {
		logger.Warn("stopping sources", "err", err)
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	return runErr
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

func (c *runCmd) routes(reg *prometheus.Registry, influxOK *atomic.Bool) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg, EnableOpenMetrics: true}))
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
			{Address: "/metrics", Text: "Metrics"},
			{Address: "/-/healthy", Text: "Health"},
			{Address: "/-/ready", Text: "Readiness"},
		},
	})
	if err == nil {
		mux.Handle("/", landing)
	}
	return mux
}
