package indicator

import (
	"fmt"
	"time"

	"github.com/envwatch/envwatch/airquality"
)

// StationData answers a station's daily values and an area's stations (the pipeline).
type StationData interface {
	StationDays(code string, r airquality.Range) []airquality.DayValues
	AreaStations(area string) []string
}

// DayRow is one day of an area or station as published: daily concentrations, MDA8, the
// AQI under the tables in force and under the 2026 tables, and why a day is NA.
type DayRow struct {
	Site    string // area id or station code
	Day     airquality.Day
	HasData bool
	Values  airquality.DayValues
	// InForce is the daily AQI under the edition in force that day (and the configured
	// switches); Under2026 under HJ 633-2026 whatever the date.
	InForce, Under2026 airquality.Result
}

// NAReason says why a day has no daily AQI ("" when it has one).
func (r *DayRow) NAReason() string {
	switch {
	case !r.HasData:
		return "no data"
	case !r.InForce.NA:
		return ""
	case r.InForce.Missing != 0:
		return "missing " + r.InForce.Missing.Join("+")
	}
	return "no item could be computed"
}

// Daily returns the day rows of an area over r (every calendar day, with or without data)
// and, with stations, of each of its assessment stations after it.
func (c *Calculator) Daily(area string, r airquality.Range, stations bool) ([]DayRow, error) {
	rows := c.dayRows(area, r, c.Air.AreaDays(area, r))
	if !stations {
		return rows, nil
	}
	sd, ok := c.Air.(StationData)
	if !ok {
		return nil, fmt.Errorf("station values are not available from this data source")
	}
	for _, code := range sd.AreaStations(area) {
		rows = append(rows, c.dayRows(code, r, sd.StationDays(code, r))...)
	}
	return rows, nil
}

// StationDaily returns a station's day rows over r.
func (c *Calculator) StationDaily(code string, r airquality.Range) []DayRow {
	sd, ok := c.Air.(StationData)
	if !ok {
		return c.dayRows(code, r, nil)
	}
	return c.dayRows(code, r, sd.StationDays(code, r))
}

func (c *Calculator) dayRows(site string, r airquality.Range, days []airquality.DayValues) []DayRow {
	byDay := make(map[airquality.Day]*airquality.DayValues, len(days))
	for i := range days {
		byDay[days[i].Day] = &days[i]
	}
	out := make([]DayRow, 0, r.Days())
	for d := r.From; d <= r.To; d++ {
		out = append(out, NewDayRow(site, d, byDay[d], c.Opt.Period.AQI))
	}
	return out
}

// NewDayRow is a day as published — by the API's daily tables and by the air_daily series
// alike: its values (nil: no data) and its daily AQI under opt and under HJ 633-2026.
func NewDayRow(site string, d airquality.Day, v *airquality.DayValues, opt airquality.AQIOptions) DayRow {
	row := DayRow{Site: site, Day: d}
	if v == nil {
		row.InForce.NA, row.Under2026.NA = true, true
		return row
	}
	opt26 := opt
	opt26.Version, opt26.ShiftYears = airquality.V2026, 0
	row.HasData, row.Values = true, *v
	row.InForce = airquality.DailyAQI(v, opt)
	row.Under2026 = airquality.DailyAQI(v, opt26)
	return row
}

// MonthRow is one calendar month (or the running part of one) of an area.
type MonthRow struct {
	Year  int
	Month time.Month
	// Range is the month's days inside the evaluated window.
	Range airquality.Range
	// PM25, PM10 (means) and O3P90 (MDA8 90th percentile), nil without data; their
	// validity under the coverage rule.
	PM25, PM10, O3P90                *Num
	PM25Valid, PM10Valid, O3P90Valid bool
	ValidDays, GoodDays, Over100Days int
	O3ExceedanceDays, CalendarDays   int
	DaysValid                        bool
	GoodRatio                        *Num
}

// Monthly returns an area's months of this year up to asOf (the last one possibly
// partial) and the twelve months of last year, with the same options as the indicators.
func (c *Calculator) Monthly(area string, asOf airquality.Day) (this, last []MonthRow) {
	y := asOf.Year()
	spec := c.spec(area, y)
	opt := c.Opt.Period
	opt.SandDust = c.Opt.SandDust[area]
	season := airquality.HenanSummer
	if spec != nil && spec.O3Season != nil {
		season = *spec.O3Season
	}
	opt.O3Season = &season
	month := func(yr int, m time.Month, to airquality.Day) MonthRow {
		mr := airquality.Month(yr, m)
		r := airquality.Range{From: mr.From, To: min(mr.To, to)}
		return MonthOf(c.Air.AreaDays(area, r), yr, m, r, opt)
	}
	for m := time.January; m <= time.Month(monthOf(asOf)); m++ {
		this = append(this, month(y, m, asOf))
	}
	for m := time.January; m <= time.December; m++ {
		last = append(last, month(y-1, m, airquality.Year(y-1).To))
	}
	return this, last
}

// MonthOf is an area's month over r (the month, or its days through the as-of day) as
// published — by the monthly tables and by the air_monthly series alike — from the area's
// daily values.
func MonthOf(days []airquality.DayValues, yr int, m time.Month, r airquality.Range, opt airquality.PeriodOptions) MonthRow {
	ps := airquality.Assess(days, r, opt)
	row := MonthRow{Year: yr, Month: m, Range: r, CalendarDays: r.Days(), ValidDays: ps.ValidDays, GoodDays: ps.GoodDays,
		Over100Days: ps.ExceedanceDays, O3ExceedanceDays: ps.O3ExceedanceDays, DaysValid: ps.DaysReason == airquality.Valid && ps.ValidDays > 0,
		GoodRatio: ratioNum(ps.GoodRatio)}
	row.PM25, row.PM25Valid = statNum(ps.Mean[airquality.PM25], airquality.PM25), ps.Mean[airquality.PM25].OK()
	row.PM10, row.PM10Valid = statNum(ps.Mean[airquality.PM10], airquality.PM10), ps.Mean[airquality.PM10].OK()
	row.O3P90, row.O3P90Valid = statNum(ps.Percentile[airquality.O3], airquality.O3), ps.Percentile[airquality.O3].OK()
	return row
}

func monthOf(d airquality.Day) int {
	_, m, _ := d.Date()
	return int(m)
}

// MonthName is "2026-03".
func (m *MonthRow) MonthName() string { return fmt.Sprintf("%d-%02d", m.Year, int(m.Month)) }
