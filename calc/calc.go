// Package calc holds the CSV calculators behind `envwatch calc`: analysts and scripts
// pipe a table of concentrations or water samples in and get the official indicators
// out. Bad rows are reported with their line and skipped; the rest are still computed.
package calc

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/envwatch/envwatch/collector/csvrec"
)

// ErrBadRows is returned when at least one row was rejected.
var ErrBadRows = errors.New("some rows were rejected")

// table reads a CSV with a header and hands each data row to fn with its line number.
type table struct {
	header []string
	col    map[string]int
}

func readTable(r io.Reader, errw io.Writer, fn func(t *table, line int, rec []string) error, start func(t *table) error) (bad int, err error) {
	cr := csvrec.NewReader(r, csvrec.Limits{})
	header, err := cr.Read()
	if err == io.EOF {
		return 0, errors.New("input is empty: a header line is required")
	}
	if err != nil {
		return 0, fmt.Errorf("reading header: %w", err)
	}
	header = slices.Clone(header) // Read reuses its slice
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\uFEFF") // spreadsheet exports add a BOM
	}
	t := &table{header: header, col: map[string]int{}}
	for i, h := range header {
		h = strings.TrimSpace(h)
		header[i] = h
		if _, dup := t.col[h]; dup {
			return 0, fmt.Errorf("line 1: column %q appears twice", h)
		}
		t.col[h] = i
	}
	if err := start(t); err != nil {
		return 0, err
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *csvrec.SyntaxError
			if errors.As(err, &se) {
				fmt.Fprintf(errw, "%v\n", se)
				bad++
				continue
			}
			return bad, err
		}
		rec = slices.Clone(rec) // rows may be kept
		line := cr.Line()
		if len(rec) != len(header) {
			fmt.Fprintf(errw, "line %d: %d fields, the header has %d\n", line, len(rec), len(header))
			bad++
			continue
		}
		if err := fn(t, line, rec); err != nil {
			fmt.Fprintf(errw, "line %d: %v\n", line, err)
			bad++
		}
	}
	if bad > 0 {
		return bad, ErrBadRows
	}
	return 0, nil
}

var timeLayouts = []string{
	"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02",
	// Excel's defaults on Chinese Windows and what clerks type.
	"2006/1/2 15:04", "2006/1/2 15:04:05", "2006/1/2", "2006-1-2 15:04", "2006-1-2 15:04:05", "2006-1-2",
	"2006年1月2日 15时", "2006年1月2日15时", "2006年1月2日 15:04", "2006年1月2日",
}

// parseTime reads RFC 3339 or a local time without offset, which is Asia/Shanghai; an
// hour written "24:00" (or 24时) is the end of the day, 00:00 of the next.
func parseTime(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	next := false
	for _, h := range []string{" 24:00:00", "T24:00:00", " 24:00", "T24:00", " 24时", "24时"} {
		if strings.HasSuffix(s, h) {
			s, next = strings.TrimSuffix(s, h), true
			break
		}
	}
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			if next {
				if t.Hour() != 0 || t.Minute() != 0 {
					break
				}
				t = t.AddDate(0, 0, 1)
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid time %q: want RFC 3339, YYYY-MM-DD HH:MM or YYYY/M/D HH:MM (Asia/Shanghai; 24:00 ends the day)", s)
}
