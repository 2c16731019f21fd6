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
	}
	groups := map[string]*group{}
	var order []string

	start := func(t *table) error {
		if _, ok := t.col["time"]; !ok {
			return errors.New(`line 1: the header has no "time" column`)
		}
		seen := map[waterquality.Item]string{}
		for i, h := range t.header {
			var c waterCol
			if it, ok := waterquality.ParseItem(h); ok {
				c = waterCol{idx: i, item: it, unit: it.Unit()}
			} else if hj212Code.MatchString(h) {
				code, err := waterquality.LookupCode(h)
				if err != nil {
					return fmt.Errorf("line 1: column %q: %w", h, err)
				}
				c = waterCol{idx: i, item: code.Item, unit: code.Unit}
			} else {
				continue
			}
			if prev, dup := seen[c.item]; dup {
				return fmt.Errorf("line 1: columns %q and %q are both %s", prev, h, c.item.Code())
			}
			seen[c.item] = h
			c.flag = -1
			if fi, ok := t.col[h+"_flag"]; ok {
				c.flag = fi
			}
			cols = append(cols, c)
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
		return out.Write(append(h, "class", "status", "main_pollutants"))
	}

	row := func(t *table, line int, rec []string) error {
		ts, _ := t.get(rec, "time")
		when, err := parseTime(ts, airquality.Shanghai)
		if err != nil {
			return err
		}
		bs, _ := t.get(rec, "body")
		body, ok := waterquality.ParseBody(bs)
		if !ok {
			return fmt.Errorf("column \"body\": invalid value %q: want river or lake", bs)
		}
		var s waterquality.Sample
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
			if below {
				s.SetBelow(c.item, v)
			} else {
				s.Set(c.item, v)
			}
		}
		if opt.Period == "" {
			e := waterquality.Evaluate(&s, body, opt.Rules)
			return out.Write(append(slices.Clone(rec), waterResult(&e, classCols, body)...))
		}
		waterquality.Substitute(&s, opt.Rules.BelowDetection)
		sec, _ := t.get(rec, "section")
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
		if werr := out.Write(append(rec, waterResult(&e, classCols, g.body)...)); werr != nil && err == nil {
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
