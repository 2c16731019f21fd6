package pages

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"

	"github.com/envwatch/envwatch/airquality"
)

// headline indicators of the bulletin's opening sentence, in its order.
var headline = []string{"pm2_5_mean", "pm10_mean", "good_days", "good_day_ratio", "o3_exceedance_days", "heavy_pollution_days",
	"sections_compliance", "drinking_water_compliance"}

func (b *builder) year() (*Page, error) {
	w := b.w
	year := b.intParam("year", b.now().In(airquality.Shanghai).AddDate(0, 0, -1).Year())
	p := b.page("year", b.areaName(b.area))
	p.Title = fmt.Sprintf("%s · %d", p.Title, year)
	rq := url.Values{"area": {b.area}, "year": {strconv.Itoa(year)}, "lang": {w.lang}}
	if asOf := b.q.Get("as_of"); asOf != "" {
		rq.Set("as_of", asOf)
	}
	rep, err := b.f.get("report", "/api/v1/report", rq)
	if err != nil {
		if !b.knownArea() {
			return nil, err
		}
		note, err := b.absent(err, "year.nodata", b.areaName(b.area), year)
		if err != nil {
			return nil, err
		}
		p.Sheets = append(p.Sheets, Sheet{ID: "bulletin", Title: w.T("year.bulletin"), Notes: []string{note}})
		return p, nil
	}
	p.AreaName = rep.text("name")
	asOf := rep.text("as_of")
	p.Subtitle = fmt.Sprintf("%s %d-01-01 %s %s", w.T("bulletin.period"), year, w.T("bulletin.to"), asOf)

	// The bulletin: its sentence of headline figures, then every indicator.
	sec := Sheet{ID: "bulletin", Title: w.T("year.bulletin")}
	for _, key := range headline {
		r, ok := rep.at("indicators/" + key)
		if !ok {
			continue
		}
		unit := w.unit(r.text("unit"))
		if unit != "%" {
			unit = " " + unit
		}
		para := Para{label(r.text("name") + " "), r.cell("value"), label(unit)}
		if r.has("yoy_change") {
			para = append(para, label(w.comma()+w.T("col.yoy")+" "), r.cell("yoy_change"), label(yoyUnit(r.text("unit"), w)))
		} else if s := r.text("yoy_reason"); s != "" {
			para = append(para, label(w.semi()+s))
		}
		if r.has("target") {
			para = append(para, label(w.semi()+w.T("col.target")+" "+w.T("dir."+r.text("direction"))+" "), r.cell("target"),
				label(" — "+w.status(r.text("status"))))
		}
		if !r.bool("valid") {
			para = append(para, label(w.paren(validity(r, w))))
		}
		sec.Paras = append(sec.Paras, para)
	}
	p.Sheets = append(p.Sheets, sec, Sheet{ID: "indicators", Title: w.T("year.indicators"), Tables: []Table{indicatorTable(rep, w)}})

	// The calendar of daily AQI levels and the monthly means: for an area with air stations.
	var daily doc
	derr := errNoAir
	if b.hasAir() {
		from := fmt.Sprintf("%d-01-01", year)
		daily, derr = b.f.get("daily", "/api/v1/daily", url.Values{"area": {b.area}, "from": {from}, "to": {asOf}})
		cal := Sheet{ID: "calendar", Title: w.T("year.calendar")}
		if derr != nil {
			note, err := b.absent(derr, "year.nodata", b.areaName(b.area), year)
			if err != nil {
				return nil, err
			}
			cal.Notes = append(cal.Notes, note)
		} else {
			cal.Charts = append(cal.Charts, calendar(cal.Title, year, dayCells(daily), w))
		}
		p.Sheets = append(p.Sheets, cal)
		p.Sheets = append(p.Sheets, monthlySheets(rep, w)...)
	} else {
		p.Sheets = append(p.Sheets, b.noAir())
	}

	prog := Sheet{ID: "progress", Title: w.T("year.progress"), Tables: []Table{targetTable(rep, w)}}
	if c := progressChart(rep, w); c != "" {
		prog.Charts = append(prog.Charts, c)
	}
	p.Sheets = append(p.Sheets, prog)

	water := Sheet{ID: "water", Title: w.T("year.water"), Tables: []Table{waterTable(rep, w)}}
	if n := rep.text("water_note"); n != "" {
		water.Notes = append(water.Notes, n)
	}
	p.Sheets = append(p.Sheets, water)

	p.Sheets = append(p.Sheets, b.basis(rep, daily, derr == nil))
	return p, nil
}

// errNoAir stands for the daily answer an area without air stations does not ask for.
var errNoAir = errors.New("no air station")

func yoyUnit(unit string, w *words) string {
	switch unit {
	case "days":
		return " " + w.unit(unit)
	case "%", "pp":
		return " " + w.unit("pp") // a change of a percentage is in percentage points
	}
	return "%"
}

// indicatorTable is every indicator with its comparisons, as the API gives them.
func indicatorTable(rep doc, w *words) Table {
	t := Table{Name: "indicators", Title: w.T("year.indicators"),
		Head: []string{w.T("col.indicator"), w.T("col.value"), w.T("col.unit"), w.T("col.coverage"), w.T("col.lastyear"),
			w.T("col.yoy"), w.T("col.yoyreason"), w.T("col.lastyearfull"), w.T("col.target"), w.T("col.status"), w.T("col.valid")}}
	for _, r := range rep.each("indicators") {
		status := label("")
		if s := r.text("status"); s != "" {
			status = w.statusCell(s)
		}
		t.Rows = append(t.Rows, []Cell{label(r.text("name")), r.cell("value"), label(w.unit(r.text("unit"))), label(coverage(r, "coverage")),
			r.cell("same_period_last_year"), r.cell("yoy_change"), label(r.text("yoy_reason")), r.cell("last_year"), r.cell("target"),
			status, label(validity(r, w))})
	}
	return t
}

// dayCells maps dates to their AQI cells from GET /api/v1/daily.
func dayCells(daily doc) map[string]dayCell {
	out := map[string]dayCell{}
	for _, d := range daily.each("") {
		date := d.text("date")
		c := dayCell{Date: date, AQI: aqiCell(d, "")}
		c.NA = d.bool("has_data") && !d.bool("valid")
		if !d.bool("has_data") {
			c.AQI = Cell{}
		}
		out[date] = c
	}
	return out
}

// monthlyCharts are PM2.5 and PM10 by month, this year against last, and the monthly table.
func monthlyCharts(rep doc, w *words) ([]Chart, []Table) {
	if !rep.has("monthly") {
		return nil, nil
	}
	var cats []string
	for m := 1; m <= 12; m++ {
		cats = append(cats, strconv.Itoa(m))
	}
	byMonth := func(list, key string) []Cell {
		cells := make([]Cell, 12)
		for _, m := range rep.each("monthly/" + list) {
			var mm int
			fmt.Sscanf(m.text("month")[5:], "%d", &mm)
			if mm >= 1 && mm <= 12 {
				cells[mm-1] = m.cell(key)
			}
		}
		return cells
	}
	var charts []Chart
	for _, k := range []struct{ key, title string }{{"pm2_5", "PM2.5"}, {"pm10", "PM10"}} {
		charts = append(charts, barChart(w.chartTitle(k.title, "µg/m³"), cats, []series{
			{Name: w.T("this"), Values: byMonth("this_year", k.key)},
			{Name: w.T("last"), Values: byMonth("last_year", k.key), Hatch: true}}))
	}
	t := Table{Name: "monthly", Title: w.T("year.monthly"),
		Head: []string{w.T("col.month"), w.T("col.pm25"), w.T("col.pm10"), w.T("col.o3"), w.T("col.gooddays"), w.T("col.validdays"), w.T("col.exceed"), w.T("col.o3days")}}
	for _, list := range []string{"this_year", "last_year"} {
		for _, m := range rep.each("monthly/" + list) {
			t.Rows = append(t.Rows, []Cell{m.tcell("month"), m.cell("pm2_5"), m.cell("pm10"), m.cell("o3_p90"), m.cell("good_days"),
				m.cell("valid_days"), m.cell("exceedance_days"), m.cell("o3_exceedance_days")})
		}
	}
	return charts, []Table{t}
}

// monthlySections are the monthly charts and, on its own sheet, the monthly table.
func monthlySheets(rep doc, w *words) []Sheet {
	charts, tables := monthlyCharts(rep, w)
	if charts == nil {
		year, _ := rep.int("year")
		return []Sheet{{ID: "monthly", Title: w.T("year.monthly"), Notes: []string{w.F("year.nodata", rep.text("name"), year)}}}
	}
	return []Sheet{{ID: "monthly", Title: w.T("year.monthly"), Charts: charts}, {ID: "monthly-table", Title: w.T("year.monthlytable"), Tables: tables}}
}

// waterTable lists the sections and sources with class against target.
func waterTable(rep doc, w *words) Table {
	t := Table{Name: "water", Title: w.T("year.water"), Empty: w.T("year.nowater"),
		Head: []string{w.T("col.section"), w.T("col.kind"), w.T("col.river"), w.T("col.level2"), w.T("col.targetclass"),
			w.T("col.class"), w.T("col.compliant"), w.T("col.samples"), w.T("col.main")}}
	for _, s := range rep.each("water_sites") {
		comp := "—"
		if s.has("compliant") {
			comp = w.T("no")
			if s.bool("compliant") {
				comp = w.T("yes")
			}
		}
		main := ""
		for i, m := range s.each("main_pollutants") {
			if i > 0 {
				main += w.listSep()
			}
			main += w.item(m.text("item")) + w.paren(m.text("multiple"))
		}
		t.Rows = append(t.Rows, []Cell{label(s.text("name")), label(w.T(s.text("kind"))), label(s.text("river")), label(w.siteLevel(s.text("level"))),
			shown(s.tcell("target_class"), w.class(s.text("target_class"))), shown(s.tcell("class"), w.class(s.text("class"))), label(comp), s.cell("samples"), label(main)})
	}
	return t
}

// basis says what the figures stand on: period, data end, editions, coverage, stations.
func (b *builder) basis(rep, daily doc, haveDaily bool) Sheet {
	w := b.w
	t := Table{Name: "basis", Title: w.T("year.basis"), Head: []string{w.T("col.item"), w.T("col.basis")}}
	t.Rows = append(t.Rows, []Cell{label(w.T("basis.asof")), rep.tcell("as_of")}, []Cell{label(w.T("basis.dataend")), rep.tcell("data_end")},
		[]Cell{label(w.T("basis.notreported")), rep.cell("not_reported_days")})
	if r, ok := rep.at("indicators/pm2_5_mean"); ok && r.has("coverage") {
		t.Rows = append(t.Rows, []Cell{label(w.T("basis.coverage")), r.cell("coverage/valid_days")})
	}
	var days []string
	for _, d := range rep.each("na_days") {
		days = append(days, d.text(""))
	}
	na := w.dayRanges(days)
	if na == "" {
		na = w.T("problems.none")
	}
	t.Rows = append(t.Rows, []Cell{label(w.T("basis.na")), label(na)})
	if haveDaily {
		count := map[string]int{}
		for _, d := range daily.each("") {
			if d.bool("has_data") {
				count[d.text("edition")]++
			}
		}
		var eds []string
		for e := range count {
			eds = append(eds, e)
		}
		sort.Strings(eds)
		s := ""
		for i, e := range eds {
			if i > 0 {
				s += w.semi()
			}
			s += "HJ 633-" + e + w.paren(fmt.Sprintf(w.T("basis.days"), count[e]))
		}
		t.Rows = append(t.Rows, []Cell{label(w.T("basis.edition")), label(s)})
	}
	t.Rows = append(t.Rows, []Cell{label(w.T("basis.stations")), label(b.stationSet())}, []Cell{label(w.T("basis.method")), label(w.T("basis.methodtext"))})
	return Sheet{ID: "basis", Title: w.T("year.basis"), Tables: []Table{t}}
}
