package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/promslog"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"
	"github.com/prometheus/exporter-toolkit/web/kingpinflag"

	"github.com/envwatch/envwatch/config"
	"github.com/envwatch/envwatch/internal/conncap"
	"github.com/envwatch/envwatch/internal/secret"
	"github.com/envwatch/envwatch/metrics"
	"github.com/envwatch/envwatch/service"
)

type runCmd struct {
	configFile      string
	web             *web.FlagConfig
	shutdownTimeout time.Duration
	maxConns        int
	level, format   string
	onceFlag        bool
	source          string
	pprof           bool
	lifecycle       bool
	adminAPI        bool
	secrets         *secret.Redactor
	receivers       *service.Receivers // HJ 212 receivers kept across reloads
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
	cmd.Flag("web.max-connections", "Maximum simultaneous HTTP connections; at the cap an idle keep-alive connection makes room, else the newcomer is closed.").Default("512").IntVar(&c.maxConns)
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

// options are the flags the running service takes.
func (c *runCmd) options() service.Options {
	return service.Options{ShutdownTimeout: c.shutdownTimeout, Lifecycle: c.lifecycle, AdminAPI: c.adminAPI, Pprof: c.pprof, Secrets: c.secrets,
		Receivers: c.receivers}
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
	if c.maxConns < 1 {
		fmt.Fprintf(env.stderr, "envwatch: --web.max-connections=%d: must be at least 1\n", c.maxConns)
		return 2
	}
	if err := c.checkExposure(); err != nil {
		fmt.Fprintf(env.stderr, "envwatch: %v\n", err)
		return 2
	}
	if err := c.serve(env.ctx, logger); err != nil {
		logger.Error("envwatch stopped", "err", err)
		return 1
	}
	return 0
}

// checkExposure refuses the mutating endpoints (admin API, lifecycle) on a listener
// anyone on the network reaches without a web configuration: they would take a backfill or
// a spool drop from anyone. Bound to loopback they are the machine's own; behind basic auth
// (a web configuration) whoever holds the password's.
func (c *runCmd) checkExposure() error {
	if !c.adminAPI && !c.lifecycle {
		return nil
	}
	if c.web != nil && c.web.WebConfigFile != nil && *c.web.WebConfigFile != "" {
		return nil
	}
	if c.web == nil || c.web.WebListenAddresses == nil {
		return nil
	}
	for _, a := range *c.web.WebListenAddresses {
		host, _, err := net.SplitHostPort(a)
		if ip := net.ParseIP(host); err != nil || host == "" || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
			return fmt.Errorf("--web.enable-admin-api and --web.enable-lifecycle need --web.config.file (basic auth, TLS) or a loopback --web.listen-address such as 127.0.0.1:9065; %q is open to the network (docs/deploy.md)", a)
		}
	}
	return nil
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
	c.receivers = service.NewReceivers(selfReg, logger)
	defer c.receivers.Stop()
	cur, err := service.Start(cfg, logger, selfReg, reload, c.options())
	if err != nil {
		self.ConfigLoaded.Set(0)
		return err
	}
	self.ConfigLoaded.Set(1)
	self.ConfigLoadSuccess.SetToCurrentTime()
	handler := &swapHandler{}
	handler.h.Store(&cur.Handler)
	// Bounded by design: a client holding idle keep-alive connections (even after a 401)
	// or sending a request body slowly gives them back; responses may stream long (a
	// rebuild's progress), so there is no write timeout.
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, IdleTimeout: 2 * time.Minute,
		ConnState: conncap.New(c.maxConns, selfReg).ConnState}
	errc := make(chan error, 1)
	go func() { errc <- web.ListenAndServe(srv, c.web, logger) }()
	defer writeAddress(cfg.StateDir, serviceURL(c.web))()
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
		cur.Close(logger)
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
func (c *runCmd) reload(logger *slog.Logger, self *metrics.Self, selfReg *prometheus.Registry, reload func() error, cur **service.Running, h *swapHandler) error {
	logger.Info("reloading configuration", "config", c.configFile)
	cfg, err := config.LoadFile(c.configFile)
	if err != nil {
		self.ConfigLoaded.Set(0)
		logger.Error("configuration reload failed; keeping the running configuration", "err", err)
		return err
	}
	var prev *config.Config
	if *cur != nil {
		prev = (*cur).Config()
		(*cur).Close(logger)
		*cur = nil
	}
	next, err := service.Start(cfg, logger, selfReg, reload, c.options())
	if err == nil {
		*cur = next
		h.h.Store(&next.Handler)
		self.ConfigLoaded.Set(1)
		self.ConfigLoadSuccess.SetToCurrentTime()
		logger.Info("configuration reloaded")
		return nil
	}
	self.ConfigLoaded.Set(0)
	logger.Error("starting with the new configuration failed; restoring the previous one", "err", err)
	if prev != nil {
		if old, rerr := service.Start(prev, logger, selfReg, reload, c.options()); rerr == nil {
			*cur = old
			h.h.Store(&old.Handler)
			return fmt.Errorf("the new configuration did not start (the previous one runs again): %w", err)
		} else {
			logger.Error("the previous configuration did not start again either; nothing is collecting", "err", rerr)
		}
	}
	c.receivers.Stop() // nothing to hand their packets to
	down := service.DownRoutes(c.options(), selfReg, err, reload)
	h.h.Store(&down)
	return err
}
