package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/promslog"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"
	"github.com/prometheus/exporter-toolkit/web/kingpinflag"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/collector"
	"github.com/envwatch/envwatch/collector/cnemc"
	"github.com/envwatch/envwatch/collector/hj212recv"
	"github.com/envwatch/envwatch/collector/httpjson"
	"github.com/envwatch/envwatch/collector/simulate"
	"github.com/envwatch/envwatch/collector/watercsv"
	"github.com/envwatch/envwatch/config"
	"github.com/envwatch/envwatch/metrics"
	"github.com/envwatch/envwatch/pipeline"
	"github.com/envwatch/envwatch/reading"
	"github.com/envwatch/envwatch/sink/influx"
	"github.com/envwatch/envwatch/store"
)

type runCmd struct {
	configFile      string
	web             *web.FlagConfig
	shutdownTimeout time.Duration
	level, format   string
}

func (c *runCmd) register(app *kingpin.Application, _ *environ) *kingpin.CmdClause {
	cmd := app.Command("run", "Collect, compute, store and serve metrics (the main job).")
	cmd.Flag("config", "Configuration file.").Short('c').Default("envwatch.yaml").StringVar(&c.configFile)
	cmd.Flag("shutdown-timeout", "How long running jobs get to finish on SIGTERM.").Default("20s").DurationVar(&c.shutdownTimeout)
	cmd.Flag("log.level", "Only log messages with the given severity or above: debug, info, warn, error.").Default("info").EnumVar(&c.level, "debug", "info", "warn", "error")
	cmd.Flag("log.format", "Output format of log messages: logfmt or json.").Default("logfmt").EnumVar(&c.format, "logfmt", "json")
	c.web = kingpinflag.AddFlags(cmd, ":9065")
	return cmd
}

// kinds is the registry of source kinds this binary supports.
func kinds(reg prometheus.Registerer) collector.Registry {
	hjm := hj212recv.NewMetrics(reg)
	return collector.Registry{
		"cnemc_csv": cnemc.New,
		"water_csv": watercsv.New,
		"http_json": httpjson.New,
		"hj212": func(c config.Collector, env collector.Env) (any, error) {
			return hj212recv.FromConfig(c, env, hjm)
		},
		"simulate": func(c config.Collector, env collector.Env) (any, error) {
			return simulate.New(c.Simulate.Seed, env.Sites.Stations, env.Sites.Sections, c.Simulate.BackfillDays), nil
		},
	}
}

func (c *runCmd) logger(w io.Writer) *slog.Logger {
	cfg := &promslog.Config{Level: promslog.NewLevel(), Format: promslog.NewFormat(), Writer: w}
	_ = cfg.Level.Set(c.level)
	_ = cfg.Format.Set(c.format)
	return promslog.New(cfg)
}

func (c *runCmd) run(env *environ) int {
	logger := c.logger(env.stderr)
	if err := c.serve(env.ctx, logger); err != nil {
		logger.Error("envwatch stopped", "err", err)
		return 1
	}
	return 0
}

// readToken reads the InfluxDB token from its environment variable or file.
func readToken(in *config.InfluxDB) (string, error) {
	switch {
	case in.TokenEnv != "":
		return os.Getenv(in.TokenEnv), nil
	case in.TokenFile != "":
		b, err := os.ReadFile(in.TokenFile)
		if err != nil {
			return "", fmt.Errorf("reading influxdb token file: %w", err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	return "", nil
}

func (c *runCmd) serve(ctx context.Context, logger *slog.Logger) error {
	logger.Info("starting envwatch", "version", version.Info(), "config", c.configFile)
	cfg, err := config.LoadFile(c.configFile)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(cfg.TimeZone)
	if err != nil {
		return err
	}
	st, err := store.Open(cfg.StateDir, 5*time.Second)
	if err != nil {
		return err
	}
	defer st.Close()
	logger.Info("state store open", "path", st.Path())

	reg := prometheus.NewRegistry()
	self := metrics.RegisterSelf(reg, func() float64 { return float64(st.Size()) })
	self.ConfigLoaded.Set(1)
	self.ConfigLoadSuccess.SetToCurrentTime()

	var sink pipeline.Sink
	var influxOK atomic.Bool
	if in := cfg.InfluxDB; in != nil {
		token, err := readToken(in)
		if err != nil {
			return err
		}
		w := influx.New(influx.Options{URL: in.URL, Org: in.Org, Bucket: in.WriteBucket(), Token: token,
			Timeout: time.Duration(in.Timeout), BatchSize: in.BatchSize}, reg)
		defer w.Close()
		sink = w
		go watchHealth(ctx, w, &influxOK, logger)
		logger.Info("writing to influxdb", "url", in.URL, "bucket", in.WriteBucket())
	} else {
		influxOK.Store(true)
		logger.Info("no influxdb section in the configuration: readings are computed and exposed but not stored")
	}

	air := airquality.NewNetwork(airquality.CityOptions{MinStations: cfg.Assessment.MinStations, RoundStationValues: cfg.Assessment.RoundStationValues})
	var sites []pipeline.Site
	var stationLabels []metrics.Station
	var names collector.Sites
	for _, s := range cfg.Stations {
		sites = append(sites, pipeline.Site{Kind: reading.Air, Code: s.Code, Area: s.Area})
		stationLabels = append(stationLabels, metrics.Station{Code: s.Code, Area: s.Area})
		names.Stations = append(names.Stations, s.Code)
	}
	for _, s := range cfg.Sections {
		sites = append(sites, pipeline.Site{Kind: reading.Water, Code: s.Code, Area: s.Area})
		names.Sections = append(names.Sections, s.Code)
	}
	pl := pipeline.New(sites, air, sink, reg, logger)
	if err := defineAreas(cfg, air); err != nil {
		return err
	}
	reg.MustRegister(metrics.NewAirCollector(pl, stationLabels))

	cm := collector.NewMetrics(reg)
	sched := collector.NewScheduler(loc, cm, logger)
	registry := kinds(reg)
	for _, sc := range cfg.Collectors {
		if !sc.On() {
			logger.Info("source disabled", "source", sc.Name)
			continue
		}
		factory, ok := registry[sc.Kind]
		if !ok {
			return fmt.Errorf("source %s: kind %q is not built into this binary", sc.Name, sc.Kind)
		}
		src, err := factory(sc, collector.Env{Sites: names, State: st.SourceState(sc.Name), Logger: logger.With("source", sc.Name), Location: loc})
		if err != nil {
			return fmt.Errorf("source %s: %w", sc.Name, err)
		}
		switch src := src.(type) {
		case collector.Pull:
			job := &collector.Job{Name: sc.Name, Source: src, Lookback: time.Duration(sc.Lookback), Timeout: time.Duration(sc.Timeout),
				Retries: sc.Retries, Marks: st, Handler: pl, Metrics: cm, Logger: logger, Now: time.Now}
			if err := sched.Add(sc.Schedule, job); err != nil {
				return err
			}
		case collector.Push:
			sched.Serve(sc.Name, src, pl)
		default:
			return fmt.Errorf("source %s: kind %q built neither a pull nor a push source", sc.Name, sc.Kind)
		}
	}
	sched.Start()

	srv := &http.Server{Handler: c.routes(reg, &influxOK), ReadHeaderTimeout: 10 * time.Second}
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

// defineAreas registers every area with the assessment stations of it and of its
// descendants (a city is the union of its districts' city stations).
func defineAreas(cfg *config.Config, air *airquality.Network) error {
	parent := map[string]string{}
	for _, a := range cfg.Areas {
		parent[a.ID] = a.Parent
	}
	members := map[string][]string{}
	for _, s := range cfg.Stations {
		if !s.Counts() {
			continue
		}
		for a, seen := s.Area, 0; a != "" && seen < len(cfg.Areas); a, seen = parent[a], seen+1 {
			members[a] = append(members[a], s.Code)
		}
	}
	for a, codes := range members {
		if err := air.SetArea(a, codes); err != nil {
			return err
		}
	}
	return nil
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
