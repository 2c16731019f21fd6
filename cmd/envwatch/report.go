package main

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/envwatch/envwatch/api"
	"github.com/envwatch/envwatch/pages"
	"github.com/envwatch/envwatch/service"
	"github.com/envwatch/envwatch/store"
)

type reportCmd struct {
	configFile, area, asOf, format, lang, table string
	year                                        int
	daily, stations                             bool
	remote                                      remoteFlags
}

func (c *reportCmd) register(app *kingpin.Application, _ *environ) *kingpin.CmdClause {
	cmd := app.Command("report", "Print an area's annual or year-to-date summary from the embedded state (beside envwatch run: through its API, --url).")
	cmd.Flag("config", "Configuration file.").Short('c').Required().StringVar(&c.configFile)
	cmd.Flag("area", "Area id or configured name (洛阳市 or luoyang).").Required().StringVar(&c.area)
	cmd.Flag("year", "Year.").Required().IntVar(&c.year)
	cmd.Flag("as-of", "Last day to count (YYYY-MM-DD). Default: the area's data end (the newest day with a determinable daily AQI), at most yesterday or 31 December.").StringVar(&c.asOf)
	cmd.Flag("format", "text, markdown, json, csv (the tables) or html (the year page as one self-contained file).").Default("text").EnumVar(&c.format, "text", "markdown", "json", "csv", "html")
	cmd.Flag("table", "With --format csv: indicators or monthly.").Default("indicators").EnumVar(&c.table, "indicators", "monthly")
	cmd.Flag("lang", "zh or en.").Default("zh").EnumVar(&c.lang, "zh", "en")
	cmd.Flag("daily", "Print the area's daily values of the year (to the as-of day) as CSV instead of the summary.").BoolVar(&c.daily)
	cmd.Flag("stations", "With --daily: each assessment station's days too.").BoolVar(&c.stations)
	c.remote.register(cmd)
	return cmd
}

func (c *reportCmd) query() api.ReportQuery {
	return api.ReportQuery{Area: c.area, AsOf: c.asOf, Format: c.format, Lang: c.lang, Table: c.table, Year: c.year, Daily: c.daily, Stations: c.stations}
}

func (c *reportCmd) run(env *environ) int {
	logger := (&runCmd{level: "warn", format: "logfmt"}).logger(env.stderr)
	s, err := (*service.Generation)(nil), error(store.ErrLocked)
	// Beside a running envwatch (its address in the state directory): ask it at once.
	if !c.remote.beside(c.configFile) {
		s, err = service.Open(c.configFile, logger, service.Mode{Sink: service.Discard, Secrets: env.secrets})
	}
	if errors.Is(err, store.ErrLocked) {
		// envwatch run holds the state: ask it (same rendering, same output).
		if c.format == "html" {
			return c.remote.get(env, "/pages/year", c.pageValues())
		}
		return c.remote.get(env, "/api/v1/report", reportValues(c.query()))
	}
	if err != nil {
		fmt.Fprintf(env.stderr, "envwatch: %v\n", err)
		return 1
	}
	defer s.Close()
	if c.format == "html" {
		// The page the service serves, built from the same API over this state.
		h := s.Pages()
		p, err := h.Build(env.ctx, "year", c.pageValues(), true)
		if err == nil {
			err = pages.Write(env.stdout, p)
		}
		if err != nil {
			fmt.Fprintf(env.stderr, "envwatch: %v\n", err)
			return 1
		}
		return 0
	}
	warning, err := s.Report(env.ctx, env.stdout, c.query(), time.Now())
	if warning != "" {
		fmt.Fprintf(env.stderr, "envwatch: warning: %s\n", warning)
	}
	if err != nil {
		fmt.Fprintf(env.stderr, "envwatch: %v\n", err)
		return 1
	}
	return 0
}

// pageValues asks for the year page as a file.
func (c *reportCmd) pageValues() url.Values {
	v := url.Values{"area": {c.area}, "year": {strconv.Itoa(c.year)}, "lang": {c.lang}, "standalone": {"true"}}
	if c.asOf != "" {
		v.Set("as_of", c.asOf)
	}
	return v
}

// reportValues is a report query as URL parameters.
func reportValues(q api.ReportQuery) url.Values {
	v := url.Values{"area": {q.Area}, "year": {strconv.Itoa(q.Year)}, "format": {q.Format}, "lang": {q.Lang}}
	if q.AsOf != "" {
		v.Set("as_of", q.AsOf)
	}
	if q.Table != "" {
		v.Set("table", q.Table)
	}
	if q.Daily {
		v.Set("daily", "true")
	}
	if q.Stations {
		v.Set("stations", "true")
	}
	return v
}
