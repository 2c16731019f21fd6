package pages

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/assessment"
)

func (b *builder) month() (*Page, error) {
	w := b.w
	today := b.now().In(airquality.Shanghai)
	yesterday := today.AddDate(0, 0, -1)
	month := b.q.Get("month")
	if month == "" {
		// The last complete month: an assessment is read once its month is over; the
		// running month is one link away, marked provisional.
		month = time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, airquality.Shanghai).AddDate(0, 0, -1).Format("2006-01")
	}
	m, err := time.ParseInLocation("2006-01", month, airquality.Shanghai)
	if err != nil {
		return nil, &apiError{Status: 400, Msg: fmt.Sprintf("month %q: want YYYY-MM", month)}
	}
	if !b.knownArea() {
		return nil, &apiError{Status: 404, Msg: fmt.Sprintf("no area %q", b.area)}
	}
	p := b.page("month", b.areaName(b.area))
	p.Title = fmt.Sprintf("%s · %s", p.Title, month)
	link := func(text string, mm time.Time) Link {
		q := url.Values{"area": {b.area}, "month": {mm.Format("2006-01")}, "lang": {w.lang}}
		return Link{Text: text, Href: "/pages/month?" + q.Encode()}
	}
	cur := time.Date(yesterday.Year(), yesterday.Month(), 1, 0, 0, 0, 0, airquality.Shanghai)
	p.Links = append(p.Links, link(w.T("month.prev"), m.AddDate(0, -1, 0)))
	if next := m.AddDate(0, 1, 0); next.Before(cur) {
		p.Links = append(p.Links, link(w.T("month.next"), next))
	}
	if !cur.Equal(m) {
		p.Links = append(p.Links, link(w.T("month.current"), cur))
	}

	as, aerr := b.f.get("assessment", "/api/v1/assessment", url.Values{"area": {b.area}, "month": {month}, "lang": {w.lang}})
	rank := Sheet{ID: "ranking", Title: w.T("month.ranking"), Wide: true}
	var schemes []Sheet
	if aerr != nil {
		note, err := b.absent(aerr, "month.noassess", b.areaName(b.area))
		if err != nil {
			return nil, err
		}
		rank.Notes = append(rank.Notes, note)
	} else {
		p.Subtitle = w.T("month.datato") + " " + as.text("data_to")
		if as.bool("provisional") {
			rank.Notes = append(rank.Notes, w.T("month.provisional"))
		}
		rank.Tables = append(rank.Tables, b.rankingTable(as))
		for i, s := range as.each("schemes") {
			sec := Sheet{ID: "scheme-" + strconv.Itoa(i+1), Title: w.T("month.comp") + " · " + s.text("name")}
			t := Table{Name: "compensation_" + strconv.Itoa(i+1), Title: s.text("name"),
				Head: []string{w.T("col.unitname"), w.T("col.monthvalue"), w.T("col.base"), w.T("col.diff"),
					w.T("col.direction"), w.T("col.amount") + w.paren(s.text("money_unit")), w.T("col.excluded")}}
			for _, l := range s.each("lines") {
				dir := ""
				if d := l.text("direction"); d != "" {
					dir = w.T(d)
				}
				name := l.text("name")
				if in := l.text("in_unit"); in != "" {
					name += w.paren(b.areaName(in))
				}
				t.Rows = append(t.Rows, []Cell{label(name), l.cell("value"), l.cell("base"), l.cell("difference"),
					label(dir), l.cell("amount"), label(w.reason(l.text("excluded")))})
			}
			sec.Paras = append(sec.Paras, Para{label(w.colon(w.T("month.base"))), s.cell("base_value"), label(w.semi() + w.T("pay") + " "), s.cell("pay"),
				label(w.semi() + w.T("receive") + " "), s.cell("receive"), label(" " + s.text("money_unit"))})
			sec.Tables = append(sec.Tables, t)
			schemes = append(schemes, sec)
		}
	}
	p.Sheets = append(p.Sheets, rank)
	p.Sheets = append(p.Sheets, schemes...)

	if !b.hasAir() {
		p.Sheets = append(p.Sheets, b.noAir())
		return p, nil
	}
	rep, rerr := b.f.get("report", "/api/v1/report", url.Values{"area": {b.area}, "year": {strconv.Itoa(m.Year())}, "lang": {w.lang}})
	if rerr != nil {
		note, err := b.absent(rerr, "year.nodata", b.areaName(b.area), m.Year())
		if err != nil {
			return nil, err
		}
		p.Sheets = append(p.Sheets, Sheet{ID: "monthly", Title: w.T("month.means"), Notes: []string{note}})
	} else {
		p.Sheets = append(p.Sheets, monthlySheets(rep, w)...)
	}

	days := Sheet{ID: "days", Title: w.T("month.strip")}
	last := m.AddDate(0, 1, -1)
	if last.After(yesterday) {
		last = yesterday
	}
	var dates []string
	for d := m; !d.After(last); d = d.AddDate(0, 0, 1) {
		dates = append(dates, d.Format(time.DateOnly))
	}
	if len(dates) == 0 {
		days.Notes = append(days.Notes, w.F("month.nodata", b.areaName(b.area), month))
	} else if daily, err := b.f.get("daily", "/api/v1/daily", url.Values{"area": {b.area}, "from": {dates[0]}, "to": {dates[len(dates)-1]}}); err != nil {
		note, err := b.absent(err, "month.nodata", b.areaName(b.area), month)
		if err != nil {
			return nil, err
		}
		days.Notes = append(days.Notes, note)
	} else {
		cells := dayCells(daily)
		days.Charts = append(days.Charts, strip(days.Title, dates, cells, w))
		t := Table{Name: "daily", Title: w.T("month.strip"), Head: []string{w.T("col.date"), w.T("col.aqi"), w.T("col.level"), w.T("col.primary"), w.T("col.pm25"), w.T("col.pm10")}}
		for _, d := range daily.each("") {
			a := aqiCell(d, "")
			t.Rows = append(t.Rows, []Cell{shown(d.tcell("date"), w.day(d.text("date"), false)), a, {Text: category(a.Level, w), Level: a.Level}, label(primaryText(d, "primary", w)),
				d.cell("values/pm2_5"), d.cell("values/pm10")})
		}
		days.Tables = append(days.Tables, t)
		if !hasAnyData(daily) {
			days.Notes = append(days.Notes, w.F("month.nodata", b.areaName(b.area), month))
		}
	}
	p.Sheets = append(p.Sheets, days)
	return p, nil
}

func hasAnyData(daily doc) bool {
	for _, d := range daily.each("") {
		if d.bool("has_data") {
			return true
		}
	}
	return false
}

func factorName(f string, w *words) string {
	names := map[string][2]string{
		"composite_index": {"综合指数", "composite index"}, "composite_index_yoy": {"综合指数同比", "composite index YoY"},
		"pm2_5": {"PM2.5", "PM2.5"}, "pm10": {"PM10", "PM10"}, "good_day_ratio": {"优良天数比例", "good-day ratio"},
		"sections_compliance": {"断面达标率", "sections compliance"}, "pm2_5_yoy": {"PM2.5 同比", "PM2.5 YoY"},
	}
	n, ok := names[f]
	if !ok {
		return f
	}
	if w.lang == "en" {
		return n[1]
	}
	return n[0]
}

// rankingTable is one row per unit: each ranking's value and rank side by side, and the
// unit's net eco-compensation — the table a bureau circulates.
func (b *builder) rankingTable(as doc) Table {
	w := b.w
	t := Table{Name: "ranking", Title: w.T("month.ranking"), Head: []string{w.T("col.unitname")}}
	factors := as.each("rankings")
	var units []string
	seen := map[string]bool{}
	for _, f := range factors {
		factor := f.path[len("rankings/"):]
		head := factorName(factor, w)
		if fi, ok := assessment.Info(assessment.Factor(factor)); ok && w.unit(fi.Unit) != "" {
			head += w.paren(w.unit(fi.Unit)) // a ranking's value names its unit, as the bulletin's columns do
		}
		t.Head = append(t.Head, head, w.T("col.rank"))
		for _, r := range f.each("") {
			if u := r.text("unit"); !seen[u] {
				seen[u] = true
				units = append(units, u)
			}
		}
	}
	// totals: one entry per unit and money unit.
	var moneys []string
	net := map[[2]string]Cell{}
	for _, e := range as.each("totals") {
		money := e.text("money_unit")
		if !slices.Contains(moneys, money) {
			moneys = append(moneys, money)
		}
		net[[2]string{e.text("unit"), money}] = e.cell("net")
	}
	for _, money := range moneys {
		t.Head = append(t.Head, w.T("col.net")+w.paren(money))
	}
	t.Head = append(t.Head, w.T("col.reason"))
	for _, u := range units {
		row := []Cell{label(b.areaName(u))}
		reason := ""
		for _, f := range factors {
			r, ok := f.at(u)
			if !ok {
				row = append(row, label("—"), label("—"))
				continue
			}
			row = append(row, r.cell("value"), r.cell("rank"))
			if reason == "" {
				reason = w.reason(r.text("reason"))
			}
		}
		for _, money := range moneys {
			c, ok := net[[2]string{u, money}]
			if !ok {
				c = Cell{Text: "—", Missing: true}
			}
			row = append(row, c)
		}
		t.Rows = append(t.Rows, append(row, label(reason)))
	}
	return t
}
