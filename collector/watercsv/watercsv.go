// Package watercsv is the water_csv source kind: manual or laboratory section results,
// one row per section and sampling time, item columns by short name (mg/L) or HJ 212 code
// (in that code's unit), read from a file or a directory of files.
package watercsv

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/envwatch/envwatch/collector"
	"github.com/envwatch/envwatch/collector/csvrec"
	"github.com/envwatch/envwatch/collector/filetrack"
	"github.com/envwatch/envwatch/config"
	"github.com/envwatch/envwatch/reading"
	"github.com/envwatch/envwatch/waterquality"
)

// Parser reads one file.
type Parser struct {
	Location *time.Location
	Sections map[string]bool // configured sections; others are rejected as unknown sites by the pipeline
}

type col struct {
	idx  int
	item waterquality.Item
	unit string
	flag int // index of "<name>_flag", -1 if none
}

var layouts = []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"}

// Parse reads a water CSV. A missing time/section column or an unknown HJ 212 code fails
// the file; bad cells become rejects naming file, line, column and value.
func (p *Parser) Parse(r io.Reader, name string) (out []reading.Reading, rejects []reading.Reject, err error) {
	err = p.ParseGroups(r, name, 0, func(rs []reading.Reading, rj []reading.Reject) error {
		out = append(out, rs...)
		rejects = append(rejects, rj...)
		return nil
	})
	return out, rejects, err
}

// ParseGroups reads a water CSV and hands its samples and rejects to emit in groups of at
// most group samples (0: the whole file), so that a file of any size is read in bounded
// memory.
func (p *Parser) ParseGroups(r io.Reader, name string, group int, emit func([]reading.Reading, []reading.Reject) error) error {
	cr := csvrec.NewReader(r, csvrec.Limits{})
	header, err := cr.Read()
	if err == io.EOF {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: reading header: %w", name, err)
	}
	header = slices.Clone(header) // Read reuses its slice
	pos := map[string]int{}
	for i, h := range header {
		h = strings.TrimPrefix(strings.TrimSpace(h), "\uFEFF")
		header[i] = h
		pos[h] = i
	}
	ti, ok1 := pos["time"]
	si, ok2 := pos["section"]
	if !ok1 || !ok2 {
		return fmt.Errorf(`%s:1: the header needs "time" and "section" columns`, name)
	}
	var cols []col
	seen := map[waterquality.Item]string{}
	for i, h := range header {
		var c col
		if it, ok := waterquality.ParseItem(h); ok {
			c = col{idx: i, item: it, unit: it.Unit()}
		} else if strings.HasPrefix(h, "w") && len(h) == 6 && !strings.HasSuffix(h, "_flag") {
			code, err := waterquality.LookupCode(h)
			if err != nil {
				return fmt.Errorf("%s:1: column %q: %w", name, h, err)
			}
			c = col{idx: i, item: code.Item, unit: code.Unit}
		} else {
			continue
		}
		if prev, dup := seen[c.item]; dup {
			return fmt.Errorf("%s:1: columns %q and %q are both %s", name, prev, h, c.item.Code())
		}
		seen[c.item] = h
		c.flag = -1
		if fi, ok := pos[h+"_flag"]; ok {
			c.flag = fi
		}
		cols = append(cols, c)
	}
	if len(cols) == 0 {
		return fmt.Errorf("%s:1: the header names no water-quality item", name)
	}
	var out []reading.Reading
	var rejects []reading.Reject
	flush := func() error {
		if len(out) == 0 && len(rejects) == 0 {
			return nil
		}
		err := emit(out, rejects)
		out, rejects = nil, nil
		return err
	}
	reject := func(line int, format string, args ...any) {
		rejects = append(rejects, reading.Reject{Reason: "parse_error", Detail: fmt.Sprintf("%s:%d: ", name, line) + fmt.Sprintf(format, args...)})
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *csvrec.SyntaxError
			if errors.As(err, &se) {
				reject(se.Line, "%s", se.Msg)
				continue
			}
			if ferr := flush(); ferr != nil {
				return ferr
			}
			return fmt.Errorf("%s: %w", name, err)
		}
		line := cr.Line()
		if len(rec) != len(header) {
			reject(line, "%d fields, the header has %d", len(rec), len(header))
			continue
		}
		ts := strings.TrimSpace(rec[ti])
		var when time.Time
		if when, err = time.Parse(time.RFC3339, ts); err != nil {
			for _, l := range layouts {
				if when, err = time.ParseInLocation(l, ts, p.Location); err == nil {
					break
				}
			}
		}
		if err != nil {
			reject(line, `column "time": invalid value %q: want YYYY-MM-DD[ HH:MM] or RFC 3339`, ts)
			continue
		}
		rd := reading.Reading{Kind: reading.Water, Site: strings.TrimSpace(rec[si]), End: when.UTC()}
		for _, c := range cols {
			raw := strings.TrimSpace(rec[c.idx])
			if raw == "" {
				continue
			}
			v, below, err := waterquality.ParseMeasured(raw)
			if err != nil {
				reject(line, "column %q: invalid value %q: %v", header[c.idx], raw, err)
				continue
			}
			v, err = waterquality.ToItemUnit(c.item, c.unit, v)
			if err != nil {
				reject(line, "column %q: %v", header[c.idx], err)
				continue
			}
			flag := "N"
			if below {
				flag = "L" // "0.0003L", "<0.0003", "ND": the value is the detection limit
			}
			if c.flag >= 0 && strings.TrimSpace(rec[c.flag]) != "" {
				flag = strings.TrimSpace(rec[c.flag])
			}
			rd.Values = append(rd.Values, reading.Value{Code: c.item.Code(), V: v, Flag: flag})
		}
		if len(rd.Values) > 0 {
			out = append(out, rd)
			if group > 0 && len(out) >= group {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

// New builds a water_csv source from its configuration.
func New(c config.Source, env collector.Env) (any, error) {
	loc, err := env.Zone(c)
	if err != nil {
		return nil, err
	}
	p := &Parser{Location: loc}
	return &filetrack.Source{Files: &filetrack.Tracker{Dir: c.WaterCSV.Dir, File: c.WaterCSV.File, Ext: ".csv", State: env.State},
		Parse: p.ParseGroups}, nil
}
