package pages

import (
	"fmt"
	"strings"
)

// progressChart draws, for each indicator with a target, its value against the target on
// one scale, with both numbers and the status written beside the bar.
func progressChart(rep doc, w *words) Chart {
	type row struct {
		name          string
		value, target Cell
		v, t          float64
		status        string
	}
	var rows []row
	for _, r := range rep.each("indicators") {
		v, ok1 := r.float("value")
		t, ok2 := r.float("target")
		if !ok1 || !ok2 || t <= 0 || strings.HasSuffix(r.text("indicator"), "_yoy") {
			continue
		}
		name := r.text("name")
		if u := w.unit(r.text("unit")); u != "" {
			name = w.chartTitle(name, u) // the bars' scale differs per row: each names its unit
		}
		rows = append(rows, row{name, r.cell("value"), r.cell("target"), v, t,
			w.T("dir."+r.text("direction")) + " " + r.text("target") + " · " + w.status(r.text("status"))})
	}
	if len(rows) == 0 {
		return ""
	}
	// Sized from the text it holds, so that no name or status is cut.
	const rh, barW = 34.0, 330.0
	left, right := 0.0, 0.0
	for _, r := range rows {
		left = max(left, textWidth(r.name, 11)+12)
		right = max(right, textWidth(r.value.Text, 10)+8+textWidth(r.status, 11)+16)
	}
	width := left + barW + 8 + right
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %g %g" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, width, float64(len(rows))*rh+8, esc(w.T("year.progress")))
	for i, r := range rows {
		y := 4 + float64(i)*rh
		scale := max(r.v, r.t) * 1.1
		vw, tx := barW*r.v/scale, left+barW*r.t/scale
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" class="axis" text-anchor="end">%s</text>`, left-6, y+16, esc(r.name))
		fmt.Fprintf(&b, `<rect x="%g" y="%.1f" width="%.1f" height="16" fill="#2f6db5"><title>%s %s</title></rect>`, left, y+4, vw, esc(r.name), esc(r.value.Text))
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#c00" stroke-width="2" stroke-dasharray="3 2"/>`, tx, y, tx, y+24)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="val"%s>%s</text>`, left+barW+8, y+16, attrs(r.value), esc(r.value.Text))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="axis">%s</text>`, left+barW+8+textWidth(r.value.Text, 10)+8, y+16, esc(r.status))
	}
	b.WriteString(`</svg>`)
	return Chart(b.String())
}
