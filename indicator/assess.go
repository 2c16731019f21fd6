package indicator

import (
	"math/big"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/assessment"
	"github.com/envwatch/envwatch/waterquality"
)

// AssessSpec is an area's monthly assessment of its units (configuration).
type AssessSpec struct {
	Area string
	// UnitKind, when set, makes every area of that kind below Area a unit (a country ranks
	// its cities, not its provinces); otherwise the units are Area's children.
	UnitKind string
	RankBy   []assessment.Factor
	Schemes  []SchemeSpec
}

// SchemeSpec is a scheme with what the configuration adds around it.
type SchemeSpec struct {
	assessment.Scheme
	Period     string // month, quarter, year_to_date
	Sections   bool   // each section of the area against its target class
	MoneyUnit  string
	AlertAbove *big.Rat
}

// Ranking is the units' order by one factor.
type Ranking struct {
	Factor assessment.Factor
	Rows   []assessment.Ranked
}

// SchemeResult is one scheme applied to its period.
type SchemeResult struct {
	Spec    *SchemeSpec
	Range   airquality.Range
	Outcome assessment.Outcome
	// UnitOf maps a section to its unit (sections schemes); amounts add up per unit.
	UnitOf map[string]string
}

// UnitTotal is what a unit pays (> 0) or receives (< 0) over every scheme, by money unit.
type UnitTotal struct {
	Unit, Name string
	Net        map[string]*big.Rat
}

// Assessment is an area's month: its units' rankings and compensation.
type Assessment struct {
	Area        string
	Year        int
	Month       time.Month
	Range       airquality.Range // the month (to the as-of day while it runs)
	Provisional bool             // the month is not over: figures will change
	// Custom is set for a ranking over days of the caller's choosing (AssessRange): no
	// month, no eco-compensation.
	Custom   bool
	Units    []assessment.Unit
	Rankings []Ranking
	Schemes  []SchemeResult
	Totals   []UnitTotal
}

// AssessSpecFor returns an area's assessment, if configured.
func (c *Calculator) AssessSpecFor(area string) *AssessSpec {
	for i := range c.Assessments {
		if c.Assessments[i].Area == area {
			return &c.Assessments[i]
		}
	}
	return nil
}

// AssessRange ranks an area's units over the days of r (an episode, the days a data set
// holds): the rankings only — the eco-compensation schemes are monthly by definition.
// Coverage is judged as for any period (docs/targets.md, "Coverage and validity").
func (c *Calculator) AssessRange(spec *AssessSpec, r airquality.Range) Assessment {
	y, m, _ := r.From.Date()
	a := Assessment{Area: spec.Area, Year: y, Month: m, Range: r, Custom: true}
	a.Units = c.Units(spec, r)
	for _, f := range spec.RankBy {
		a.Rankings = append(a.Rankings, Ranking{Factor: f, Rows: assessment.Rank(a.Units, f)})
	}
	return a
}

// Assess evaluates an area's units for a month (through asOf when the month is not over).
func (c *Calculator) Assess(spec *AssessSpec, year int, month time.Month, asOf airquality.Day) Assessment {
	r := periodRange("month", year, month, asOf)
	a := Assessment{Area: spec.Area, Year: year, Month: month, Range: r, Provisional: r.To < airquality.Month(year, month).To}
	a.Units = c.Units(spec, r)
	for _, f := range spec.RankBy {
		a.Rankings = append(a.Rankings, Ranking{Factor: f, Rows: assessment.Rank(a.Units, f)})
	}
	totals := map[string]map[string]*big.Rat{}
	add := func(unit, money string, amt *big.Rat) {
		if amt == nil {
			return
		}
		if totals[unit] == nil {
			totals[unit] = map[string]*big.Rat{}
		}
		if totals[unit][money] == nil {
			totals[unit][money] = new(big.Rat)
		}
		totals[unit][money].Add(totals[unit][money], amt)
	}
	for i := range spec.Schemes {
		s := &spec.Schemes[i]
		pr := periodRange(s.Period, year, month, asOf)
		res := SchemeResult{Spec: s, Range: pr}
		var units []assessment.Unit
		if s.Sections {
			item, _ := waterquality.ParseItem(string(s.Factor))
			units, res.UnitOf = c.SectionUnits(spec.Area, pr, item)
		} else if pr == r {
			units = a.Units
		} else {
			units = c.Units(spec, pr)
		}
		res.Outcome = s.Apply(units)
		for _, l := range res.Outcome.Lines {
			unit := l.Unit
			if res.UnitOf != nil {
				unit = res.UnitOf[l.Unit]
			}
			add(unit, s.MoneyUnit, l.Amount)
		}
		a.Schemes = append(a.Schemes, res)
	}
	for _, ch := range c.UnitAreas(spec) {
		if t, ok := totals[ch.ID]; ok {
			a.Totals = append(a.Totals, UnitTotal{Unit: ch.ID, Name: ch.Name, Net: t})
		}
	}
	return a
}
