// Package report renders an area's annual (or year-to-date) summary — the lines a bureau
// publishes, with the data behind every figure — from a target snapshot, in Chinese or
// English, as text, Markdown, JSON or CSV tables. A comparison or status the data do not
// support is withheld with its reason, in every format alike.
package report

import (
	"fmt"
	"io"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/indicator"
)

// Options select the rendering.
type Options struct {
	// Area is the area id; AreaName its name in the report's language.
	Area, AreaName string
	Format         string // text, markdown, json, csv
	Lang           string // zh, en
	// Table is the CSV table: "indicators" (default) or "monthly".
	Table string
	// ThisYear and LastYear are the monthly tables (indicator.Calculator.Monthly); optional.
	ThisYear, LastYear []indicator.MonthRow
}

// Render writes the report of one area.
func Render(w io.Writer, snap *indicator.Snapshot, opt Options) error {
	if opt.AreaName == "" {
		opt.AreaName = opt.Area
	}
	wd := &zh
	if opt.Lang == "en" {
		wd = &en
	}
	info := snap.Area(opt.Area)
	if info == nil {
		return fmt.Errorf("area %q is not in the snapshot", opt.Area)
	}
	switch opt.Format {
	case "json":
		return renderJSON(w, snap, info, opt)
	case "csv":
		if opt.Table == "monthly" {
			return monthlyCSV(w, opt)
		}
		return indicatorsCSV(w, snap, opt, wd)
	default:
		return renderText(w, snap, info, opt, wd)
	}
}

// results are the area's results in snapshot order.
func results(snap *indicator.Snapshot, area string) []*indicator.Result {
	var out []*indicator.Result
	for i := range snap.Results {
		if snap.Results[i].Area == area {
			out = append(out, &snap.Results[i])
		}
	}
	return out
}

// notReported is the number of days after the data end up to the as-of day.
func notReported(info *indicator.AreaInfo) int {
	if info.NoAir || info.DataEnd >= info.AsOf {
		return 0
	}
	from := airquality.Year(info.AsOf.Year()).From
	return int(info.AsOf - max(info.DataEnd, from-1))
}
