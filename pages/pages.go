// Package pages serves the bureau's pages — 今日研判 (today), 月度 (month) and 年度 (year) —
// as server-rendered HTML with inline SVG charts and a print stylesheet (A4, one section
// per sheet), and every table of a page as CSV and Excel. Each figure is read from
// envwatch's own API, in-process and under the same request, so that a page shows exactly
// what GET /api/v1/… answers: nothing is recomputed here. A page requests nothing beyond
// itself — styles and charts are inline — so it works on an intranet without internet and
// saves as one file (envwatch report --format html). docs/pages.md is the contract.
package pages

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/envwatch/envwatch/airquality"
)

//go:embed templates/*.html
var templateFS embed.FS

var pageTemplate = template.Must(template.New("page.html").Funcs(template.FuncMap{
	"fill": func(l int) string { f, _ := levelFill(l); return f },
	"ink":  func(l int) string { _, i := levelFill(l); return i },
}).ParseFS(templateFS, "templates/*.html"))

// Handler serves /pages/.
type Handler struct {
	// API is the /api/v1/ handler the figures are read from.
	API http.Handler
	// DefaultArea is shown when a request names none (the first configured area).
	DefaultArea string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Kinds are the pages, in navigation order.
var Kinds = []string{"today", "month", "year"}

// ServeHTTP implements http.Handler: /pages/{today,month,year}[.csv|.xlsx].
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET")
		http.Error(w, "use GET", http.StatusMethodNotAllowed)
		return
	}
	name := strings.TrimPrefix(r.URL.Path, "/pages/")
	if name == "" || r.URL.Path == "/pages" {
		http.Redirect(w, r, "/pages/today", http.StatusFound)
		return
	}
	kind, ext, _ := strings.Cut(name, ".")
	if err := checkPageQuery(kind, ext, r.URL.Query()); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p, err := h.Build(r.Context(), kind, r.URL.Query(), r.URL.Query().Get("standalone") == "true")
	if err != nil {
		status := http.StatusInternalServerError
		var e *apiError
		if errors.As(err, &e) {
			status = e.Status
		}
		http.Error(w, err.Error(), status)
		return
	}
	switch ext {
	case "":
		var buf bytes.Buffer
		if err := Write(&buf, p); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// The page needs nothing from anywhere: say so to the browser too.
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'; frame-ancestors 'self'")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		buf.WriteTo(w)
	case "csv":
		t, ok := findTable(p, r.URL.Query().Get("table"))
		if !ok {
			http.Error(w, fmt.Sprintf("no table %q on the %s page; tables: %s", r.URL.Query().Get("table"), kind, tableNames(p)), http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s-%s-%s.csv"`, p.Area, kind, p.Period, t.Name))
		writeCSV(w, t)
	case "xlsx":
		var buf bytes.Buffer
		if err := writeXLSX(&buf, p); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s-%s.xlsx"`, p.Area, kind, p.Period))
		buf.WriteTo(w)
	default:
		http.Error(w, "no such page (today, month, year; .csv or .xlsx for their tables)", http.StatusNotFound)
	}
}

// checkPageQuery refuses parameters a page does not take and values it cannot honour —
// a page answering another question than the one asked (lang=fr shown in Chinese, year=abc
// shown as this year) is worse than an error.
func checkPageQuery(kind, ext string, q url.Values) error {
	allowed := map[string][]string{"today": {"area", "lang", "year"}, "month": {"area", "lang", "month"}, "year": {"area", "lang", "year", "standalone"}}[kind]
	if allowed == nil {
		return nil // answered as no such page
	}
	if ext == "csv" {
		allowed = append(allowed, "table")
	}
	for k, vs := range q {
		if !slices.Contains(allowed, k) {
			return fmt.Errorf("unknown parameter %q: the %s page takes %s", k, kind, strings.Join(allowed, ", "))
		}
		if len(vs) > 1 {
			return fmt.Errorf("parameter %q given %d times", k, len(vs))
		}
	}
	if l := q.Get("lang"); l != "" && l != "zh" && l != "en" {
		return fmt.Errorf("lang %q: want zh or en", l)
	}
	if y := q.Get("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil || n < 2000 || n > 2100 {
			return fmt.Errorf("year %q: want a year between 2000 and 2100", y)
		}
	}
	if m := q.Get("month"); m != "" {
		if t, err := time.Parse("2006-01", m); err != nil || t.Year() < 2000 || t.Year() > 2100 {
			return fmt.Errorf("month %q: want YYYY-MM", m)
		}
	}
	if s := q.Get("standalone"); s != "" && s != "true" && s != "false" {
		return fmt.Errorf("standalone %q: want true or false", s)
	}
	return nil
}

// Build assembles a page from the API. standalone pages (files) carry no links.
func (h *Handler) Build(ctx context.Context, kind string, q url.Values, standalone bool) (*Page, error) {
	now := h.Now
	if now == nil {
		now = time.Now
	}
	var used []Source
	b := &builder{f: fetcher{api: h.API, ctx: ctx, used: &used}, q: q, w: wordsFor(q.Get("lang")), area: q.Get("area"), now: now}
	if b.area == "" {
		b.area = h.DefaultArea
	}
	sites, err := b.f.get("sites", "/api/v1/sites", url.Values{})
	if err != nil {
		return nil, err
	}
	b.sites = sites
	b.resolveArea()
	var p *Page
	switch kind {
	case "today":
		p, err = b.today()
	case "month":
		p, err = b.month()
	case "year":
		p, err = b.year()
	default:
		return nil, &apiError{Status: http.StatusNotFound, Msg: "no such page (today, month, year)"}
	}
	if err != nil {
		return nil, err
	}
	p.Standalone = standalone
	p.Sources = used
	p.Generated = b.w.stamp(now())
	switch {
	case q.Get("month") != "":
		p.Period = q.Get("month")
	case q.Get("year") != "" && kind == "year":
		p.Period = q.Get("year")
	default:
		p.Period = now().In(airquality.Shanghai).Format(time.DateOnly)
	}
	return p, nil
}

// Write renders a page as one self-contained HTML document.
func Write(w io.Writer, p *Page) error { return pageTemplate.Execute(w, p) }

// builder holds what a page's assembly shares.
type builder struct {
	f     fetcher
	q     url.Values
	w     *words
	area  string
	now   func() time.Time
	sites doc
}

// resolveArea accepts an area's configured name or English name as well as its id.
func (b *builder) resolveArea() {
	for _, a := range b.sites.each("areas") {
		if a.text("name") == b.area || strings.EqualFold(a.text("name_en"), b.area) {
			b.area = a.text("id")
		}
	}
}

func (b *builder) knownArea() bool {
	for _, a := range b.sites.each("areas") {
		if a.text("id") == b.area {
			return true
		}
	}
	return false
}

func (b *builder) areaName(id string) string {
	for _, a := range b.sites.each("areas") {
		if a.text("id") == id {
			if b.w.lang == "en" && a.text("name_en") != "" {
				return a.text("name_en")
			}
			return a.text("name")
		}
	}
	return id
}

func (b *builder) stationName(code string) string {
	if s, ok := b.sites.at("stations/" + code); ok {
		return s.text("name")
	}
	return code
}

// absent tells a 404 of the API — nothing for this question — from a failure: the page
// says the former in its own words (sentence key, filled with args) and fails on the latter.
func (b *builder) absent(err error, key string, args ...any) (string, error) {
	if e, ok := err.(*apiError); ok && e.Status == http.StatusNotFound {
		return b.w.F(key, args...), nil
	}
	return "", err
}

// under is the area and the areas below it.
func (b *builder) under() map[string]bool {
	under := map[string]bool{b.area: true}
	for grew := true; grew; {
		grew = false
		for _, a := range b.sites.each("areas") {
			if id := a.text("id"); !under[id] && under[a.text("parent")] {
				under[id], grew = true, true
			}
		}
	}
	return under
}

// hasAir reports whether the area has an air station: a water-only area's pages show its
// water and say once that it has no air station, instead of empty air sections.
func (b *builder) hasAir() bool {
	under := b.under()
	for _, s := range b.sites.each("stations") {
		if under[s.text("area")] {
			return true
		}
	}
	return false
}

// noAir is the sheet that says so.
func (b *builder) noAir() Sheet {
	return Sheet{ID: "air", Title: b.w.T("air.title"), Notes: []string{b.w.T("air.none")}}
}

// stationSet names the assessment stations of the area and the areas below it.
func (b *builder) stationSet() string {
	under := b.under()
	var names []string
	for _, s := range b.sites.each("stations") {
		if under[s.text("area")] && s.bool("assessment") {
			names = append(names, s.text("name"))
		}
	}
	if len(names) == 0 {
		return b.w.T("stations.none")
	}
	return b.w.colon(strconv.Itoa(len(names))) + strings.Join(names, b.w.listSep())
}

func (b *builder) intParam(key string, def int) int {
	if n, err := strconv.Atoi(b.q.Get(key)); err == nil {
		return n
	}
	return def
}

// page starts a page of a kind.
func (b *builder) page(kind, areaName string) *Page {
	q := url.Values{}
	for k, v := range b.q {
		if k != "lang" && k != "table" && k != "standalone" {
			q[k] = v
		}
	}
	q.Set("area", b.area)
	// The encoded queries go into href attributes as they are: html/template would escape
	// a plain string's = and & a second time (?area%3djianxi), and the link would lose
	// its area.
	return &Page{Kind: kind, Lang: b.w.lang, Title: areaName + " · " + b.w.T(kind), Area: b.area, AreaName: areaName,
		Query: template.URL(q.Encode()), AreaQuery: template.URL(url.Values{"area": {b.area}}.Encode()), W: b.w}
}

func findTable(p *Page, name string) (Table, bool) {
	for _, t := range p.tables() {
		if t.Name == name {
			return t, true
		}
	}
	return Table{}, false
}

func tableNames(p *Page) string {
	var out []string
	for _, t := range p.tables() {
		out = append(out, t.Name)
	}
	return strings.Join(out, ", ")
}
