package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/config"
	"github.com/envwatch/envwatch/report"
	"github.com/envwatch/envwatch/target"
)

type reportCmd struct {
	configFile, area, asOf, format, lang, table string
	year                                        int
	daily, stations                             bool
}

func (c *reportCmd) register(app *kingpin.Application, _ *environ) *kingpin.CmdClause {
	cmd := app.Command("report", "Print an area's annual or year-to-date summary from the embedded state (envwatch run must not hold the state store).")
	cmd.Flag("config", "Configuration file.").Short('c').Required().StringVar(&c.configFile)
	cmd.Flag("area", "Area id or configured name (洛阳市 or luoyang).").Required().StringVar(&c.area)
	cmd.Flag("year", "Year.").Required().IntVar(&c.year)
	cmd.Flag("as-of", "Last day to count (YYYY-MM-DD). Default: the area's data end (the newest day with a determinable daily AQI), at most yesterday or 31 December.").StringVar(&c.asOf)
	cmd.Flag("format", "text, markdown, json or csv (the tables).").Default("text").EnumVar(&c.format, "text", "markdown", "json", "csv")
	cmd.Flag("table", "With --format csv: indicators or monthly.").Default("indicators").EnumVar(&c.table, "indicators", "monthly")
	cmd.Flag("lang", "zh or en.").Default("zh").EnumVar(&c.lang, "zh", "en")
	cmd.Flag("daily", "Print the area's daily values of the year (to the as-of day) as CSV instead of the summary.").BoolVar(&c.daily)
	cmd.Flag("stations", "With --daily: each assessment station's days too.").BoolVar(&c.stations)
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

func (c *reportCmd) run(env *environ) int {
	fail := func(format string, args ...any) int {
		fmt.Fprintf(env.stderr, "envwatch: "+format+"\n", args...)
		return 1
	}
	logger := (&runCmd{level: "warn", format: "logfmt"}).logger(env.stderr)
	s, err := newStack(c.configFile, logger, sinkMode{override: discardSink{}, secrets: env.secrets})
	if err != nil {
		return fail("%v", err)
	}
	defer s.close()
	area, err := findArea(s.cfg, c.area)
	if err != nil {
		return fail("%v", err)
	}
	name := area.Name
	if c.lang == "en" && area.NameEN != "" {
		name = area.NameEN
	}
	upTo := airquality.Year(c.year).To
	if today := airquality.DayOf(time.Now()); today.Year() == c.year {
		upTo = today - 1
	}
	var explicit airquality.Day
	if c.asOf != "" {
		d, err := airquality.ParseDay(c.asOf)
		if err != nil || d.Year() != c.year {
			return fail("--as-of %q: want a date of %d (YYYY-MM-DD)", c.asOf, c.year)
		}
		explicit = d
	}
	calc, err := s.calculator()
	if err != nil {
		return fail("%v", err)
	}
	var snap target.Snapshot
	if explicit != 0 {
		snap = calc.Compute(explicit, time.Now())
	} else {
		snap = calc.ComputeLatest(upTo, time.Now())
	}
	info := snap.Area(area.ID)
	if !hasData(&snap, area.ID, c.year) {
		return fail("no data for %s (%s) in %d", area.Name, area.ID, c.year)
	}
	if info.Explicit && info.DataEnd < info.AsOf {
		fmt.Fprintf(env.stderr, "envwatch: warning: --as-of %s is after the data end %s of %s; the days after it count as not yet reported (missing)\n",
			info.AsOf, dayOrNone(info.DataEnd), area.ID)
	}
	if c.daily {
		return c.writeDaily(env.stdout, calc, area.ID, info.AsOf, fail)
	}
	this, last := calc.Monthly(area.ID, info.AsOf)
	opt := report.Options{Area: area.ID, AreaName: name, Format: c.format, Lang: c.lang, Table: c.table, ThisYear: this, LastYear: last}
	if err := report.Render(env.stdout, &snap, opt); err != nil {
		return fail("%v", err)
	}
	return 0
}

// hasData reports whether the area has any air or water figure for the year.
func hasData(snap *target.Snapshot, area string, year int) bool {
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
func (c *reportCmd) writeDaily(w io.Writer, calc *target.Calculator, area string, asOf airquality.Day, fail func(string, ...any) int) int {
	rows, err := calc.Daily(area, airquality.YearToDate(asOf), c.stations)
	if err != nil {
		return fail("%v", err)
	}
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
	if err := cw.Error(); err != nil {
		return fail("%v", err)
	}
	return 0
}
