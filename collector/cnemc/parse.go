// Package cnemc reads the CNEMC national hourly air-quality CSV format (one row per station
// and hour: timepoint, stationcode, …, pm2_5, pm10, so2, no2, co, o3 …) from a directory
// of files or from an HTTP URL per hour. Two publications of it are read as they are: the
// live feed of today (time "2026-07-01T1200", missing values empty, "NA" or "/") and the
// public 2022 archive (time "2022-06-01T12:00:00", ozone columns mislabelled); see
// docs/configuration.md, "cnemc_csv".
package cnemc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/collector/csvrec"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/reading"
)

// Layout is which column holds the current 1-h ozone: the two publications disagree.
type Layout uint8

// Layouts.
const (
	// LayoutAuto decides per file: the live feed's time form ("T1200") means LayoutLive,
	// the archive's ("T12:00:00") LayoutArchive; a file with one ozone column uses it.
	LayoutAuto Layout = iota
	// LayoutLive is the live publication: "o3" and "o3_24h" are both the current 1-h
	// ozone (o3_24h may be empty), "o3_8h" the running MDA8.
	LayoutLive
	// LayoutArchive is the HeQinWill/CNEMC archive: "o3_24h" is the current 1-h ozone and
	// "o3" the maximum 1-h of the preceding 24 hours.
	LayoutArchive
)

func (l Layout) String() string {
	switch l {
	case LayoutLive:
		return "live"
	case LayoutArchive:
		return "archive"
	}
	return "auto"
}

// Mapping names the CSV column of each field.
type Mapping struct {
	Time    string
	Station string
	// Columns maps a pollutant code (pm2_5, pm10, so2, no2, co, o3) to its 1-h column. O3
	// is absent unless configured: Layout then picks its column per file.
	Columns map[string]string
	Layout  Layout
}

// Presets of the column mapping.
const (
	// PresetAuto (the default) detects the layout of each file.
	PresetAuto = "auto"
	// PresetCNEMC is the format as CNEMC labels it, as the live feed writes it: o3 is the
	// 1-h ozone.
	PresetCNEMC = "cnemc"
	// PresetArchive is the public HeQinWill/CNEMC archive, whose ozone columns are
	// mislabelled: the 1-h ozone is in "o3_24h" (docs/standards.md, "Data sources").
	PresetArchive = "heqinwill_archive"
)

// Presets lists the preset names, for validation.
var Presets = []string{PresetAuto, PresetCNEMC, PresetArchive}

// Preset returns a preset mapping.
func Preset(name string) (Mapping, error) {
	m := Mapping{Time: "timepoint", Station: "stationcode", Columns: map[string]string{
		"pm2_5": "pm2_5", "pm10": "pm10", "so2": "so2", "no2": "no2", "co": "co"}}
	switch name {
	case PresetAuto, "":
	case PresetCNEMC:
		m.Layout = LayoutLive
	case PresetArchive:
		m.Layout = LayoutArchive
	default:
		return Mapping{}, fmt.Errorf("unknown preset %q (want %s, %s or %s)", name, PresetAuto, PresetCNEMC, PresetArchive)
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
	// Limits bound a record (zero: csvrec's defaults).
	Limits csvrec.Limits

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

// Parse reads one file. Malformed rows become Rejects naming file, line, column and value;
// the rest are returned. Only a missing header column fails the whole file.
func (p *Parser) Parse(r io.Reader, name string) (readings []reading.Reading, rejects []reading.Reject, err error) {
	if l, ok := r.(interface{ Len() int }); ok { // a file in memory: a row is ≥ 40 bytes
		// Capped: the size says how many rows a file can hold, not that it holds them (a
		// line of 20 MB of commas is one refused record).
		readings = make([]reading.Reading, 0, min(l.Len()/40+1, 4096))
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
//
// A cell is a value, missing (empty, "NA", "—", "-": the rest of the station-hour stands)
// or "/" — the station does not monitor that pollutant in that hour, kept as a value
// flagged reading.FlagNotMonitored because the platform's real-time AQI treats it unlike
// a missing value (docs/standards.md, "The real-time AQI when a pollutant is missing"). A
// cell that is none of these is rejected alone, with file, line, column and value.
func (p *Parser) ParseGroups(r io.Reader, name string, group int, emit func([]reading.Reading, []reading.Reject) error) error {
	f := fileParse{Parser: p, name: name, group: group, emit: emit, est: rowsLeft(r)} // before the CSV reader buffers
	cr := csvrec.NewReader(r, p.Limits)
	header, err := cr.Read()
	if err != nil {
		if err == io.EOF {
			return nil // an empty file holds nothing
		}
		return fmt.Errorf("%s: reading header: %w", name, err)
	}
	if err := f.header(header); err != nil {
		return err
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *csvrec.SyntaxError
			if errors.As(err, &se) {
				f.reject(se.Line, "%s", se.Msg)
				continue
			}
			// A record beyond the limits, or a read error: what was read stands, the
			// rest of the file is refused (the caller counts it as bad_file).
			if ferr := f.flush(); ferr != nil {
				return ferr
			}
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := f.row(rec, cr.Line()); err != nil {
			return err
		}
	}
	return f.flush()
}

type colIdx struct {
	code string
	idx  int
	conv airquality.UnitConverter
}

// fileParse is the state of one file being read.
type fileParse struct {
	*Parser
	name    string
	group   int
	emit    func([]reading.Reading, []reading.Reject) error
	est     int // rows the input can still hold
	rows    int
	ti, si  int
	width   int
	cols    []colIdx
	pos     map[string]int
	o3Fixed bool   // the ozone column is configured: no layout to detect
	layout  Layout // resolved at the first row under LayoutAuto
	o3, o3b int    // the 1-h ozone column and the other ozone column the layout is checked against (-1: none)

	readings []reading.Reading
	rejects  []reading.Reject
	lastTime string
	lastEnd  time.Time
	slab     []reading.Value
}

func (f *fileParse) header(header []string) error {
	f.pos = make(map[string]int, len(header))
	for i, h := range header {
		f.pos[strings.TrimPrefix(strings.TrimSpace(h), "\uFEFF")] = i
	}
	var ok1, ok2 bool
	f.ti, ok1 = f.pos[f.Mapping.Time]
	f.si, ok2 = f.pos[f.Mapping.Station]
	if !ok1 || !ok2 {
		return fmt.Errorf("%s:1: %w: want %q and %q", f.name, ErrHeader, f.Mapping.Time, f.Mapping.Station)
	}
	f.o3, f.o3b = -1, -1
	for _, pol := range airquality.Published {
		code := pol.Code()
		c, ok := f.Mapping.Columns[code]
		if !ok {
			if pol == airquality.O3 {
				f.cols = append(f.cols, colIdx{code: code, idx: -1, conv: f.Units[code]}) // resolved by layout
			}
			continue
		}
		i, ok := f.pos[c]
		if !ok {
			return fmt.Errorf("%s:1: %w: %q (for %s)", f.name, ErrHeader, c, code)
		}
		if pol == airquality.O3 {
			f.o3Fixed, f.o3 = true, i
		}
		f.cols = append(f.cols, colIdx{code, i, f.Units[code]})
	}
	f.width = len(header)
	f.layout = f.Mapping.Layout
	if !f.o3Fixed {
		_, hasO3 := f.pos["o3"]
		_, has24 := f.pos["o3_24h"]
		if !hasO3 && !has24 {
			return fmt.Errorf("%s:1: %w: %q or %q (for o3)", f.name, ErrHeader, "o3", "o3_24h")
		}
		if !hasO3 || !has24 { // one ozone column: it is the 1-h ozone in both layouts
			f.layout = LayoutLive
			if !hasO3 {
				f.layout = LayoutArchive
			}
		}
		if f.layout != LayoutAuto {
			f.resolveOzone()
		}
	}
	return nil
}

// resolveOzone points the ozone column at the layout's 1-h ozone.
func (f *fileParse) resolveOzone() {
	one, other := "o3", "o3_24h"
	if f.layout == LayoutArchive {
		one, other = "o3_24h", "o3"
	}
	f.o3 = f.pos[one]
	if i, ok := f.pos[other]; ok {
		f.o3b = i
	}
	for k := range f.cols {
		if f.cols[k].code == "o3" {
			f.cols[k].idx = f.o3
		}
	}
}

func (f *fileParse) reject(line int, format string, args ...any) {
	f.rejects = append(f.rejects, reading.Reject{Reason: "parse_error", Detail: fmt.Sprintf("%s:%d: ", f.name, line) + fmt.Sprintf(format, args...)})
}

func (f *fileParse) flush() error {
	if len(f.readings) == 0 && len(f.rejects) == 0 {
		return nil
	}
	err := f.emit(f.readings, f.rejects)
	f.readings, f.rejects = nil, nil
	return err
}

// cell classifies a CSV cell: a value to parse, missing, or not monitored.
type cell uint8

const (
	cellValue cell = iota
	cellMissing
	cellNotMonitored
)

func classify(raw string) cell {
	switch raw {
	case "", "NA", "—", "-":
		return cellMissing
	case "/":
		return cellNotMonitored
	}
	return cellValue
}

func (f *fileParse) row(rec []string, line int) error {
	if len(rec) != f.width {
		f.reject(line, "%d fields, the header has %d", len(rec), f.width)
		return nil
	}
	station, ok := f.station(rec[f.si])
	if !ok {
		return nil
	}
	ts := rec[f.ti]
	if ts != f.lastTime { // rows of one file share the hour: parse it once
		end, err := f.parseTime(ts)
		if err != nil {
			f.reject(line, "column %q: invalid value %q: %v", f.Mapping.Time, ts, err)
			return nil
		}
		f.lastTime, f.lastEnd = strings.Clone(ts), end
	}
	if f.layout == LayoutAuto {
		// The two publications write the time differently, and that is what tells their
		// ozone columns apart (docs/configuration.md); the check below catches a file
		// whose values contradict the layout chosen.
		f.layout = LayoutLive
		if strings.Contains(ts, ":") {
			f.layout = LayoutArchive
		}
		f.resolveOzone()
	}
	if cap(f.slab)-len(f.slab) < len(f.cols) {
		// Values of many rows share one allocation; each reading's slice is capped so
		// appending to one never reaches the next. Sized from what is left of the input
		// when it is known: a 10-row file must not reserve 256 rows.
		f.slab = make([]reading.Value, 0, max(min(f.est-f.rows, 256), 1)*len(f.cols))
	}
	first := len(f.slab)
	rd := reading.Reading{Kind: reading.Air, Site: strings.Clone(station), End: f.lastEnd}
	for _, c := range f.cols {
		raw := rec[c.idx]
		switch classify(raw) {
		case cellMissing:
			continue
		case cellNotMonitored:
			f.slab = append(f.slab, reading.Value{Code: c.code, Flag: reading.FlagNotMonitored})
			continue
		}
		v, err := fixed.Parse(raw)
		if err != nil {
			f.reject(line, "column %q: invalid value %q: not a decimal number", f.column(c), raw)
			continue
		}
		if c.code == "o3" && f.o3b >= 0 && !f.o3Fixed && !f.ozoneAgrees(v, rec[f.o3b]) {
			f.reject(line, "column %q: value %q disagrees with column %q (%q) in the %s layout, where %s: set cnemc_csv.preset or columns.o3",
				f.column(c), raw, f.otherOzone(), rec[f.o3b], f.layout, f.layoutRule())
			continue
		}
		if v, err = c.conv.Convert(v); err != nil {
			f.reject(line, "column %q: invalid value %q: %v", f.column(c), raw, err)
			continue
		}
		f.slab = append(f.slab, reading.Value{Code: c.code, V: v, Flag: "N"})
	}
	rd.Values = f.slab[first:len(f.slab):len(f.slab)]
	f.rows++
	if len(rd.Values) == 0 {
		return nil
	}
	if f.readings == nil && f.group > 0 {
		f.readings = make([]reading.Reading, 0, max(min(f.group, f.est-f.rows+1), 1))
	}
	f.readings = append(f.readings, rd)
	if f.group > 0 && len(f.readings) >= f.group {
		return f.flush()
	}
	return nil
}

// ozoneAgrees checks the 1-h ozone against the file's other ozone column: equal in the
// live feed, at most the 24-h maximum in the archive. The other cell may be missing.
func (f *fileParse) ozoneAgrees(v fixed.Dec, otherRaw string) bool {
	if classify(otherRaw) != cellValue {
		return true
	}
	o, err := fixed.Parse(otherRaw)
	if err != nil {
		return true // the other column is not read: its own errors are not this row's
	}
	if f.layout == LayoutArchive {
		return v <= o
	}
	return v == o
}

func (f *fileParse) otherOzone() string {
	if f.layout == LayoutArchive {
		return "o3"
	}
	return "o3_24h"
}

func (f *fileParse) layoutRule() string {
	if f.layout == LayoutArchive {
		return `"o3" is the 24-h maximum of "o3_24h"`
	}
	return "both are the 1-h ozone"
}

// column names the CSV column a pollutant was read from.
func (f *fileParse) column(c colIdx) string {
	for name, i := range f.pos {
		if i == c.idx {
			return name
		}
	}
	return c.code
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

// timeLayouts are the forms of the timepoint column: the live feed's compact hour first.
var timeLayouts = []string{"2006-01-02T1504", "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04"}

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
		return time.Time{}, errors.New("want YYYY-MM-DDTHHMM (live feed) or YYYY-MM-DDTHH:MM:SS (archive)")
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
// for generated test and benchmark data. A value flagged not monitored is written "/".
func Write(w io.Writer, rs []reading.Reading) error {
	var b bytes.Buffer
	b.WriteString("timepoint,stationcode,pm2_5,pm10,so2,no2,co,o3\n")
	for _, r := range rs {
		vals := map[string]string{}
		for _, v := range r.Values {
			if v.Flag == reading.FlagNotMonitored {
				vals[v.Code] = "/"
			} else {
				vals[v.Code] = v.V.String()
			}
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
