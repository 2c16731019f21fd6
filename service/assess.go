package service

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/api"
	"github.com/envwatch/envwatch/indicator"
	"github.com/envwatch/envwatch/report"
)

// Assess renders an area's monthly assessment: the one code path of the CLI and the API.
func (s *Generation) Assess(_ context.Context, w io.Writer, q api.AssessQuery, now time.Time) error {
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
	names := map[string]string{}
	if q.Lang == "en" {
		for _, ar := range s.cfg.Areas {
			names[ar.ID] = ar.NameEN
		}
	}
	return report.RenderAssessment(w, &a, report.AssessOptions{AreaName: name, Format: q.Format, Lang: q.Lang, Table: q.Table, Names: names})
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
