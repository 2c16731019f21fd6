// Package cnemc reads the CNEMC national hourly air-quality CSV format (one row per station
// and hour: timepoint, stationcode, …, pm2_5, pm10, so2, no2, co, o3 …) from a directory
// of files or from an HTTP URL per hour.
package cnemc

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/reading"
)

// Mapping names the CSV column of each field.
type Mapping struct {
	Time    string
	Station string
	// Columns maps a pollutant code (pm2_5, pm10, so2, no2, co, o3) to its 1-h column.
	Columns map[string]string
}

// Presets of the column mapping.
const (
	// PresetCNEMC is the format as CNEMC labels it: o3 is the 1-h ozone.
	PresetCNEMC = "cnemc"
	// PresetArchive is the public HeQinWill/CNEMC archive, whose ozone columns are
	// mislabelled: the 1-h ozone is in "o3_24h" (docs/standards.md, "Data sources").
	PresetArchive = "heqinwill_archive"
)

// Preset returns a preset mapping.
func Preset(name string) (Mapping, error) {
	m := Mapping{Time: "timepoint", Station: "stationcode", Columns: map[string]string{
		"pm2_5": "pm2_5", "pm10": "pm10", "so2": "so2", "no2": "no2", "co": "co", "o3": "o3"}}
	switch name {
	case PresetCNEMC, "":
	case PresetArchive:
		m.Columns["o3"] = "o3_24h"
	default:
		return Mapping{}, fmt.Errorf("unknown preset %q (want %s or %s)", name, PresetCNEMC, PresetArchive)
	}
	return m, nil
}

// Parser turns CNEMC CSV into readings.
type Parser struct {
	Mapping Mapping
	// Location is the zone of the timepoint column (CNEMC: Asia/Shanghai, no offset).
	Location *time.Location
	// HourStart is set when the source labels hours by their start; CNEMC labels by end.
	HourStart bool
	// Stations, when not nil, restricts the output to these codes: a national file holds
	// ~1,900 stations and only the configured ones are wanted (others are not errors).
	Stations map[string]bool
	// Units converts columns sent in another unit than CNEMC's (µg/m³; CO mg/m³), keyed
	// by pollutant code.
	Units map[string]airquality.UnitConverter

	foldOnce sync.Once
	folded   map[string]string // upper-case code → configured code
}

// station returns the configured code a row's station code stands for: exact, or after
// trimming and in any case ("1812a " is 1812A — such rows were once dropped unseen). A code
// that is not configured is skipped when Stations is set (a national file names ~1,900).
func (p *Parser) station(code string) (string, bool) {
	if p.Stations == nil {
		return strings.TrimSpace(code), true
	}
	if p.Stations[code] {
		return code, true
	}
	p.foldOnce.Do(func() {
		p.folded = make(map[string]string, len(p.Stations))
		for c := range p.Stations {
			p.folded[strings.ToUpper(c)] = c
		}
	})
	c, ok := p.folded[strings.ToUpper(strings.TrimSpace(code))]
	return c, ok
}

// ErrHeader reports a header that lacks a mapped column.
var ErrHeader = errors.New("CSV header lacks a mapped column")

type colIdx struct {
	code string
	idx  int
	conv airquality.UnitConverter
}

// Parse reads one file. Malformed rows become Rejects naming file, line, column and value;
// the rest are returned. Only a missing header column fails the whole file.
func (p *Parser) Parse(r io.Reader, name string) (readings []reading.Reading, rejects []reading.Reject, err error) {
	if l, ok := r.(interface{ Len() int }); ok { // a file in memory: a row is ≥ 40 bytes
		readings = make([]reading.Reading, 0, l.Len()/40+1)
	}
	err = p.ParseGroups(r, name, 0, func(rs []reading.Reading, rj []reading.Reject) error {
		readings = append(readings, rs...)
		rejects = append(rejects, rj...)
		return nil
	})
	return readings, rejects, err
}

// ParseGroups reads one file and hands its readings and rejects to emit in groups of at
// most group readings (0: the whole file at once), so that a file of any size is read in
// bounded memory. Each group is newly allocated: emit may keep it.
func (p *Parser) ParseGroups(r io.Reader, name string, group int, emit func([]reading.Reading, []reading.Reject) error) error {
	var readings []reading.Reading
	var rejects []reading.Reject
	est := rowsLeft(r) // before the CSV reader buffers: the whole input is still unread
	rows := 0
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		if err == io.EOF {
			return nil // an empty file holds nothing
		}
		return fmt.Errorf("%s: reading header: %w", name, err)
	}
	pos := map[string]int{}
	for i, h := range header {
		pos[strings.TrimPrefix(strings.TrimSpace(h), "\uFEFF")] = i
	}
	ti, ok1 := pos[p.Mapping.Time]
	si, ok2 := pos[p.Mapping.Station]
	if !ok1 || !ok2 {
		return fmt.Errorf("%s:1: %w: want %q and %q", name, ErrHeader, p.Mapping.Time, p.Mapping.Station)
	}
	var cols []colIdx
	for _, pol := range airquality.Published {
		code := pol.Code()
		c, ok := p.Mapping.Columns[code]
		if !ok {
			continue
		}
		i, ok := pos[c]
		if !ok {
			return fmt.Errorf("%s:1: %w: %q (for %s)", name, ErrHeader, c, code)
		}
		cols = append(cols, colIdx{code, i, p.Units[code]})
	}
	width := len(header)
	reject := func(line int, format string, args ...any) {
		rejects = append(rejects, reading.Reject{Reason: "parse_error", Detail: fmt.Sprintf("%s:%d: ", name, line) + fmt.Sprintf(format, args...)})
	}
	var lastTime string
	var lastEnd time.Time
	var slab []reading.Value
	flush := func() error {
		if len(readings) == 0 && len(rejects) == 0 {
			return nil
		}
		err := emit(readings, rejects)
		readings, rejects = nil, nil
		return err
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				reject(pe.StartLine, "%v", pe.Err)
				continue
			}
			if ferr := flush(); ferr != nil {
				return ferr
			}
			return fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0) // only after a successful Read: it panics otherwise
		if len(rec) != width {
			reject(line, "%d fields, the header has %d", len(rec), width)
			continue
		}
		station, ok := p.station(rec[si])
		if !ok {
			continue
		}
		ts := rec[ti]
		if ts != lastTime { // rows of one file share the hour: parse it once
			end, err := p.parseTime(ts)
			if err != nil {
				reject(line, "column %q: invalid value %q: %v", p.Mapping.Time, ts, err)
				continue
			}
			lastTime, lastEnd = strings.Clone(ts), end
		}
		if cap(slab)-len(slab) < len(cols) {
			// Values of many rows share one allocation; each reading's slice is capped
			// so appending to one never reaches the next. Sized from what is left of the
			// input when it is known: a 10-row file must not reserve 256 rows.
			slab = make([]reading.Value, 0, max(min(est-rows, 256), 1)*len(cols))
		}
		first := len(slab)
		rd := reading.Reading{Kind: reading.Air, Site: strings.Clone(station), End: lastEnd}
		for _, c := range cols {
			raw := rec[c.idx]
			if raw == "" || raw == "—" || raw == "-" {
				continue // not published
			}
			v, err := fixed.Parse(raw)
			if err != nil {
				reject(line, "column %q: invalid value %q: not a decimal number", p.Mapping.Columns[c.code], raw)
				continue
			}
			if v, err = c.conv.Convert(v); err != nil {
				reject(line, "column %q: invalid value %q: %v", p.Mapping.Columns[c.code], raw, err)
				continue
			}
			slab = append(slab, reading.Value{Code: c.code, V: v, Flag: "N"})
		}
		rd.Values = slab[first:len(slab):len(slab)]
		rows++
		if len(rd.Values) > 0 {
			if readings == nil && group > 0 {
				readings = make([]reading.Reading, 0, max(min(group, est-rows+1), 1))
			}
			readings = append(readings, rd)
			if group > 0 && len(readings) >= group {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

// rowsLeft estimates the rows of an input whose size is known (a CNEMC row is at least
// 40 bytes), else 1<<20. Buffers are sized from it: a 10-row file must not reserve room
// for 256 rows of values, nor a group's 10,000 readings.
func rowsLeft(r io.Reader) int {
	switch x := r.(type) {
	case *io.LimitedReader:
		return int(x.N/40) + 1
	case interface{ Len() int }:
		return x.Len()/40 + 1
	}
	return 1 << 20
}

var timeLayouts = []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04"}

func (p *Parser) parseTime(s string) (time.Time, error) {
	var t time.Time
	var err error
	if t, err = time.Parse(time.RFC3339, s); err != nil {
		for _, l := range timeLayouts {
			if t, err = time.ParseInLocation(l, s, p.Location); err == nil {
				break
			}
		}
	}
	if err != nil {
		return time.Time{}, errors.New("want YYYY-MM-DDTHH:MM:SS")
	}
	if t.Minute() != 0 || t.Second() != 0 {
		return time.Time{}, errors.New("not on a whole hour")
	}
	if p.HourStart {
		t = airquality.HourEndFromStart(t)
	}
	return t.UTC(), nil
}

// Write encodes readings in the CNEMC format (CNEMC labels, hour-ending, Asia/Shanghai),
// for generated test and benchmark data.
func Write(w io.Writer, rs []reading.Reading) error {
	var b bytes.Buffer
	b.WriteString("timepoint,stationcode,pm2_5,pm10,so2,no2,co,o3\n")
	for _, r := range rs {
		vals := map[string]string{}
		for _, v := range r.Values {
			vals[v.Code] = v.V.String()
		}
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s,%s,%s\n", r.End.In(airquality.Shanghai).Format("2006-01-02T15:04:05"), r.Site,
			vals["pm2_5"], vals["pm10"], vals["so2"], vals["no2"], vals["co"], vals["o3"])
	}
	_, err := w.Write(b.Bytes())
	return err
}

// WriteArchive writes readings as one CNEMC file per hour in the layout of the public
// archive, DIR/YYYY-MM-DD/YYYY-MM-DDTHH.csv (Beijing time of the hour's end label).
func WriteArchive(dir string, rs []reading.Reading) error {
	byHour := map[time.Time][]reading.Reading{}
	var hours []time.Time
	for _, r := range rs {
		if _, ok := byHour[r.End]; !ok {
			hours = append(hours, r.End)
		}
		byHour[r.End] = append(byHour[r.End], r)
	}
	for _, h := range hours {
		local := h.In(airquality.Shanghai)
		d := filepath.Join(dir, local.Format("2006-01-02"))
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		f, err := os.Create(filepath.Join(d, local.Format("2006-01-02T15")+".csv"))
		if err != nil {
			return err
		}
		if err := Write(f, byHour[h]); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}
