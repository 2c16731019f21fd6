package service

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/envwatch/envwatch/api"
	"github.com/envwatch/envwatch/reading"
	"github.com/envwatch/envwatch/sink/influx"
)

// Rebuild reads a year of raw data back from InfluxDB into the stack's engines and state:
// the one code path of the CLI and the API.
func (s *Generation) Rebuild(ctx context.Context, w io.Writer, year int) error {
	if err := api.CheckYear(year); err != nil {
		return err
	}
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
			// A station hour is one series (docs/storage.md); points from before, tagged
			// by source, are replayed source by source in name order and the untagged
			// last, so that the newest write stands, and come back as that one series.
			sources := slices.Sorted(maps.Keys(bySource))
			if len(sources) > 0 && sources[0] == "" {
				sources = append(sources[1:], "")
			}
			for _, src := range sources {
				name := src
				if name == "" {
					name = "rebuild"
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
