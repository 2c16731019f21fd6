package main

import (
	"fmt"
	"net/http"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/envwatch/envwatch/reading"
	"github.com/envwatch/envwatch/sink/influx"
)

type rebuildCmd struct {
	configFile string
	year       int
}

func (c *rebuildCmd) register(app *kingpin.Application, _ *environ) *kingpin.CmdClause {
	cmd := app.Command("rebuild", "Rebuild a year of the embedded state from InfluxDB (InfluxQL over /query), e.g. after losing the state directory.")
	cmd.Flag("config", "Configuration file.").Short('c').Required().StringVar(&c.configFile)
	cmd.Flag("year", "Year to rebuild.").Required().IntVar(&c.year)
	return cmd
}

func (c *rebuildCmd) run(env *environ) int {
	logger := (&runCmd{level: "info", format: "logfmt"}).logger(env.stderr)
	fail := func(err error) int { fmt.Fprintf(env.stderr, "envwatch: %v\n", err); return 1 }
	s, err := newStack(c.configFile, logger, sinkMode{override: discardSink{}, secrets: env.secrets}) // the data are already in InfluxDB
	if err != nil {
		return fail(err)
	}
	defer s.close()
	in := s.cfg.InfluxDB
	if in == nil {
		return fail(fmt.Errorf("%s has no influxdb section to rebuild from", c.configFile))
	}
	token, err := readToken(in)
	if err != nil {
		return fail(err)
	}
	db, rp := in.Database, in.RetentionPolicy
	if in.Bucket != "" {
		db = in.Bucket // 2.x/3.x: the DBRP mapping names the bucket as database
	}
	rd := &influx.Reader{URL: in.URL, Database: db, RetentionPolicy: rp, Token: token, Client: &http.Client{Timeout: 5 * time.Minute}}
	total := 0
	for m := time.January; m <= time.December; m++ { // a month per query bounds memory
		from := time.Date(c.year, m, 1, 0, 0, 0, 0, s.loc)
		to := from.AddDate(0, 1, 0)
		for _, meas := range []string{influx.MeasurementAirHourly, influx.MeasurementWaterSample} {
			rs, err := rd.Readings(env.ctx, meas, from, to)
			if err != nil {
				return fail(err)
			}
			n, err := s.pl.Handle(env.ctx, &reading.Batch{Source: "rebuild", Readings: rs})
			if err != nil {
				return fail(err)
			}
			total += n
		}
	}
	fmt.Fprintf(env.stdout, "rebuilt %d: %d readings from %s\n", c.year, total, in.URL)
	return 0
}
