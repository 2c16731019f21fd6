package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/alecthomas/kingpin/v2"

	"github.com/envwatch/envwatch/service"
	"github.com/envwatch/envwatch/store"
)

type rebuildCmd struct {
	configFile string
	year       int
	remote     remoteFlags
}

func (c *rebuildCmd) register(app *kingpin.Application, _ *environ) *kingpin.CmdClause {
	cmd := app.Command("rebuild", "Rebuild a year of the embedded state from InfluxDB (InfluxQL over /query), e.g. after losing the state directory.")
	cmd.Flag("config", "Configuration file.").Short('c').Required().StringVar(&c.configFile)
	cmd.Flag("year", "Year to rebuild.").Required().IntVar(&c.year)
	c.remote.register(cmd)
	return cmd
}

func (c *rebuildCmd) run(env *environ) int {
	logger := (&runCmd{level: "info", format: "logfmt"}).logger(env.stderr)
	fail := func(err error) int { fmt.Fprintf(env.stderr, "envwatch: %v\n", err); return 1 }
	// The real sink: the raw points are rewritten unchanged, under their own source (so
	// idempotent), and the derived
	// series (the hourly AQI fields, air_daily, air_monthly, water_period) are written from the
	// rebuilt engines.
	s, err := (*service.Generation)(nil), error(store.ErrLocked)
	// Beside a running envwatch (its address in the state directory): ask it at once.
	if !c.remote.beside(c.configFile) {
		s, err = service.Open(c.configFile, logger, service.Mode{Secrets: env.secrets})
	}
	if errors.Is(err, store.ErrLocked) {
		return c.remote.call(env, http.MethodPost, "/api/v1/rebuild", url.Values{"year": {strconv.Itoa(c.year)}})
	}
	if err != nil {
		return fail(err)
	}
	defer s.Close()
	if err := s.Rebuild(env.ctx, env.stdout, c.year); err != nil {
		return fail(err)
	}
	return 0
}
