package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/api"
	"github.com/envwatch/envwatch/indicator"
	"github.com/envwatch/envwatch/report"
	"github.com/envwatch/envwatch/store"
)

// assessCmd prints an area's monthly assessment: its units' ranking and eco-compensation.
type assessCmd struct {
	configFile string
	q          api.AssessQuery
	remote     remoteFlags
}

func (c *assessCmd) register(app *kingpin.Application, _ *environ) *kingpin.CmdClause {
	cmd := app.Command("assess", "Print an area's monthly assessment of its units (districts and counties; a province's or the country's cities): rankings and eco-compensation, or the rankings over --from … --to (beside envwatch run: through its API, --url).")
	cmd.Flag("config", "Configuration file.").Short('c').Required().StringVar(&c.configFile)
	cmd.Flag("area", "Assessing area: id or configured name.").Required().StringVar(&c.q.Area)
	cmd.Flag("month", "Month (YYYY-MM); the running month is provisional.").StringVar(&c.q.Month)
	cmd.Flag("from", "Instead of --month: the first day (YYYY-MM-DD) of a ranking over days.").StringVar(&c.q.From)
	cmd.Flag("to", "With --from: the last day (YYYY-MM-DD).").StringVar(&c.q.To)
	cmd.Flag("format", "text, markdown, json or csv.").Default("text").EnumVar(&c.q.Format, "text", "markdown", "json", "csv")
	cmd.Flag("table", "With --format csv: compensation or ranking.").Default("compensation").EnumVar(&c.q.Table, "compensation", "ranking")
	cmd.Flag("lang", "zh or en.").Default("zh").EnumVar(&c.q.Lang, "zh", "en")
	c.remote.register(cmd)
	return cmd
}

func (c *assessCmd) run(env *environ) int {
	logger := (&runCmd{level: "warn", format: "logfmt"}).logger(env.stderr)
	s, err := newStack(c.configFile, logger, sinkMode{override: discardSink{}, secrets: env.secrets})
	if errors.Is(err, store.ErrLocked) {
		v := url.Values{"area": {c.q.Area}, "month": {c.q.Month}, "format": {c.q.Format}, "lang": {c.q.Lang}, "table": {c.q.Table},
			"from": {c.q.From}, "to": {c.q.To}}
		return c.remote.get(env, "/api/v1/assessment", v)
	}
	if err != nil {
		fmt.Fprintf(env.stderr, "envwatch: %v\n", err)
		return 1
	}
	defer s.close()
	if err := s.assess(env.ctx, env.stdout, c.q, time.Now()); err != nil {
		fmt.Fprintf(env.stderr, "envwatch: %v\n", err)
		return 1
	}
	return 0
}

// assess renders an area's monthly assessment: the one code path of the CLI and the API.
func (s *stack) assess(_ context.Context, w io.Writer, q api.AssessQuery, now time.Time) error {
	area, err := findArea(s.cfg, q.Area)
	if err != nil {
		return &api.Error{Status: http.StatusNotFound, Msg: err.Error()}
	}
	yesterday := airquality.DayOf(now) - 1
	var days airquality.Range
	var m time.Time
	switch {
	case q.Month != "" && (q.From != "" || q.To != ""):
		return api.Errorf(http.StatusBadRequest, "give month or from and to, not both")
	case q.Month != "":
		if m, err = time.Parse("2006-01", q.Month); err != nil {
			return api.Errorf(http.StatusBadRequest, "month %q: want YYYY-MM", q.Month)
		}
		if airquality.Month(m.Year(), m.Month()).From > yesterday {
			return api.Errorf(http.StatusBadRequest, "month %s has no complete day yet", q.Month)
		}
	case q.From != "" && q.To != "":
		if days, err = dayRange(q.From, q.To, yesterday); err != nil {
			return err
		}
	default:
		return api.Errorf(http.StatusBadRequest, "give month (YYYY-MM), or from and to (YYYY-MM-DD)")
	}
	calc, err := s.calculator()
	if err != nil {
		return err
	}
	spec := calc.AssessSpecFor(area.ID)
	if spec == nil {
		return api.Errorf(http.StatusNotFound, "no assessment of %s (%s) is configured (assessments: in the configuration)", area.Name, area.ID)
	}
	var a indicator.Assessment
	if q.Month != "" {
		a = calc.Assess(spec, m.Year(), m.Month(), yesterday)
	} else {
		a = calc.AssessRange(spec, days)
	}
	name := area.Name
	if q.Lang == "en" && area.NameEN != "" {
		name = area.NameEN
	}
	if q.Format == "" {
		q.Format = "text"
	}
	return report.RenderAssessment(w, &a, report.AssessOptions{AreaName: name, Format: q.Format, Lang: q.Lang, Table: q.Table})
}

// dayRange parses a range of complete days (through yesterday), first to last.
func dayRange(from, to string, yesterday airquality.Day) (airquality.Range, error) {
	f, err := airquality.ParseDay(from)
	if err != nil {
		return airquality.Range{}, api.Errorf(http.StatusBadRequest, "from %q: want YYYY-MM-DD", from)
	}
	t, err := airquality.ParseDay(to)
	if err != nil {
		return airquality.Range{}, api.Errorf(http.StatusBadRequest, "to %q: want YYYY-MM-DD", to)
	}
	switch {
	case t < f:
		return airquality.Range{}, api.Errorf(http.StatusBadRequest, "to %s is before from %s", to, from)
	case t > yesterday:
		return airquality.Range{}, api.Errorf(http.StatusBadRequest, "to %s: the last complete day is %s", to, yesterday)
	case int(t-f) >= 366:
		return airquality.Range{}, api.Errorf(http.StatusBadRequest, "from %s to %s: more than a year", from, to)
	}
	return airquality.Range{From: f, To: t}, nil
}
