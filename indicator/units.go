package indicator

import (
	"math/big"
	"sort"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/assessment"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/waterquality"
)

// Children lists the direct children of an area (its assessed units), in configuration order.
func (c *Calculator) Children(area string) []Area {
	var out []Area
	for _, id := range c.areaTree().Children(area) {
		for _, a := range c.Areas {
			if a.ID == id {
				out = append(out, a)
				break
			}
		}
	}
	return out
}

// UnitAreas are the units of an assessment: the area's children, or every area of
// spec.UnitKind below it.
func (c *Calculator) UnitAreas(spec *AssessSpec) []Area {
	if spec.UnitKind == "" {
		return c.Children(spec.Area)
	}
	var out []Area
	for _, a := range c.Areas {
		if a.Kind == spec.UnitKind && a.ID != spec.Area && c.within(a.ID, spec.Area) {
			out = append(out, a)
		}
	}
	return out
}

func statValue(s airquality.Stat, p airquality.Pollutant) assessment.Value {
	if s.Value == nil {
		return assessment.Value{Reason: string(s.Reason)}
	}
	return assessment.Value{Num: s.Rounded(p).Rat(), Valid: s.OK(), Reason: string(s.Reason)}
}

func ratValue(r *big.Rat, places int, valid bool, reason string) assessment.Value {
	if r == nil {
		return assessment.Value{Reason: reason}
	}
	return assessment.Value{Num: fixed.RoundRat(r, places), Valid: valid, Reason: reason}
}

// unitValues are one unit's factors over r: HJ 663 city rules over the unit's own
// assessment stations, GB 3838 over its own sections.
func (c *Calculator) unitValues(unit string, r airquality.Range) map[assessment.Factor]assessment.Value {
	opt := c.Opt.Period
	opt.SandDust = c.Opt.SandDust[unit]
	days := c.Air.AreaDays(unit, r)
	ps := airquality.Assess(days, r, opt)
	optW := opt
	optW.Composite = airquality.Composite2026Weighted
	psW := airquality.Assess(days, r, optW)
	daysOK := ps.DaysReason == airquality.Valid && ps.ValidDays > 0
	v := map[assessment.Factor]assessment.Value{
		assessment.PM25:              statValue(ps.Mean[airquality.PM25], airquality.PM25),
		assessment.PM10:              statValue(ps.Mean[airquality.PM10], airquality.PM10),
		assessment.O3P90:             statValue(ps.Percentile[airquality.O3], airquality.O3),
		assessment.Composite:         ratValue(ps.Composite.Value, 2, ps.Composite.OK(), string(ps.Composite.Reason)),
		assessment.CompositeWeighted: ratValue(psW.Composite.Value, 2, psW.Composite.OK(), string(psW.Composite.Reason)),
		assessment.GoodDayRatio:      ratValue(ps.GoodRatio, 1, daysOK, string(ps.DaysReason)),
	}
	// Water: the unit's own sections (and its children's), classified over r.
	from, to := r.From.Start(), (r.To + 1).Start()
	n, ok, good := 0, 0, 0
	for _, s := range c.Sites {
		if s.Source || !c.within(s.Area, unit) {
			continue
		}
		res := c.evaluateSite(s, from, to)
		if res.Samples == 0 || res.Class == waterquality.Unclassified {
			continue
		}
		n++
		if res.Compliant {
			ok++
		}
		if res.Class <= waterquality.ClassIII {
			good++
		}
	}
	if n > 0 {
		v[assessment.SectionsCompliance] = ratValue(big.NewRat(int64(100*ok), int64(n)), 1, true, "")
		v[assessment.SectionsGoodShare] = ratValue(big.NewRat(int64(100*good), int64(n)), 1, true, "")
	} else {
		v[assessment.SectionsCompliance] = assessment.Value{Reason: "no section with samples"}
		v[assessment.SectionsGoodShare] = assessment.Value{Reason: "no section with samples"}
	}
	return v
}

// yoyValue is the change in percent of a published value against last year's (R13).
func (c *Calculator) yoyValue(cur, prev assessment.Value) assessment.Value {
	switch {
	case !cur.Valid || cur.Num == nil:
		return assessment.Value{Reason: "this period is not valid: " + cur.Reason}
	case !prev.Valid || prev.Num == nil:
		return assessment.Value{Reason: "the same period last year is not valid: " + prev.Reason}
	case prev.Num.Sign() == 0:
		return assessment.Value{Reason: "last year's value is 0"}
	}
	d := new(big.Rat).Sub(cur.Num, prev.Num)
	d.Mul(d, big.NewRat(100, 1)).Quo(d, prev.Num)
	return assessment.Value{Num: fixed.RoundRat(d, c.yoyPlaces()), Valid: true}
}

// Units are an area's children with their values over r, the same period last year, the
// YoY change rates, and their targets of r's year.
func (c *Calculator) Units(spec *AssessSpec, r airquality.Range) []assessment.Unit {
	var out []assessment.Unit
	last := r.SamePeriodLastYear()
	for _, a := range c.UnitAreas(spec) {
		cur, prev := c.unitValues(a.ID, r), c.unitValues(a.ID, last)
		cur[assessment.CompositeYoY] = c.yoyValue(cur[assessment.Composite], prev[assessment.Composite])
		cur[assessment.PM25YoY] = c.yoyValue(cur[assessment.PM25], prev[assessment.PM25])
		cur[assessment.PM10YoY] = c.yoyValue(cur[assessment.PM10], prev[assessment.PM10])
		u := assessment.Unit{ID: a.ID, Name: a.Name, Values: cur, LastYear: prev, Targets: map[assessment.Factor]*big.Rat{}}
		if spec := c.spec(a.ID, r.To.Year()); spec != nil {
			for f, d := range map[assessment.Factor]*fixed.Dec{assessment.PM25: spec.PM25, assessment.PM10: spec.PM10,
				assessment.GoodDayRatio: spec.GoodDayRatio, assessment.Composite: spec.Composite, assessment.SectionsCompliance: spec.SectionsCompliance} {
				if d != nil {
					u.Targets[f] = d.Rat()
				}
			}
		}
		out = append(out, u)
	}
	return out
}

// SectionUnits are the sections of an area (each with the unit it lies in) as units of a
// sections scheme: the period mean of an item against its target-class limit.
func (c *Calculator) SectionUnits(area string, r airquality.Range, item waterquality.Item) (units []assessment.Unit, unitOf map[string]string) {
	unitOf = map[string]string{}
	children := c.Children(area)
	from, to := r.From.Start(), (r.To + 1).Start()
	f := assessment.Factor(item.Code())
	for _, s := range c.Sites {
		if s.Source || !c.within(s.Area, area) {
			continue
		}
		for _, ch := range children {
			if c.within(s.Area, ch.ID) {
				unitOf[s.Code] = ch.ID
			}
		}
		name := s.Name
		if name == "" {
			name = s.Code
		}
		u := assessment.Unit{ID: s.Code, Name: name, Values: map[assessment.Factor]assessment.Value{}, Targets: map[assessment.Factor]*big.Rat{}}
		if lim, ok := waterquality.Limit(item, s.Body, s.Target); ok {
			u.Targets[f] = lim.Rat()
		}
		samples := c.Water.WaterSamples(s.Code, from, to)
		for i := range samples {
			waterquality.Substitute(&samples[i], c.Opt.Water.BelowDetection)
		}
		pv := waterquality.PeriodValue(samples)
		if v, ok := pv.Get(item); ok {
			u.Values[f] = assessment.Value{Num: v.Rat(), Valid: true}
		} else {
			u.Values[f] = assessment.Value{Reason: "no sample of " + item.Code() + " in the period"}
		}
		units = append(units, u)
	}
	sort.SliceStable(units, func(i, j int) bool { return unitOf[units[i].ID] < unitOf[units[j].ID] })
	return units, unitOf
}

// periodRange is a scheme's period ending with the month (to asOf when the month runs).
func periodRange(kind string, year int, month time.Month, asOf airquality.Day) airquality.Range {
	m := airquality.Month(year, month)
	to := min(m.To, asOf)
	switch kind {
	case "quarter":
		q := time.Month((int(month)-1)/3*3 + 1)
		return airquality.Range{From: airquality.Month(year, q).From, To: to}
	case "year_to_date":
		return airquality.Range{From: airquality.Year(year).From, To: to}
	}
	return airquality.Range{From: m.From, To: to}
}
