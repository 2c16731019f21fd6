package pages

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/envwatch/envwatch/airquality"
)

// category is the level's category in the page's language.
func category(l int, w *words) string {
	if l < 1 || l > 6 {
		return ""
	}
	if w.lang == "en" {
		return airquality.Level(l).Info().CategoryEN
	}
	return airquality.Level(l).Info().Category
}

// aqiCell is an AQI figure with its level.
func aqiCell(d doc, prefix string) Cell {
	c := d.cell(prefix + "aqi")
	c.Level, _ = d.int(prefix + "level")
	return c
}

func primaryText(d doc, path string, w *words) string {
	var out []string
	for _, p := range d.each(path) {
		out = append(out, w.pollutant(p.text("")))
	}
	return strings.Join(out, "+")
}

// aqiCard is the card of an AQI object of GET /api/v1/now (hour or today).
func aqiCard(now doc, key, title string, w *words) (Card, bool) {
	if !now.has(key) {
		return Card{}, false
	}
	v := aqiCell(now, key+"/")
	c := Card{Title: title, Value: v, Level: v.Level, Caption: category(v.Level, w)}
	if v.Missing {
		c.Caption = "NA"
	}
	if p := primaryText(now, key+"/primary", w); p != "" {
		c.Lines = append(c.Lines, Para{label(w.colon(w.T("now.primary"))), {Text: p}})
	}
	if key == "hour" {
		c.Lines = append(c.Lines, Para{label(w.colon(w.T("now.hourend"))), shown(now.tcell("hour/end"), w.when(now.text("hour/end")))},
			Para{label(w.colon(w.T("now.stations"))), now.cell("hour/stations")})
		// However old the newest hour is (an outage, a start on old data), it is not "now".
		if now.bool("hour/stale") {
			age, _ := now.int("hour/age_seconds")
			c.Notice = fmt.Sprintf(w.T("now.stale"), age/3600)
		}
	} else {
		hours, _ := now.int("today/hours")
		c.Title = fmt.Sprintf(title, hours)
		c.Lines = append(c.Lines, Para{label(w.colon(w.T("col.date"))), shown(now.tcell("today/date"), w.day(now.text("today/date"), false))})
	}
	return c, true
}

func (b *builder) today() (*Page, error) {
	w := b.w
	now, err := b.f.get("now", "/api/v1/now", url.Values{"area": {b.area}, "lang": {w.lang}})
	if err != nil {
		return nil, err
	}
	p := b.page("today", now.text("name"))
	p.Subtitle = w.T("generated") + " " + w.when(now.text("computed"))

	air := b.hasAir()
	if !air {
		p.Sheets = append(p.Sheets, b.noAir())
	}
	sec := Sheet{ID: "now", Title: w.T("now.title")}
	for _, k := range []struct{ key, title string }{{"hour", w.T("now.hour")}, {"today", w.T("now.day")}} {
		if c, ok := aqiCard(now, k.key, k.title, w); ok {
			sec.Cards = append(sec.Cards, c)
		}
	}
	if len(sec.Cards) == 0 {
		sec.Notes = append(sec.Notes, w.T("now.none"))
	} else {
		sec.Tables = append(sec.Tables, iaqiTable(now, w))
	}
	if air {
		p.Sheets = append(p.Sheets, sec)
	}

	st := Table{Name: "stations", Title: w.T("stations.title"), Empty: w.T("stations.none"),
		Head: []string{w.T("col.station"), w.T("col.code"), w.T("col.area"), w.T("col.end"), w.T("col.age"), w.T("col.aqi"), w.T("col.level"), w.T("col.primary"), w.T("col.status")}}
	for _, s := range now.each("stations") {
		age := "—"
		if secs, ok := s.int("age_seconds"); ok {
			age = strconv.FormatFloat(float64(secs)/3600, 'f', 1, 64)
		}
		a := aqiCell(s, "")
		status := w.T("status.ok")
		if s.bool("stale") {
			status = w.T("status.stale")
		}
		st.Rows = append(st.Rows, []Cell{label(s.text("name")), s.tcell("code"), label(b.areaName(s.text("area"))), shown(s.tcell("end"), w.when(s.text("end"))),
			{Text: age, Num: true}, a, {Text: category(a.Level, w), Level: a.Level}, label(primaryText(s, "primary", w)), label(status)})
	}
	if air {
		p.Sheets = append(p.Sheets, Sheet{ID: "stations", Title: w.T("stations.title"), Tables: []Table{st}})
	}

	year := b.now().In(airquality.Shanghai).AddDate(0, 0, -1).Year()
	rep, rerr := b.f.get("report", "/api/v1/report", url.Values{"area": {b.area}, "year": {strconv.Itoa(year)}, "lang": {w.lang}})
	tg := Sheet{ID: "targets", Title: w.T("targets.title") + w.paren(strconv.Itoa(year))}
	if rerr != nil {
		note, err := b.absent(rerr, "targets.noyear", b.areaName(b.area), year)
		if err != nil {
			return nil, err
		}
		tg.Notes = append(tg.Notes, note)
	} else {
		tg.Tables = append(tg.Tables, targetTable(rep, w))
	}
	p.Sheets = append(p.Sheets, tg)

	pr := Sheet{ID: "problems", Title: w.T("problems.title")}
	stale := Para{label(w.colon(w.T("problems.stale")))}
	for i, s := range now.each("stale_stations") {
		if i > 0 {
			stale = append(stale, label(w.listSep()))
		}
		stale = append(stale, Cell{Text: b.stationName(s.text(""))})
	}
	if len(stale) == 1 {
		stale = append(stale, label(w.T("problems.none")))
	}
	pr.Paras = append(pr.Paras, stale)
	if rerr == nil {
		pr.Paras = append(pr.Paras, Para{label(w.colon(w.T("problems.notreported"))), rep.cell("not_reported_days")},
			Para{label(w.colon(w.T("problems.na"))), {Text: strconv.Itoa(len(rep.each("na_days"))), Num: true}})
	}
	rj := Table{Name: "rejected", Title: w.T("problems.rejected"), Empty: w.T("problems.none"),
		Head: []string{w.T("col.source"), w.T("col.reason"), w.T("col.count")}}
	for _, r := range now.each("rejected_readings") {
		rj.Rows = append(rj.Rows, []Cell{r.tcell("source"), r.tcell("reason"), r.cell("count")})
	}
	pr.Tables = append(pr.Tables, rj)
	p.Sheets = append(p.Sheets, pr)
	return p, nil
}

// targetTable lists the indicators that have a target, with status and what is left.
func targetTable(rep doc, w *words) Table {
	t := Table{Name: "targets", Title: w.T("targets.title"), Empty: w.T("targets.none"),
		Head: []string{w.T("col.indicator"), w.T("col.value"), w.T("col.unit"), w.T("col.target"), w.T("col.status"), w.T("col.probability"),
			w.T("col.outlook"), w.T("col.required"), w.T("col.budgetused"), w.T("col.budgetleft"), w.T("col.coverage"), w.T("col.valid")}}
	for _, r := range rep.each("indicators") {
		if !r.has("target") {
			continue
		}
		tc := r.cell("target")
		tc.Note = w.T("dir." + r.text("direction"))
		t.Rows = append(t.Rows, []Cell{label(r.text("name")), r.cell("value"), label(w.unit(r.text("unit"))), tc,
			w.statusCell(r.text("status")), probabilityCell(r, w), label(outlookText(r, w)), r.cell("required_remaining_mean"), r.cell("budget_used_days"), r.cell("budget_left_days"),
			label(coverage(r, "coverage")), label(validity(r, w))})
	}
	return t
}

func coverage(r doc, key string) string {
	if !r.has(key) {
		return "—"
	}
	return r.text(key+"/valid_days") + "/" + r.text(key+"/calendar_days")
}

func validity(r doc, w *words) string {
	if r.bool("valid") {
		return w.T("valid")
	}
	if s := r.text("reason"); s != "" {
		return w.T("invalid") + w.paren(w.reason(s))
	}
	return w.T("invalid")
}

// iaqiOrder is the order the individual indices are listed in.
var iaqiOrder = []string{"pm2_5", "pm10", "so2", "no2", "co", "o3", "o3_8h", "o3_1h_max"}

// iaqiTable lists each item's individual index now and for the day so far: the pollutants
// that drive the AQI, with the figures behind "primary pollutant".
func iaqiTable(now doc, w *words) Table {
	t := Table{Name: "iaqi", Title: w.T("now.iaqi"), Head: []string{w.T("col.item"), w.T("now.hour"), w.T("now.daycol")}}
	for _, code := range iaqiOrder {
		h, d := now.has("hour/iaqi/"+code), now.has("today/iaqi/"+code)
		if !h && !d {
			continue
		}
		t.Rows = append(t.Rows, []Cell{label(w.pollutant(code)), now.cell("hour/iaqi/" + code), now.cell("today/iaqi/" + code)})
	}
	return t
}

// probabilityCell is the probability of meeting the target, in percent, or why there is
// none.
func probabilityCell(r doc, w *words) Cell {
	if !r.has("outlook") {
		return Cell{Text: r.text("outlook_reason"), Missing: !r.has("outlook_reason")}
	}
	c := r.cell("outlook/probability")
	if p, err := strconv.ParseFloat(c.Text, 64); err == nil {
		c.Text = strconv.Itoa(int(math.Round(p*100))) + "%"
	}
	return c
}

// outlookText is the simulated year-end range and its basis (由 N 个往年同期模拟 4000 次).
func outlookText(r doc, w *words) string {
	if !r.has("outlook") {
		if r.has("best_on_record") {
			return w.T("outlook.record") + " " + r.text("best_on_record") + w.unit(r.text("unit"))
		}
		return ""
	}
	return r.text("outlook/p10") + "–" + r.text("outlook/p90") + w.unit(r.text("unit")) + w.paren(r.text("outlook/basis"))
}
