package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/envwatch/envwatch/api"
	"github.com/envwatch/envwatch/reading"
	"github.com/envwatch/envwatch/sink/influx"
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
	s, err := newStack(c.configFile, logger, sinkMode{secrets: env.secrets})
	if errors.Is(err, store.ErrLocked) {
		return c.remote.call(env, http.MethodPost, "/api/v1/rebuild", url.Values{"year": {strconv.Itoa(c.year)}})
	}
	if err != nil {
		return fail(err)
	}
	defer s.close()
	if err := s.rebuild(env.ctx, env.stdout, c.year); err != nil {
		return fail(err)
	}
	return 0
}

// rebuild reads a year of raw data back from InfluxDB into the stack's engines and state:
// the one code path of the CLI and the API.
func (s *stack) rebuild(ctx context.Context, w io.Writer, year int) error {
	in := s.cfg.InfluxDB
	if in == nil {
		return api.Errorf(http.StatusBadRequest, "the configuration has no influxdb section to rebuild from")
	}
	token, err := readToken(in)
	if err != nil {
		return err
	}
	db, rp := in.Database, in.RetentionPolicy
	if in.Bucket != "" {
		db = in.Bucket // 2.x/3.x: the DBRP mapping names the bucket as database
	}
	rd := &influx.Reader{URL: in.URL, Database: db, RetentionPolicy: rp, Token: token, Client: &http.Client{Timeout: 5 * time.Minute}}
	total := 0
	for m := time.January; m <= time.December; m++ { // a month per query bounds memory
		from := time.Date(year, m, 1, 0, 0, 0, 0, s.loc)
		to := from.AddDate(0, 1, 0)
		for _, meas := range []string{influx.MeasurementAirHourly, influx.MeasurementWaterSample} {
			bySource, err := rd.Readings(ctx, meas, from, to)
			if err != nil {
				return err
			}
			// Each source's points are written back under its own name: the same series,
			// an idempotent rewrite (with "rebuild" as the source they became a second
			// series, counted twice by every query across sources).
			for _, src := range slices.Sorted(maps.Keys(bySource)) {
				name := src
				if name == "" {
					name = "rebuild" // points written without a source tag
				}
				n, err := s.pl.Handle(ctx, &reading.Batch{Source: name, Readings: bySource[src]})
				if err != nil {
					return err
				}
				total += n
			}
		}
	}
	fmt.Fprintf(w, "rebuilt %d: %d readings from %s\n", year, total, in.URL)
	return nil
}
