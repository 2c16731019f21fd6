package main

import (
	"fmt"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/report"
)

type reportCmd struct {
	configFile, area, asOf, format, lang string
	year                                 int
}

func (c *reportCmd) register(app *kingpin.Application, _ *environ) *kingpin.CmdClause {
	cmd := app.Command("report", "Print an area's annual or year-to-date summary from the embedded state (envwatch run must not hold the state store).")
	cmd.Flag("config", "Configuration file.").Short('c').Required().StringVar(&c.configFile)
	cmd.Flag("area", "Area id.").Required().StringVar(&c.area)
	cmd.Flag("year", "Year.").Required().IntVar(&c.year)
	cmd.Flag("as-of", "Last day to count (YYYY-MM-DD); default 31 December, or yesterday for the current year.").StringVar(&c.asOf)
	cmd.Flag("format", "text, markdown or json.").Default("text").EnumVar(&c.format, "text", "markdown", "json")
	cmd.Flag("lang", "zh or en.").Default("zh").EnumVar(&c.lang, "zh", "en")
	return cmd
}

func (c *reportCmd) run(env *environ) int {
	logger := (&runCmd{level: "warn", format: "logfmt"}).logger(env.stderr)
	s, err := newStack(c.configFile, logger, sinkMode{override: discardSink{}, secrets: env.secrets})
	if err != nil {
		fmt.Fprintf(env.stderr, "envwatch: %v\n", err)
		return 1
	}
	defer s.close()
	name := ""
	for _, a := range s.cfg.Areas {
		if a.ID == c.area {
			name = a.Name
		}
	}
	if name == "" {
		fmt.Fprintf(env.stderr, "envwatch: no area %q in %s\n", c.area, c.configFile)
		return 1
	}
	asOf := airquality.Year(c.year).To
	if today := airquality.DayOf(time.Now()); today.Year() == c.year {
		asOf = today - 1
	}
	if c.asOf != "" {
		d, err := airquality.ParseDay(c.asOf)
		if err != nil || d.Year() != c.year {
			fmt.Fprintf(env.stderr, "envwatch: --as-of %q: want a date of %d (YYYY-MM-DD)\n", c.asOf, c.year)
			return 1
		}
		asOf = d
	}
	calc, err := s.calculator()
	if err != nil {
		fmt.Fprintf(env.stderr, "envwatch: %v\n", err)
		return 1
	}
	snap := calc.Compute(asOf, time.Now())
	if c.lang == "en" {
		name = c.area
	}
	if err := report.Render(env.stdout, &snap, report.Options{Area: c.area, AreaName: name, Format: c.format, Lang: c.lang}); err != nil {
		fmt.Fprintf(env.stderr, "envwatch: %v\n", err)
		return 1
	}
	return 0
}
