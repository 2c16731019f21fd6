package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/api"
	"github.com/envwatch/envwatch/config"
	"github.com/envwatch/envwatch/indicator"
	"github.com/envwatch/envwatch/pages"
	"github.com/envwatch/envwatch/report"
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

// findArea takes an id or a configured name.
func findArea(cfg *config.Config, key string) (config.Area, error) {
	for _, a := range cfg.Areas {
		if a.ID == key || a.Name == key || (a.NameEN != "" && strings.EqualFold(a.NameEN, key)) {
			return a, nil
		}
	}
	var known []string
	for _, a := range cfg.Areas {
		known = append(known, fmt.Sprintf("%s (%s)", a.ID, a.Name))
	}
	return config.Area{}, fmt.Errorf("no area %q; configured: %s", key, strings.Join(known, ", "))
}

func (c *reportCmd) query() api.ReportQuery {
	return api.ReportQuery{Area: c.area, AsOf: c.asOf, Format: c.format, Lang: c.lang, Table: c.table, Year: c.year, Daily: c.daily, Stations: c.stations}
}

func (c *reportCmd) run(env *environ) int {
	logger := (&runCmd{level: "warn", format: "logfmt"}).logger(env.stderr)
	s, err := newStack(c.configFile, logger, sinkMode{override: discardSink{}, secrets: env.secrets})
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
	defer s.close()
	if c.format == "html" {
		// The page the service serves, built from the same API over this state.
		h := pagesFor(s.cfg, &api.Handler{Svc: &service{s: s}})
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
	warning, err := s.report(env.ctx, env.stdout, c.query(), time.Now())
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

// report renders a report of the stack's state: the one code path of the CLI and the API.
// Refusals are *api.Error (400: a bad query, 404: no such area or no data).
func (s *stack) report(_ context.Context, w io.Writer, q api.ReportQuery, now time.Time) (warning string, err error) {
	area, err := findArea(s.cfg, q.Area)
	if err != nil {
		return "", &api.Error{Status: http.StatusNotFound, Msg: err.Error()}
	}
	switch {
	case q.Format == "":
		q.Format = "text"
	case !slices.Contains([]string{"text", "markdown", "json", "csv"}, q.Format):
		return "", api.Errorf(http.StatusBadRequest, "format %q: want text, markdown, json or csv", q.Format)
	}
	if q.Lang != "en" {
		q.Lang = "zh"
	}
	name := area.Name
	if q.Lang == "en" && area.NameEN != "" {
		name = area.NameEN
	}
	upTo := airquality.Year(q.Year).To
	if today := airquality.DayOf(now); today.Year() == q.Year {
		upTo = today - 1
	}
	var explicit airquality.Day
	if q.AsOf != "" {
		d, err := airquality.ParseDay(q.AsOf)
		if err != nil || d.Year() != q.Year {
			return "", api.Errorf(http.StatusBadRequest, "--as-of %q: want a date of %d (YYYY-MM-DD)", q.AsOf, q.Year)
		}
		explicit = d
	}
	calc, err := s.calculator()
	if err != nil {
		return "", err
	}
	var snap indicator.Snapshot
	if explicit != 0 {
		snap = calc.ComputeFor(area.ID, explicit, true, now)
	} else {
		snap = calc.ComputeFor(area.ID, upTo, false, now)
	}
	info := snap.Area(area.ID)
	if !hasData(&snap, area.ID, q.Year) {
		return "", api.Errorf(http.StatusNotFound, "no data for %s (%s) in %d", area.Name, area.ID, q.Year)
	}
	if info.Explicit && info.DataEnd < info.AsOf {
		warning = fmt.Sprintf("--as-of %s is after the data end %s of %s; the days after it count as not yet reported (missing)",
			info.AsOf, dayOrNone(info.DataEnd), area.ID)
	}
	if q.Daily {
		return warning, writeDaily(w, calc, area.ID, info.AsOf, q.Stations)
	}
	this, last := calc.Monthly(area.ID, info.AsOf)
	opt := report.Options{Area: area.ID, AreaName: name, Format: q.Format, Lang: q.Lang, Table: q.Table, ThisYear: this, LastYear: last}
	return warning, report.Render(w, &snap, opt)
}

// hasData reports whether the area has any air or water figure for the year.
func hasData(snap *indicator.Snapshot, area string, year int) bool {
	info := snap.Area(area)
	if info != nil && info.DataEnd >= airquality.Year(year).From {
		return true
	}
	for i := range snap.Results {
		r := &snap.Results[i]
		if r.Area == area && r.Current != nil && r.Coverage.ValidDays > 0 {
			return true
		}
		if r.Area == area && r.Total > 0 && r.Current != nil {
			return true
		}
	}
	return false
}

func dayOrNone(d airquality.Day) string {
	if d == 0 {
		return "(none)"
	}
	return d.String()
}

// writeDaily prints the day rows as CSV: published concentrations (µg/m³, CO mg/m³),
// MDA8, the AQI under the tables in force and under the 2026 tables, level, primary
// pollutant, validity and why a day is NA.
func writeDaily(w io.Writer, calc *indicator.Calculator, area string, asOf airquality.Day, stations bool) error {
	return writeDayRows(w, calc, area, airquality.YearToDate(asOf), stations)
}

// writeDayRows writes the day rows of an area (and its stations) over r as CSV.
func writeDayRows(w io.Writer, calc *indicator.Calculator, area string, r airquality.Range, stations bool) error {
	rows, err := calc.Daily(area, r, stations)
	if err != nil {
		return err
	}
	return writeRows(w, rows)
}

// writeRows writes day rows as CSV: published concentrations (µg/m³, CO mg/m³), MDA8,
// the AQI under the tables in force and under the 2026 tables, level, primary pollutant,
// validity and why a day is NA.
func writeRows(w io.Writer, rows []indicator.DayRow) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"site", "date", "pm2_5", "pm10", "so2", "no2", "co", "o3_8h", "o3_1h_max",
		"aqi", "level", "primary", "aqi_2026", "level_2026", "primary_2026", "valid", "na_reason"})
	for i := range rows {
		r := &rows[i]
		conc := func(p airquality.Pollutant) string {
			if !r.Values.Conc[p].OK() {
				return ""
			}
			return r.Values.Conc[p].Rounded(p).String()
		}
		o3max := ""
		if r.Values.O3Max1h.OK() {
			o3max = r.Values.O3Max1h.Rounded(airquality.O3).String()
		}
		aqi := func(res *airquality.Result) (string, string, string) {
			if res.NA {
				return "", "", ""
			}
			primary := ""
			if res.AQI > 50 {
				primary = res.Primary.Join("+")
			}
			return fmt.Sprint(res.AQI), fmt.Sprint(int(res.Level())), primary
		}
		a, l, p := aqi(&r.InForce)
		a26, l26, p26 := aqi(&r.Under2026)
		_ = cw.Write([]string{r.Site, r.Day.String(), conc(airquality.PM25), conc(airquality.PM10), conc(airquality.SO2), conc(airquality.NO2),
			conc(airquality.CO), conc(airquality.O3), o3max, a, l, p, a26, l26, p26, fmt.Sprint(!r.InForce.NA), r.NAReason()})
	}
	cw.Flush()
	return cw.Error()
}
