package pipeline

import (
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/indicator"
	"github.com/envwatch/envwatch/sink/influx"
	"github.com/envwatch/envwatch/waterquality"
)

// Derived configures the derived series written beside the raw points (docs/storage.md):
// the real-time AQI as fields of each station hour's air_hourly point, air_daily per
// station and area day, air_monthly per area and month, water_period per section and
// month. They are computed from the engines as a batch is applied, so a revision rewrites
// them with the raw points, in the same write.
type Derived struct {
	AQI   airquality.AQIOptions
	Water waterquality.Rules
	// Period are the assessment options of the monthly area series (air_monthly); its
	// SandDust is per area.
	Period   airquality.PeriodOptions
	SandDust map[string]map[airquality.Day]airquality.SandMask
}

// SetDerived turns the derived series on (with a sink).
func (p *Pipeline) SetDerived(d Derived) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.derived = &d
}

// missing is written for a numeric field that cannot be determined: line protocol has no
// null, and a point rewritten on revision must not keep a stale value (docs/storage.md).
const missing = "-1"

// derivedSet is what a batch changed that derived series depend on.
type derivedSet struct {
	days   map[airKey]bool
	months map[monthKey]bool
}

type monthKey struct {
	site  *siteEntry
	year  int
	month time.Month
}

func (p *Pipeline) newDerivedSet() *derivedSet {
	if p.derived == nil || p.sink == nil {
		return nil
	}
	return &derivedSet{days: map[airKey]bool{}, months: map[monthKey]bool{}}
}

// areaMonth is an area's calendar month (air_monthly).
type areaMonth struct {
	area        string
	year, month int
}

// appendDerived renders the derived points of what the batch changed. With hold (a
// backfill) an area's month waits there until the walk has passed the month, or final.
// The caller holds p.mu.
func (p *Pipeline) appendDerived(buf []byte, ds *derivedSet, hold *derivedHold, final bool) []byte {
	if ds == nil {
		return buf
	}
	areas := map[airquality.Day]map[string]bool{}
	for k := range ds.days {
		buf = p.appendStationDay(buf, k)
		for _, a := range p.areasOf(k.site.station) {
			if areas[k.day] == nil {
				areas[k.day] = map[string]bool{}
			}
			areas[k.day][a] = true
		}
	}
	months := map[areaMonth]bool{}
	for day, as := range areas {
		for a := range as {
			if v, ok := p.air.AreaDay(a, day); ok {
				buf = p.appendDay(buf, [][2]string{{"scope", "area"}, {"area", a}}, day, &v)
			}
			y, m, _ := day.Date()
			months[areaMonth{a, y, int(m)}] = true
		}
	}
	if hold != nil {
		months = hold.takeMonths(months, final)
	}
	for am := range months {
		buf = p.appendAreaMonth(buf, am.area, am.year, time.Month(am.month))
	}
	for k := range ds.months {
		buf = p.appendWaterMonth(buf, k)
	}
	return buf
}

// areasOf lists the areas a station enters (built once: areas do not change in a generation).
func (p *Pipeline) areasOf(station int) []string {
	if p.stationAreas == nil {
		p.stationAreas = map[int][]string{}
		for _, a := range p.air.Areas() {
			for _, code := range p.air.AreaStations(a) {
				if i, ok := p.air.Station(code); ok {
					p.stationAreas[i] = append(p.stationAreas[i], a)
				}
			}
		}
	}
	return p.stationAreas[station]
}

func decText(d fixed.Dec) string { return d.String() }

// hourAQIFields renders a station hour's real-time AQI (HJ 633, edition by date) from the
// engine's hour — which merges partial deliveries — as fields of the hour's raw point:
// the AQI and its primary pollutant(s). The IAQIs are not stored: each field costs InfluxDB
// about as much as a point's values (docs/performance.md), and they follow from the hour's
// concentrations (GET /api/v1/now serves them). The caller holds p.mu.
func (p *Pipeline) hourAQIFields(dst []influx.Field, site *siteEntry, end time.Time) []influx.Field {
	day, slot, err := airquality.HourSlot(end)
	if err != nil {
		return dst
	}
	sd, _ := p.air.Series(site.station).Day(day) // nil: no valid value that day (all flagged)
	val := func(pol airquality.Pollutant) airquality.Value {
		if sd == nil {
			return airquality.Value{}
		}
		v, ok := sd.Hour(pol, slot)
		return airquality.Value{C: v, OK: ok, NotMonitored: sd.NotMonitored(pol, slot)}
	}
	in := airquality.HourlyInput{PM25: val(airquality.PM25), PM10: val(airquality.PM10), SO2: val(airquality.SO2),
		NO2: val(airquality.NO2), CO: val(airquality.CO), O3: val(airquality.O3)}
	res := p.derived.AQI.Hourly(end, &in)
	return append(dst, aqiField(influx.FieldHourAQI, &res), p.primaryField(influx.FieldHourAQIPrimary, &res))
}

// primaryText is ItemSet.Join("+"), kept per set: a backfill names a primary pollutant for
// most of its station hours, and a new string for each was 59 MB of garbage per 455 k hours.
func (p *Pipeline) primaryText(s airquality.ItemSet) string {
	t, ok := p.primaryNames[s]
	if !ok {
		if p.primaryNames == nil {
			p.primaryNames = map[airquality.ItemSet]string{}
		}
		t = s.Join("+")
		p.primaryNames[s] = t
	}
	return t
}

// aqiField is an AQI, -1 when NA.
func aqiField(key string, r *airquality.Result) influx.Field {
	if r.NA {
		return influx.WholeFloat(key, -1)
	}
	return influx.WholeFloat(key, r.AQI)
}

// primaryField is an AQI's primary pollutant(s), empty when NA or AQI ≤ 50.
func (p *Pipeline) primaryField(key string, r *airquality.Result) influx.Field {
	s := ""
	if !r.NA && r.AQI > 50 {
		s = p.primaryText(r.Primary)
	}
	return influx.Field{Key: key, Str: s, IsText: true}
}

// boolField is 1 or 0.
func boolField(key string, b bool) influx.Field {
	if b {
		return influx.WholeFloat(key, 1)
	}
	return influx.WholeFloat(key, 0)
}

func (p *Pipeline) appendStationDay(buf []byte, k airKey) []byte {
	v, ok := p.air.Series(k.site.station).DayValues(k.day)
	if !ok {
		return buf
	}
	return p.appendDay(buf, [][2]string{{"scope", "station"}, {"station", k.site.Code}, {"area", k.site.Area}}, k.day, &v)
}

// appendDay writes a day's published values: indicator's day row (the API's), serialised —
// daily concentrations, MDA8, the 1-h O3 maximum, and the daily AQI under the tables in
// force and under the 2026 tables.
func (p *Pipeline) appendDay(buf []byte, tags [][2]string, day airquality.Day, v *airquality.DayValues) []byte {
	row := indicator.NewDayRow("", day, v, p.derived.AQI)
	var fields []influx.Field
	for pol := airquality.Pollutant(0); pol < airquality.NumPollutants; pol++ {
		key := pol.Code()
		if pol == airquality.O3 {
			key = "o3_8h"
		}
		fields = append(fields, statField(key, row.Values.Conc[pol], pol))
	}
	fields = append(fields, statField("o3_1h_max", row.Values.O3Max1h, airquality.O3),
		aqiField("aqi", &row.InForce), influx.WholeFloat("level", int(row.InForce.Level())), p.primaryField("primary", &row.InForce),
		aqiField("aqi_2026", &row.Under2026), influx.WholeFloat("level_2026", int(row.Under2026.Level())), p.primaryField("primary_2026", &row.Under2026),
		boolField("valid", !row.InForce.NA), influx.Field{Key: "na_reason", Str: row.NAReason(), IsText: true})
	return influx.AppendPoint(buf, influx.MeasurementAirDaily, tags, fields, day.Start().Unix())
}

// statField is a published statistic, or missing unless it is valid.
func statField(key string, s airquality.Stat, pol airquality.Pollutant) influx.Field {
	f := influx.Field{Key: key, Float: missing}
	if s.OK() {
		f.Float = decText(s.Rounded(pol))
	}
	return f
}

// numField is an indicator's number, or missing unless valid.
func numField(key string, n *indicator.Num, valid bool) influx.Field {
	f := influx.Field{Key: key, Float: missing}
	if valid && n.OK() {
		f.Float = n.Text
	}
	return f
}

// appendWaterMonth writes a section's month: indicator's evaluation of the month's samples
// (the API's), serialised — class, main pollutants with their multiples, target met.
func (p *Pipeline) appendWaterMonth(buf []byte, k monthKey) []byte {
	from := time.Date(k.year, k.month, 1, 0, 0, 0, 0, airquality.Shanghai)
	samples := p.water.Samples(k.site.Code, from, from.AddDate(0, 1, 0))
	if len(samples) == 0 {
		return buf
	}
	site := indicator.WaterSite{Code: k.site.Code, Area: k.site.Area, Body: k.site.Body, Target: k.site.Target, Source: k.site.Source}
	res := indicator.EvaluateSite(site, samples, p.derived.Water)
	main := ""
	for i, m := range res.Main {
		if i > 0 {
			main += ";"
		}
		main += m.Item.Code() + ":" + m.MultipleString()
	}
	fields := []influx.Field{influx.WholeFloat("class", int(res.Class)), {Key: "class_name", Str: res.Class.String(), IsText: true},
		{Key: "main_pollutants", Str: main, IsText: true}, boolField("target_met", res.Compliant), influx.WholeFloat("samples", res.Samples)}
	return influx.AppendPoint(buf, influx.MeasurementWaterPeriod, [][2]string{{"section", k.site.Code}, {"area", k.site.Area}, {"period", "month"}}, fields, from.Unix())
}

// appendAreaMonth writes an area's calendar month: indicator's month row (the API's
// monthly table), serialised — PM2.5 and PM10 means, the O3 MDA8 90th percentile (each -1
// unless valid under the coverage rule), and the day counts.
func (p *Pipeline) appendAreaMonth(buf []byte, area string, year int, month time.Month) []byte {
	r := airquality.Month(year, month)
	opt := p.derived.Period
	opt.AQI = p.derived.AQI
	opt.SandDust = p.derived.SandDust[area]
	row := indicator.MonthOf(p.air.AreaDays(area, r), year, month, r, opt)
	fields := []influx.Field{numField("pm2_5", row.PM25, row.PM25Valid), numField("pm10", row.PM10, row.PM10Valid),
		numField("o3_p90", row.O3P90, row.O3P90Valid),
		influx.WholeFloat("good_days", row.GoodDays), influx.WholeFloat("valid_days", row.ValidDays),
		influx.WholeFloat("exceedance_days", row.Over100Days), influx.WholeFloat("calendar_days", row.CalendarDays),
		boolField("valid", row.DaysValid)}
	return influx.AppendPoint(buf, influx.MeasurementAirMonthly, [][2]string{{"area", area}}, fields, r.From.Start().Unix())
}
