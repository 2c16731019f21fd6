package service

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/collector"
	"github.com/envwatch/envwatch/collector/cnemc"
	"github.com/envwatch/envwatch/collector/hj212recv"
	"github.com/envwatch/envwatch/collector/httpjson"
	"github.com/envwatch/envwatch/collector/simulate"
	"github.com/envwatch/envwatch/collector/watercsv"
	"github.com/envwatch/envwatch/config"
	"github.com/envwatch/envwatch/internal/secret"
	"github.com/envwatch/envwatch/metrics"
	"github.com/envwatch/envwatch/pipeline"
	"github.com/envwatch/envwatch/reading"
	"github.com/envwatch/envwatch/sink/influx"
	"github.com/envwatch/envwatch/store"
	"github.com/envwatch/envwatch/waterquality"
)

// Kinds is the registry of source kinds this binary supports. config.Kinds names them for
// validation; config cannot hold the factories (the collectors import config), and an
// init-time registry would be global state.
func Kinds(reg prometheus.Registerer, hjm *hj212recv.Metrics) collector.Registry {
	if hjm == nil {
		hjm = hj212recv.NewMetrics(reg)
	}
	return collector.Registry{
		"cnemc_csv": cnemc.New,
		"water_csv": watercsv.New,
		"http_json": httpjson.New,
		"hj212": func(c config.Source, env collector.Env) (any, error) {
			return hj212recv.FromConfig(c, env, hjm)
		},
		"simulate": func(c config.Source, env collector.Env) (any, error) {
			return simulate.New(c.Simulate.Seed, env.Sites.Stations, env.Sites.Sections, c.Simulate.BackfillDays), nil
		},
	}
}

// Generation is everything between the configuration and the sources: state store,
// metrics registry, sink, engines and pipeline. `run` (through Running), backfill,
// report, assess and the dry run share it; a reload builds a new one.
type Generation struct {
	cfg           *config.Config
	loc           *time.Location
	st            *store.Store
	lentStore     bool // st belongs to the running generation (a dry run beside it)
	dryRun        bool // records nothing: sources read their state and never write it
	promReg       *prometheus.Registry
	writer        *influx.Writer // nil without an influxdb section or when a sink is substituted
	air           *airquality.Network
	aqi           airquality.AQIOptions // the configured editions and AQI rules
	pl            *pipeline.Pipeline
	names         collector.Sites
	stations      []metrics.Station
	sections      []metrics.Section
	sourceKinds   collector.Registry
	sourceMetrics *collector.Metrics
	logger        *slog.Logger
}

// Mode chooses what the pipeline writes to.
type Mode struct {
	Sink   pipeline.Sink // used instead of InfluxDB when set (commands that only read: Discard)
	DryRun bool          // neither restore nor persist engine state
	// Secrets learns the configuration's credentials, so that logs and errors mask them.
	Secrets *secret.Redactor
	// HJ212Metrics are the receivers' metrics when they outlive the generation
	// (Receivers); nil: registered with the generation's.
	HJ212Metrics *hj212recv.Metrics
	// State is the running generation's state store, lent to a dry run beside it (which
	// reads the sources' marks and records nothing); nil: the generation opens its own.
	State *store.Store
}

// Discard is the sink of commands that only read (report, assess).
var Discard pipeline.Sink = discardSink{}

// Open loads a configuration file and builds its generation.
func Open(cfgPath string, logger *slog.Logger, mode Mode) (*Generation, error) {
	cfg, err := config.LoadFile(cfgPath)
	if err != nil {
		return nil, err
	}
	return New(cfg, logger, mode)
}

// New builds a generation from a loaded configuration (a reload restores the previous one).
func New(cfg *config.Config, logger *slog.Logger, mode Mode) (*Generation, error) {
	if mode.Secrets != nil {
		mode.Secrets.Add(cfg.Secrets()...)
	}
	loc, err := time.LoadLocation(cfg.TimeZone)
	if err != nil {
		return nil, err
	}
	st, lent := mode.State, mode.State != nil
	if !lent {
		if st, err = store.Open(cfg.StateDir, 5*time.Second); err != nil {
			return nil, err
		}
	}
	s := &Generation{cfg: cfg, loc: loc, st: st, lentStore: lent, dryRun: mode.DryRun, promReg: prometheus.NewRegistry(), logger: logger}
	var sink pipeline.Sink = mode.Sink
	if in := cfg.InfluxDB; in != nil && mode.Sink == nil {
		token, err := readToken(in)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.writer = influx.New(influx.Options{URL: in.URL, Org: in.Org, Bucket: in.WriteBucket(), Token: token,
			Timeout: time.Duration(in.Timeout), BatchSize: in.BatchSize, Concurrency: in.WriteConcurrency, Gzip: in.Gzip}, s.promReg)
		sink = s.writer
	}
	s.air = airquality.NewNetwork(airquality.CityOptions{MinStations: cfg.Standards.MinStations, RoundStationValues: cfg.Standards.RoundStationValues})
	var sites []pipeline.Site
	for _, c := range cfg.Stations {
		sites = append(sites, pipeline.Site{Kind: reading.Air, Code: c.Code, Area: c.Area})
		s.stations = append(s.stations, metrics.Station{Code: c.Code, Area: c.Area})
		s.names.Stations = append(s.names.Stations, c.Code)
	}
	for _, c := range cfg.Sections {
		body, _ := waterquality.ParseBody(c.WaterBody)
		cls, _ := waterquality.ParseClass(c.TargetClass)
		sites = append(sites, pipeline.Site{Kind: reading.Water, Code: c.Code, Area: c.Area, Body: body, Target: cls})
		s.sections = append(s.sections, metrics.Section{Code: c.Code, Area: c.Area})
		s.names.Sections = append(s.names.Sections, c.Code)
	}
	for _, c := range cfg.DrinkingWaterSources { // drinking-water sources receive samples like sections
		body, _ := waterquality.ParseBody(c.WaterBody)
		sites = append(sites, pipeline.Site{Kind: reading.Water, Code: c.Code, Area: c.Area, Body: body, Target: waterquality.ClassIII, Source: true})
		s.sections = append(s.sections, metrics.Section{Code: c.Code, Area: c.Area})
		s.names.Sections = append(s.names.Sections, c.Code)
	}
	s.pl = pipeline.New(sites, s.air, sink, s.promReg, logger)
	opt, err := indicatorOptions(cfg)
	if err != nil {
		s.Close()
		return nil, err
	}
	s.aqi = opt.Period.AQI
	if sink != nil { // InfluxDB, or a dry run's printer: the derived series with the raw points
		s.pl.SetDerived(pipeline.Derived{AQI: opt.Period.AQI, Water: opt.Water, Period: opt.Period, SandDust: opt.SandDust})
	}
	if err := defineAreas(cfg, s.air); err != nil {
		s.Close()
		return nil, err
	}
	if !mode.DryRun {
		start := time.Now()
		var spoolMax int64
		if cfg.InfluxDB != nil {
			spoolMax = cfg.InfluxDB.SpoolMaxBytes
		}
		if err := s.pl.UseState(st, spoolMax); err != nil {
			s.Close()
			return nil, fmt.Errorf("restoring engine state: %w", err)
		}
		logger.Info("engine state restored", "duration", time.Since(start).Round(time.Millisecond))
		// The restore read the whole state file through bbolt's mapping; the engines now
		// hold what they need, so its pages need not stay in envwatch's RSS.
		if err := st.DropResident(); err != nil {
			logger.Warn("could not release the state file's pages", "err", err)
		}
	}
	s.sourceKinds = Kinds(s.promReg, mode.HJ212Metrics)
	s.sourceMetrics = collector.NewMetrics(s.promReg)
	var names []string
	for _, sc := range cfg.Sources {
		names = append(names, sc.Name)
		s.sourceMetrics.Prepare(sc.Name)
	}
	s.pl.Prepare(names)
	return s, nil
}

// Close closes the sink and the state store.
func (s *Generation) Close() {
	if s.writer != nil {
		s.writer.Close()
	}
	if !s.lentStore {
		s.st.Close()
	}
}

// source builds one configured source.
func (s *Generation) source(sc config.Source) (any, error) {
	factory, ok := s.sourceKinds[sc.Kind]
	if !ok {
		return nil, fmt.Errorf("source %s: kind %q is not built into this binary", sc.Name, sc.Kind)
	}
	var state collector.KeyValue = s.st.SourceState(sc.Name)
	if s.dryRun {
		state = readOnlyState{state} // an oversized file is not remembered by a dry run
	}
	src, err := factory(sc, collector.Env{Sites: s.names, State: state, Logger: s.logger.With("source", sc.Name), Location: s.loc})
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", sc.Name, err)
	}
	return src, nil
}

// readOnlyState lets a dry run's source read its state without changing it.
type readOnlyState struct{ collector.KeyValue }

func (readOnlyState) Put(string, []byte) error { return nil }

// job wraps a pull source with its schedule settings.
func (s *Generation) job(sc config.Source, src collector.Pull) *collector.Job {
	return &collector.Job{Name: sc.Name, Source: src, Lookback: time.Duration(sc.Lookback), Timeout: time.Duration(sc.Timeout),
		Retries: sc.RetryCount(), Marks: s.st, Handler: s.pl, Metrics: s.sourceMetrics, Logger: s.logger, Now: time.Now}
}

// collectorNamed finds a source's configuration.
func (s *Generation) collectorNamed(name string) (config.Source, error) {
	var names []string
	for _, sc := range s.cfg.Sources {
		if sc.Name == name {
			return sc, nil
		}
		names = append(names, sc.Name)
	}
	return config.Source{}, fmt.Errorf("no source named %q (configured: %s)", name, strings.Join(names, ", "))
}

// ErrPushSource reports a source that receives pushed data where a command needs to pull.
var ErrPushSource = errors.New("receives pushed data")

// pullSource builds the named source for a command that fetches on demand (backfill,
// run --once). A push source yields ErrPushSource with its configuration, so the caller
// can say what to do instead.
func (s *Generation) pullSource(name string) (config.Source, collector.Pull, error) {
	sc, err := s.collectorNamed(name)
	if err != nil {
		return sc, nil, err
	}
	src, err := s.source(sc)
	if err != nil {
		return sc, nil, err
	}
	pull, ok := src.(collector.Pull)
	if !ok {
		return sc, nil, ErrPushSource
	}
	return sc, pull, nil
}

// readToken reads the InfluxDB token from its environment variable or file.
func readToken(in *config.InfluxDB) (string, error) {
	t, err := secret.Read(in.TokenEnv, in.TokenFile)
	if err != nil {
		return "", fmt.Errorf("influxdb token: %w", err)
	}
	return t, nil
}

// defineAreas registers every area with the assessment stations of it and of its
// descendants (a city is the union of its districts' city stations).
func defineAreas(cfg *config.Config, air *airquality.Network) error {
	tree := cfg.AreaTree()
	members := map[string][]string{}
	for _, s := range cfg.Stations {
		if !s.Counts() {
			continue
		}
		for _, a := range tree.Ancestors(s.Area) {
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
