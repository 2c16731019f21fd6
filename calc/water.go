package calc

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/waterquality"
)

// WaterOptions configure `envwatch calc water`.
type WaterOptions struct {
	// Period is "", "month", "quarter" or "year": with a period, rows are grouped per
	// section and period and the period values (means, 2020 rounding) are classified.
	Period string
	Rules  waterquality.Rules
}

type waterCol struct {
	idx  int
	item waterquality.Item
	unit string
	flag int // index of "<column>_flag", -1 if none
}

var hj212Code = regexp.MustCompile(`^w\d{5}$`)

// Water reads water samples as CSV and writes their classes.
func Water(r io.Reader, w, errw io.Writer, opt WaterOptions) error {
	switch opt.Period {
	case "", "month", "quarter", "year":
	default:
		return fmt.Errorf("unknown period %q (want month, quarter or year)", opt.Period)
	}
	out := csv.NewWriter(w)
	var cols []waterCol
	var classCols []waterquality.Item
	type group struct {
		section, period string
		body            waterquality.Body
		samples         []waterquality.Sample
		warnings        []string
	}
	groups := map[string]*group{}
	var order []string

	items := waterMatcher()
	other := newMatcher(waterOther)
	idx := map[string]int{} // time, section, body → column
	start := func(t *table) error {
		seen := map[waterquality.Item]string{}
		var errs []string
		for i, h := range t.header {
			if strings.HasSuffix(strings.ToLower(h), "_flag") {
				continue // a flag column, read with its item
			}
			var c waterCol
			if name, _, ok := other.lookup(h); ok {
				if j, dup := idx[name]; dup {
					errs = append(errs, fmt.Sprintf("columns %q and %q are both %s", t.header[j], h, name))
				}
				idx[name] = i
				continue
			} else if code, unit, ok := items.lookup(h); ok {
				it, _ := waterquality.ParseItem(code)
				u, err := waterUnit(it, unit)
				if err != nil {
					errs = append(errs, fmt.Sprintf("column %q: %v", h, err))
					continue
				}
				c = waterCol{idx: i, item: it, unit: u}
			} else if hj212Code.MatchString(h) {
				code, err := waterquality.LookupCode(h)
				if err != nil {
					return fmt.Errorf("line 1: column %q: %w", h, err)
				}
				c = waterCol{idx: i, item: code.Item, unit: code.Unit}
			} else {
				if sug, looks := items.suggest(h); looks {
					errs = append(errs, fmt.Sprintf("column %q not understood; did you mean %q? (docs/calc.md lists the accepted names)", h, sug))
				} else if sug, looks := other.suggest(h); looks {
					errs = append(errs, fmt.Sprintf("column %q not understood; did you mean %q?", h, sug))
				}
				continue
			}
			if prev, dup := seen[c.item]; dup {
				errs = append(errs, fmt.Sprintf("columns %q and %q are both %s", prev, h, c.item.Code()))
				continue
			}
			seen[c.item] = h
			c.flag = -1
			if fi, ok := t.col[h+"_flag"]; ok {
				c.flag = fi
			}
			cols = append(cols, c)
		}
		if len(errs) > 0 {
			return fmt.Errorf("line 1: %s", strings.Join(errs, "; "))
		}
		if _, ok := idx["time"]; !ok {
			return errors.New(`line 1: the header has no time column ("time", "时间", "监测时间" …)`)
		}
		if len(cols) == 0 {
			return errors.New("line 1: the header names no water-quality item")
		}
		for _, it := range append(slices.Clone(waterquality.Evaluated), waterquality.TN) {
			if _, ok := seen[it]; ok {
				classCols = append(classCols, it)
			}
		}
		var h []string
		if opt.Period == "" {
			h = slices.Clone(t.header)
		} else {
			h = []string{"section", "body", "period", "samples"}
			for _, c := range cols {
				h = append(h, c.item.Code())
			}
		}
		for _, it := range classCols {
			h = append(h, "class_"+it.Code())
		}
		return out.Write(append(h, "class", "status", "main_pollutants", "warnings"))
	}

	cell := func(rec []string, name string) string {
		if i, ok := idx[name]; ok {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	row := func(t *table, line int, rec []string) error {
		when, err := parseTime(cell(rec, "time"), airquality.Shanghai)
		if err != nil {
			return fmt.Errorf("column %q: %w", t.header[idx["time"]], err)
		}
		bs := cell(rec, "body")
		body, ok := parseBody(bs)
		if !ok {
			return fmt.Errorf("column \"body\": invalid value %q: want river or lake", bs)
		}
		var s waterquality.Sample
		var warnings []string
		for _, c := range cols {
			raw := strings.TrimSpace(rec[c.idx])
			if raw == "" {
				continue
			}
			d, below, err := waterquality.ParseMeasured(raw)
			if err != nil {
				return fmt.Errorf("column %q: invalid value %q: %v", t.header[c.idx], raw, err)
			}
			// A flag column decides as in the collector: N (or empty) counts, L / ND is
			// below detection, any other flag (D, M, …) leaves the value out.
			if c.flag >= 0 {
				switch f := strings.TrimSpace(rec[c.flag]); {
				case f == "" || f == "N":
				case waterquality.IsBelowFlag(f):
					below = true
				default:
					continue
				}
			}
			if d < 0 && c.item != waterquality.Temp {
				return fmt.Errorf("column %q: invalid value %q: negative", t.header[c.idx], raw)
			}
			v, err := waterquality.ToItemUnit(c.item, c.unit, d)
			if err != nil {
				return fmt.Errorf("column %q: %w", t.header[c.idx], err)
			}
			if c.item == waterquality.PH && v > fixed.Int(14) {
				return fmt.Errorf("column %q: invalid value %q: pH is 0–14", t.header[c.idx], raw)
			}
			if msg := implausibleWater(c.item, v); msg != "" {
				warnings = append(warnings, msg)
				fmt.Fprintf(errw, "line %d: column %q: warning: %s\n", line, t.header[c.idx], msg)
			}
			if below {
				s.SetBelow(c.item, v)
			} else {
				s.Set(c.item, v)
			}
		}
		if opt.Period == "" {
			e := waterquality.Evaluate(&s, body, opt.Rules)
			return out.Write(append(append(slices.Clone(rec), waterResult(&e, classCols, body)...), strings.Join(warnings, "; ")))
		}
		waterquality.Substitute(&s, opt.Rules.BelowDetection)
		sec := cell(rec, "section")
		p := periodLabel(when, opt.Period)
		key := sec + "\x00" + p
		g := groups[key]
		if g == nil {
			g = &group{section: sec, period: p, body: body}
			groups[key] = g
			order = append(order, key)
		} else if g.body != body {
			return fmt.Errorf("column \"body\": section %q is %s on an earlier line", sec, g.body)
		}
		g.samples = append(g.samples, s)
		g.warnings = append(g.warnings, warnings...)
		return nil
	}
	_, err := readTable(r, errw, row, start)
	for _, k := range order {
		g := groups[k]
		pv := waterquality.PeriodValue(g.samples)
		e := waterquality.Evaluate(&pv, g.body, opt.Rules)
		rec := []string{g.section, g.body.String(), g.period, strconv.Itoa(len(g.samples))}
		for _, c := range cols {
			if v, ok := pv.Get(c.item); ok {
				rec = append(rec, v.String())
			} else {
				rec = append(rec, "")
			}
		}
		if werr := out.Write(append(append(rec, waterResult(&e, classCols, g.body)...), strings.Join(g.warnings, "; "))); werr != nil && err == nil {
			err = werr
		}
	}
	out.Flush()
	if ferr := out.Error(); ferr != nil && err == nil {
		err = ferr
	}
	return err
}

func waterResult(e *waterquality.Evaluation, classCols []waterquality.Item, body waterquality.Body) []string {
	var rec []string
	for _, it := range classCols {
		if it == waterquality.TN && body != waterquality.Lake {
			rec = append(rec, "") // TN is classified for lakes and reservoirs only
			continue
		}
		rec = append(rec, e.ItemClass[it].String())
	}
	var main []string
	for _, m := range e.Main {
		main = append(main, m.Item.Code()+":"+m.MultipleString())
	}
	return append(rec, e.Class.String(), e.Class.Status(), strings.Join(main, ";"))
}

func periodLabel(t time.Time, period string) string {
	// A sampling date is a calendar date in Asia/Shanghai.
	t = t.In(airquality.Shanghai)
	switch period {
	case "month":
		return t.Format("2006-01")
	case "quarter":
		return fmt.Sprintf("%d-Q%d", t.Year(), (int(t.Month())+2)/3)
	default:
		return strconv.Itoa(t.Year())
	}
}

// waterMatcher knows every item by its code, its Chinese name and the names of
// waterAliases.
func waterMatcher() *matcher {
	m := &matcher{byKey: map[string]string{}}
	for it := waterquality.Item(0); it < waterquality.NumItems; it++ {
		m.add(it.Code(), append([]string{it.Name()}, waterAliases[it]...)...)
	}
	return m
}

// waterUnit reads a unit written in a header for an item: its own unit, or µg/L for a
// mg/L item (converted exactly).
func waterUnit(it waterquality.Item, unit string) (string, error) {
	u := squashUnit(unit)
	switch {
	case u == "":
		return it.Unit(), nil
	case u == "mg/l" || u == "毫克/升":
		if it.Unit() == "mg/L" {
			return "mg/L", nil
		}
	case u == "µg/l" || u == "ug/l" || u == "微克/升":
		if it.Unit() == "mg/L" {
			return "µg/L", nil
		}
	case u == "个/l":
		if it == waterquality.FC {
			return it.Unit(), nil
		}
	case u == "℃" || u == "°c":
		if it == waterquality.Temp {
			return it.Unit(), nil
		}
	case u == "无量纲":
		if it == waterquality.PH {
			return it.Unit(), nil
		}
	}
	want := it.Unit()
	if want == "" {
		want = "no unit"
	}
	return "", fmt.Errorf("unit %q not understood for %s (%s)", unit, it.Code(), want)
}

// parseBody reads the water body, in English or Chinese (empty: river).
func parseBody(s string) (waterquality.Body, bool) {
	switch strings.TrimSpace(s) {
	case "河流", "河":
		return waterquality.River, true
	case "湖泊", "水库", "湖库", "湖":
		return waterquality.Lake, true
	}
	return waterquality.ParseBody(s)
}

// waterLimits are values beyond which a sample is computed but flagged: no surface water
// the standard applies to holds this much (mg/L; a unit slip — µg/L typed as mg/L — is the
// usual cause).
var waterLimits = map[waterquality.Item]string{
	waterquality.DO: "20", waterquality.CODMn: "200", waterquality.COD: "1000", waterquality.BOD5: "500",
	waterquality.NH3N: "100", waterquality.TP: "50", waterquality.TN: "200", waterquality.Hg: "0.1",
	waterquality.Cd: "1", waterquality.Pb: "5", waterquality.As: "5", waterquality.Cr6: "5", waterquality.Se: "5",
	waterquality.Temp: "45",
}

// implausibleWater says why a value is implausible ("" when it is not).
func implausibleWater(it waterquality.Item, v fixed.Dec) string {
	if it == waterquality.PH && (v < fixed.Int(4) || v > fixed.Int(11)) {
		return fmt.Sprintf("pH %s is outside anything surface water holds (4–11)", v)
	}
	lim, ok := waterLimits[it]
	if !ok {
		return ""
	}
	l, _ := fixed.Parse(lim)
	if v > l {
		return fmt.Sprintf("%s %s %s is above anything surface water holds (%s): was it in µg/L?", it.Code(), v, it.Unit(), lim)
	}
	return ""
}
