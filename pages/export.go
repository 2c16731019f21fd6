package pages

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// writeCSV writes a table with its header row in the page's language.
func writeCSV(w io.Writer, t Table) error {
	// A byte-order mark: Excel on Chinese Windows reads a CSV without one as GBK.
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	_ = cw.Write(t.Head)
	for _, row := range t.Rows {
		rec := make([]string, len(row))
		for i, c := range row {
			rec[i] = cellText(c)
		}
		_ = cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

// cellText is a cell as exported: its direction note (≤, ≥) before it, as on the page.
func cellText(c Cell) string {
	if c.Note != "" {
		return c.Note + " " + c.Text
	}
	return c.Text
}

// writeXLSX writes every table of a page as a sheet. Figures become numbers shown with
// their published decimals ("35.0" stays 35.0), so that a sheet can be summed and still
// reads as the page does.
func writeXLSX(w io.Writer, p *Page) error {
	f := excelize.NewFile()
	defer f.Close()
	styles := map[int]int{}
	style := func(decimals int) (int, error) {
		if id, ok := styles[decimals]; ok {
			return id, nil
		}
		format := "0"
		if decimals > 0 {
			format += "." + strings.Repeat("0", decimals)
		}
		id, err := f.NewStyle(&excelize.Style{CustomNumFmt: &format})
		styles[decimals] = id
		return id, err
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"EEF2F7"}, Pattern: 1}})
	if err != nil {
		return err
	}
	used := map[string]bool{}
	for i, t := range p.tables() {
		if len(t.Rows) == 0 {
			continue
		}
		name := sheetName(t, i, used)
		if len(used) == 1 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		for c, h := range t.Head {
			cell, _ := excelize.CoordinatesToCellName(c+1, 1)
			f.SetCellStr(name, cell, h)
			f.SetCellStyle(name, cell, cell, head)
		}
		for r, row := range t.Rows {
			for c, v := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+2)
				if x, dec, ok := number(v); ok {
					if err := f.SetCellFloat(name, cell, x, dec, 64); err != nil {
						return err
					}
					id, err := style(dec)
					if err != nil {
						return err
					}
					f.SetCellStyle(name, cell, cell, id)
					continue
				}
				f.SetCellStr(name, cell, cellText(v))
			}
		}
	}
	if len(used) == 0 {
		return fmt.Errorf("the %s page has no table to export", p.Kind)
	}
	return f.Write(w)
}

// number is a figure cell as a number with its decimals; text stays text.
func number(c Cell) (float64, int, bool) {
	if !c.Num || c.Missing || c.Note != "" {
		return 0, 0, false
	}
	x, err := strconv.ParseFloat(c.Text, 64)
	if err != nil {
		return 0, 0, false
	}
	dec := 0
	if i := strings.IndexByte(c.Text, '.'); i >= 0 {
		dec = len(c.Text) - i - 1
	}
	return x, dec, true
}

// sheetName is a table's title cut to Excel's 31 characters and made unique.
func sheetName(t Table, i int, used map[string]bool) string {
	r := []rune(strings.NewReplacer("/", "-", "\\", "-", "?", "", "*", "", "[", "(", "]", ")", ":", "-").Replace(t.Title))
	if len(r) > 28 {
		r = r[:28]
	}
	name := string(r)
	if name == "" || used[name] {
		name = fmt.Sprintf("%s %d", name, i+1)
	}
	used[name] = true
	return name
}
