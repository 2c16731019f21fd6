package service

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/api"
	"github.com/envwatch/envwatch/config"
	"github.com/envwatch/envwatch/indicator"
	"github.com/envwatch/envwatch/outlook"
	"github.com/envwatch/envwatch/report"
)

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

// Report renders a report of the stack's state: the one code path of the CLI and the API.
// Refusals are *api.Error (400: a bad query, 404: no such area or no data).
func (s *Generation) Report(_ context.Context, w io.Writer, q api.ReportQuery, now time.Time) (warning string, err error) {
	if err := api.CheckYear(q.Year); err != nil {
		return "", err
	}
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
	outlook.Apply(&snap, calc, outlook.Options{})
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
