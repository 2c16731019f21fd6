package pages

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/envwatch/envwatch/airquality"
)

// Charts are SVG written here, inline in the page: nothing to build, nothing to fetch, the
// same in a browser, in print and in a saved file. Every bar and day carries its number
// as text; colour only repeats what the text says.

func esc(s string) string { return html.EscapeString(s) }

// levelFill is the HJ 633 Appendix A colour of a level and a legible text colour on it.
func levelFill(l int) (fill, ink string) {
	if l < 1 || l > 6 {
		return "#e8e8e8", "#333"
	}
	ink = "#000"
	if l >= 4 {
		ink = "#fff"
	}
	return airquality.Level(l).Info().Hex, ink
}

// attrs are the data attributes that tie a figure to the API.
func attrs(c Cell) string {
	if c.Src == "" {
		return ""
	}
	return fmt.Sprintf(` data-api="%s" data-path="%s"`, esc(c.Src), esc(c.Path))
}

// series is one set of bars.
type series struct {
	Name   string
	Values []Cell
	Hatch  bool // drawn hatched: last year's bars, told apart without colour
}

// barChart draws grouped bars, one group per category, with each bar's value above it,
// under its title (which names the unit) and the series' legend.
func barChart(title string, cats []string, ss []series) template.HTML {
	const w, h, left, bottom, top = 720.0, 280.0, 36.0, 28.0, 54.0
	hi := 0.0
	for _, s := range ss {
		for _, v := range s.Values {
			if f, err := strconv.ParseFloat(v.Text, 64); err == nil {
				hi = math.Max(hi, f)
			}
		}
	}
	if hi == 0 {
		hi = 1
	}
	hi = niceCeil(hi)
	plotH := h - top - bottom
	gw := (w - left - 8) / float64(max(len(cats), 1))
	bw := (gw - 8) / float64(max(len(ss), 1))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %g %g" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, w, h, esc(title))
	b.WriteString(`<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#5b6b7a" stroke-width="3"/></pattern></defs>`)
	for i := 0; i <= 4; i++ {
		y := top + plotH - plotH*float64(i)/4
		fmt.Fprintf(&b, `<line x1="%g" y1="%.1f" x2="%g" y2="%.1f" stroke="#ddd"/><text x="%g" y="%.1f" class="axis" text-anchor="end">%s</text>`,
			left, y, w-4, y, left-4, y+4, strconv.FormatFloat(hi*float64(i)/4, 'f', -1, 64))
	}
	for ci, cat := range cats {
		x0 := left + 4 + gw*float64(ci)
		for si, s := range ss {
			if ci >= len(s.Values) {
				continue
			}
			v := s.Values[ci]
			x := x0 + bw*float64(si)
			f, err := strconv.ParseFloat(v.Text, 64)
			if err != nil {
				fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="val" text-anchor="middle">—</text>`, x+bw/2, top+plotH-4)
				continue
			}
			bh := plotH * f / hi
			fill := "#2f6db5"
			if s.Hatch {
				fill = "url(#hatch)"
			}
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" stroke="#2f3b47" stroke-width="0.5"><title>%s %s: %s</title></rect>`,
				x+1, top+plotH-bh, bw-2, bh, fill, esc(cat), esc(s.Name), esc(v.Text))
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="val" text-anchor="middle"%s>%s</text>`, x+bw/2, top+plotH-bh-3, attrs(v), esc(v.Text))
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%g" class="axis" text-anchor="middle">%s</text>`, x0+gw/2-4, h-bottom+16, esc(cat))
	}
	fmt.Fprintf(&b, `<text x="4" y="16" class="ctitle">%s</text>`, esc(title))
	lx := left
	for _, s := range ss {
		fill := "#2f6db5"
		if s.Hatch {
			fill = "url(#hatch)"
		}
		fmt.Fprintf(&b, `<rect x="%g" y="26" width="14" height="12" fill="%s" stroke="#2f3b47" stroke-width="0.5"/><text x="%g" y="36" class="axis">%s</text>`, lx, fill, lx+18, esc(s.Name))
		lx += 18 + textWidth(s.Name, 11) + 16
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// niceCeil rounds up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// dayCell is one day of a calendar or strip: its AQI cell (with level) or none.
type dayCell struct {
	Date string // YYYY-MM-DD
	AQI  Cell
	NA   bool // a day with data but no valid AQI
}

// calendar draws a year as twelve rows of up to 31 days, each day its AQI on its level's colour.
func calendar(title string, year int, days map[string]dayCell, w *words) template.HTML {
	const cw, ch, left, top = 22.0, 20.0, 44.0, 8.0
	var b strings.Builder
	width := left + 31*cw + 4
	height := top + 12*ch + 16 + 17*float64(legend(nil, left, 0, width, w)) + 4
	fmt.Fprintf(&b, `<svg class="chart calendar" viewBox="0 0 %g %g" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, width, height, esc(title))
	for m := 1; m <= 12; m++ {
		y := top + float64(m-1)*ch
		name := fmt.Sprintf("%d月", m)
		if w.lang == "en" {
			name = time.Month(m).String()[:3]
		}
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" class="axis" text-anchor="end">%s</text>`, left-4, y+ch/2+4, name)
		last := time.Date(year, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
		for d := 1; d <= last; d++ {
			x := left + float64(d-1)*cw
			key := fmt.Sprintf("%04d-%02d-%02d", year, m, d)
			writeDay(&b, x, y, cw, ch, key, days[key], w, false)
		}
	}
	legend(&b, left, top+12*ch+12, width, w)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// strip draws a month's days in one row.
func strip(title string, dates []string, days map[string]dayCell, w *words) template.HTML {
	const cw, ch, top = 23.0, 34.0, 4.0
	var b strings.Builder
	width := math.Max(float64(len(dates))*cw+4, 480)
	height := top + ch + 18 + 17*float64(legend(nil, 2, 0, width, w)) + 12
	fmt.Fprintf(&b, `<svg class="chart strip" viewBox="0 0 %g %g" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, width, height, esc(title))
	for i, key := range dates {
		x := 2 + float64(i)*cw
		writeDay(&b, x, top, cw, ch, key, days[key], w, true)
	}
	legend(&b, 2, top+ch+18, width, w)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func writeDay(b *strings.Builder, x, y, cw, ch float64, key string, d dayCell, w *words, withDate bool) {
	fill, ink := levelFill(d.AQI.Level)
	label, tip := "", key+" "+w.T("legend.nodata")
	switch {
	case d.AQI.Src != "" && !d.AQI.Missing:
		label = d.AQI.Text
		cat := airquality.Level(d.AQI.Level).Info().Category
		if w.lang == "en" {
			cat = airquality.Level(d.AQI.Level).Info().CategoryEN
		}
		tip = fmt.Sprintf("%s AQI %s %s", key, d.AQI.Text, cat)
	case d.NA:
		label, tip, fill = "NA", key+" "+w.T("legend.na"), "#bdbdbd"
	default:
		fill = "#fff"
	}
	fmt.Fprintf(b, `<g class="day" data-date="%s"><rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" stroke="#999" stroke-width="0.5"><title>%s</title></rect>`,
		key, x, y, cw-1, ch-1, fill, esc(tip))
	if withDate {
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" class="dn" text-anchor="middle" fill="%s">%s</text>`, x+cw/2, y+11, ink, strings.TrimLeft(key[8:], "0"))
	}
	if label != "" {
		ty := y + ch/2 + 3.5
		if withDate {
			ty = y + ch - 6
		}
		a := ""
		if label != "NA" {
			a = attrs(d.AQI)
		}
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" class="dv" text-anchor="middle" fill="%s"%s>%s</text>`, x+cw/2, ty, ink, a, esc(label))
	}
	b.WriteString(`</g>`)
}

// legend names each level with its AQI range beside its colour, from (x, y), wrapping
// before maxX; it returns the rows it took. With b nil it only measures.
func legend(b *strings.Builder, x, y, maxX float64, w *words) int {
	type item struct{ fill, text string }
	var items []item
	lo := 0
	for l := 1; l <= 6; l++ {
		info := airquality.Level(l).Info()
		fill, _ := levelFill(l)
		cat := info.Category
		if w.lang == "en" {
			cat = info.CategoryEN
		}
		items = append(items, item{fill, fmt.Sprintf("%s %d–%d", cat, lo, info.MaxAQI)})
		lo = info.MaxAQI + 1
	}
	items = append(items, item{"#bdbdbd", w.T("legend.na")})
	x0, rows := x, 1
	for _, it := range items {
		iw := 15 + textWidth(it.text, 11) + 12
		if x > x0 && x+iw > maxX {
			x, y, rows = x0, y+17, rows+1
		}
		if b != nil {
			fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="12" height="12" fill="%s" stroke="#999" stroke-width="0.5"/><text x="%.1f" y="%.1f" class="axis">%s</text>`,
				x, y, it.fill, x+15, y+10, esc(it.text))
		}
		x += iw
	}
	return rows
}

// textWidth estimates the width of s in an SVG font of size px: a CJK or full-width
// character is about one em, anything else about 0.6 em (so that a legend or a title
// never runs into its neighbour).
func textWidth(s string, size float64) float64 {
	wd := 0.0
	for _, r := range s {
		if r >= 0x2E80 {
			wd += size
		} else {
			wd += 0.6 * size
		}
	}
	return wd
}
