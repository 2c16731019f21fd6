package service

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/api"
	"github.com/envwatch/envwatch/collector"
	"github.com/envwatch/envwatch/config"
	"github.com/envwatch/envwatch/indicator"
	"github.com/envwatch/envwatch/pages"
)

// answers serves the API (api.Service) from one generation.
type answers struct {
	s    *Generation
	jobs *api.Jobs
}

func (v *answers) Report(ctx context.Context, w io.Writer, q api.ReportQuery) (string, error) {
	return v.s.Report(ctx, w, q, time.Now())
}

func (v *answers) Jobs() *api.Jobs { return v.jobs }

func (v *answers) Assess(ctx context.Context, w io.Writer, q api.AssessQuery) error {
	return v.s.Assess(ctx, w, q, time.Now())
}

func (v *answers) Now(ctx context.Context, w io.Writer, area, lang string) error {
	return v.s.Now(ctx, w, area, lang, time.Now())
}

func (v *answers) StartBackfill(q api.BackfillQuery) (*api.Job, error) {
	// Refusals (missing, bad, reversed or future dates, unknown or push source) are
	// answered now, not as a failed job.
	if _, _, err := v.s.backfillRange(q, time.Now()); err != nil {
		return nil, err
	}
	if sc, _, err := v.s.pullSource(q.Source); err != nil {
		return nil, backfillSourceError(sc, err)
	}
	return v.jobs.Start("backfill", q, func(ctx context.Context, progress func(api.Progress)) (string, error) {
		var out, notes bytes.Buffer
		err := v.s.Backfill(ctx, &out, &notes, q, true, func(p collector.Progress) {
			progress(api.Progress{Done: p.Done, Total: p.Total, Label: p.Label})
		})
		return out.String() + notes.String(), err
	})
}

func (v *answers) Spool(w io.Writer, action string, id uint64) error {
	return SpoolAction(w, v.s.st, action, id)
}

func (v *answers) DryRun(ctx context.Context, w io.Writer, source string) (string, error) {
	return v.s.DryRun(ctx, w, source)
}

func (v *answers) Rebuild(ctx context.Context, w io.Writer, year int) error {
	return v.s.Rebuild(ctx, w, year)
}

func (v *answers) Sites() *api.Sites {
	cfg := v.s.cfg
	out := &api.Sites{Areas: []api.SiteArea{}, Stations: []api.SiteStation{}, Sections: []api.SiteSection{}, Sources: []api.SiteSection{}}
	for _, a := range cfg.Areas {
		out.Areas = append(out.Areas, api.SiteArea{ID: a.ID, Name: a.Name, NameEN: a.NameEN, Kind: a.Kind, Parent: a.Parent})
	}
	for _, s := range cfg.Stations {
		out.Stations = append(out.Stations, api.SiteStation{Code: s.Code, Name: s.Name, Area: s.Area, Latitude: s.Latitude, Longitude: s.Longitude, Assessment: s.Counts()})
	}
	for _, s := range cfg.Sections {
		out.Sections = append(out.Sections, api.SiteSection{Code: s.Code, Name: s.Name, Area: s.Area, WaterBody: s.WaterBody, River: s.River, Level: s.Level, TargetClass: s.TargetClass})
	}
	for _, s := range cfg.DrinkingWaterSources {
		out.Sources = append(out.Sources, api.SiteSection{Code: s.Code, Name: s.Name, Area: s.Area, WaterBody: s.WaterBody, TargetClass: "III"})
	}
	return out
}

func (v *answers) Daily(_ context.Context, w io.Writer, q api.DailyQuery) error {
	from, err1 := airquality.ParseDay(q.From)
	to, err2 := airquality.ParseDay(q.To)
	if err1 != nil || err2 != nil || to < from || to-from > 3660 {
		return api.Errorf(http.StatusBadRequest, "from %q to %q: want YYYY-MM-DD, from ≤ to, at most ten years", q.From, q.To)
	}
	calc, err := v.s.calculator()
	if err != nil {
		return err
	}
	r := airquality.Range{From: from, To: to}
	var rows []indicator.DayRow
	switch {
	case q.Area != "":
		a, err := findArea(v.s.cfg, q.Area)
		if err != nil {
			return &api.Error{Status: http.StatusNotFound, Msg: err.Error()}
		}
		if rows, err = calc.Daily(a.ID, r, false); err != nil {
			return err
		}
	case q.Station != "":
		found := false
		for _, s := range v.s.cfg.Stations {
			found = found || s.Code == q.Station
		}
		if !found {
			return api.Errorf(http.StatusNotFound, "no station %q", q.Station)
		}
		rows = calc.StationDaily(q.Station, r)
	default:
		return api.Errorf(http.StatusBadRequest, "give area or station")
	}
	if q.Format == "csv" {
		return writeRows(w, rows)
	}
	out := make([]api.DailyRow, 0, len(rows))
	for i := range rows {
		d := &rows[i]
		j := api.DailyRow{Site: d.Site, Date: d.Day.String(), Values: map[string]json.RawMessage{}, Primary: []string{}, Valid: !d.InForce.NA, NAReason: d.NAReason(), HasData: d.HasData,
			Edition: d.InForce.Version.String(), Edition26: d.Under2026.Version.String()}
		for p := airquality.Pollutant(0); p < airquality.NumPollutants; p++ {
			// Numbers with their published decimals, null without a valid value.
			j.Values[p.Code()] = json.RawMessage("null")
			if d.Values.Conc[p].OK() {
				j.Values[p.Code()] = json.RawMessage(d.Values.Conc[p].Rounded(p).String())
			}
		}
		if !d.InForce.NA {
			a, l := d.InForce.AQI, int(d.InForce.Level())
			j.AQI, j.Level = &a, &l
			if a > 50 {
				for _, it := range d.InForce.Primary.Items() {
					j.Primary = append(j.Primary, it.Code())
				}
			}
		}
		if !d.Under2026.NA {
			a := d.Under2026.AQI
			j.AQI2026 = &a
		}
		out = append(out, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// PagesFor serves the bureau's pages from the API of a generation; the first configured
// area is shown when a request names none.
func PagesFor(cfg *config.Config, apiHandler http.Handler) *pages.Handler {
	h := &pages.Handler{API: apiHandler}
	if len(cfg.Areas) > 0 {
		h.DefaultArea = cfg.Areas[0].ID
	}
	return h
}

// Pages serves the bureau's pages from this generation's API (no backfill jobs): `report
// --format html` builds the year page offline with it.
func (s *Generation) Pages() *pages.Handler {
	return PagesFor(s.cfg, &api.Handler{Svc: &answers{s: s}})
}
