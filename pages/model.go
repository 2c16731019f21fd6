package pages

import "html/template"

// Chart is an inline SVG chart.
type Chart = template.HTML

// Cell is one figure or text of a page. Src and Path say where in the API a figure came
// from (empty for labels); Level (1–6) colours an AQI by HJ 633 Appendix A, always beside
// its text.
type Cell struct {
	Text    string
	Src     string
	Path    string
	Level   int
	Num     bool // a figure (right-aligned; a number cell in Excel)
	Missing bool // the API had no value (null): shown as —
	Note    string
	// Tone colours a status: green (met, on track), amber (at risk), red (unlikely,
	// missed), grey (no claim).
	Tone string
	// Value is the API's value when Text writes it for people (a time, a code in words).
	Value string
}

// label is a cell of plain text.
func label(s string) Cell { return Cell{Text: s} }

// Table is a table of a page; the same rows go to CSV and Excel.
type Table struct {
	Name  string // for exports: ?table=Name
	Title string
	Head  []string
	Rows  [][]Cell
	Empty string // said instead of an empty table
}

// Card is a headline figure: a big number with its level and what drives it.
type Card struct {
	Title   string
	Value   Cell
	Level   int
	Caption string // the level's category in words
	Lines   []Para
	// Notice, when set, greys the card's value and says why ("数据已 5 小时未更新").
	Notice string
}

// Para is a sentence of figures and words.
type Para []Cell

// Sheet is one printed sheet of a page.
type Sheet struct {
	ID     string
	Title  string
	Cards  []Card
	Paras  []Para
	Charts []Chart
	Tables []Table
	Notes  []string
	// Wide sections print on a landscape sheet (a ranking with many columns).
	Wide bool
}

// Page is what a template renders.
type Page struct {
	Kind, Lang, Title, Subtitle string
	Area, AreaName              string
	// Query is the page's own query (area, month, year…), for links to the other language
	// and the exports.
	Query template.URL
	// AreaQuery is the area alone, for the links to the other pages (whose other
	// parameters differ: a month page's month means nothing to the year page).
	AreaQuery  template.URL
	Standalone bool // a file, not served: no navigation, no export links
	Sheets     []Sheet
	// Sources are the API answers the page was built from (name → URL), linked from the page.
	Sources   []Source
	Generated string
	// Period is what the page covers, for file names: 2026-11, 2026, 2026-12-06.
	Period string
	// Links are the page's own neighbours (the previous and next month…), not printed.
	Links []Link
	W     *words
}

// tables lists every table of the page, for exports.
func (p *Page) tables() []Table {
	var out []Table
	for _, s := range p.Sheets {
		out = append(out, s.Tables...)
	}
	return out
}

// Source is an API answer a page read.
type Source struct{ Name, URL string }

// Link is a link to another page.
type Link struct{ Text, Href string }
