package assessment

import (
	"math/big"

	"github.com/envwatch/envwatch/fixed"
)

// BaseKind is what a unit's value is compared with (考核基数).
type BaseKind string

// Bases.
const (
	BaseUnitsAverage BaseKind = "units_average" // mean of the valid units' published values, rounded like them
	BaseTarget       BaseKind = "target"        // the unit's own target (a fixed value per unit)
	BaseFixed        BaseKind = "fixed"         // one value for every unit
	BaseLastYear     BaseKind = "last_year"     // the unit's same period last year
)

// Difference is how the gap to the base is measured.
type Difference string

// Differences.
const (
	// DiffAbsolute is value − base in the factor's unit (µg/m³, points, index).
	DiffAbsolute Difference = "absolute"
	// DiffMultiple is the exceedance multiple (value − base) / base, for water sections.
	DiffMultiple Difference = "multiple"
)

// Tier is one band of the difference. Linear tiers add Rate for every unit of the
// difference inside (From, To]; a multiplier tier (water) applies when the difference lies
// in (From, To] and gives Amount × (1 + difference). To nil is open-ended.
type Tier struct {
	From, To *big.Rat
	Rate     *big.Rat // per unit of difference (linear)
	Amount   *big.Rat // fixed amount (multiplier form)
}

// Scheme is an eco-compensation scheme (docs/assessment.md).
type Scheme struct {
	Name   string
	Factor Factor
	Base   BaseKind
	// BaseValue is the value of a fixed base.
	BaseValue *big.Rat
	// BaseDecimals rounds a units-average base (GB/T 8170); default the factor's decimals.
	BaseDecimals *int
	Difference   Difference
	// Pay are the tiers on how much worse than the base a unit is; Receive (optional) on how
	// much better: a scheme without Receive only deducts.
	Pay, Receive []Tier
	Multiplier   bool // tiers in the multiplier form
	// Cap bounds a unit's amount in one period, each way; nil: no cap.
	Cap *big.Rat
	// Step rounds money (e.g. 0.5 万元), half to even; nil: 0.01.
	Step *big.Rat
	// Exclude lists units the scheme does not apply to.
	Exclude map[string]bool
}

// Line is one unit's result under a scheme.
type Line struct {
	Unit, Name string
	Value      Value
	Base       *big.Rat // nil when the unit has no base
	Diff       *big.Rat // worse-than-base amount of the factor: > 0 worse, < 0 better
	// Amount is what the unit pays (> 0) or receives (< 0), in the scheme's money unit.
	Amount *big.Rat
	// Excluded says why the unit has no amount (invalid statistic, no base, excluded).
	Excluded string
}

// Outcome is a scheme applied to the units of a period.
type Outcome struct {
	Scheme  *Scheme
	Base    *big.Rat // the units-average base, when the scheme uses one
	Lines   []Line
	Pay     *big.Rat // total paid
	Receive *big.Rat // total received
	Balance *big.Rat // Pay − Receive: what the assessing level keeps (negative: adds)
}

func rat(n int64) *big.Rat { return big.NewRat(n, 1) }

// unitsAverage is the mean of the valid units' published values, rounded like them.
func (s *Scheme) unitsAverage(units []Unit) *big.Rat {
	sum, n := new(big.Rat), int64(0)
	for _, u := range units {
		if v := u.Values[s.Factor]; v.Valid && v.Num != nil && !s.Exclude[u.ID] {
			sum.Add(sum, v.Num)
			n++
		}
	}
	if n == 0 {
		return nil
	}
	fi, _ := Info(s.Factor)
	places := fi.Decimals
	if s.BaseDecimals != nil {
		places = *s.BaseDecimals
	}
	return fixed.RoundRat(sum.Quo(sum, rat(n)), places)
}

// Apply computes every unit's amount.
func (s *Scheme) Apply(units []Unit) Outcome {
	out := Outcome{Scheme: s, Pay: new(big.Rat), Receive: new(big.Rat)}
	if s.Base == BaseUnitsAverage {
		out.Base = s.unitsAverage(units)
	}
	fi, _ := Info(s.Factor)
	higher := fi.HigherBetter
	for _, u := range units {
		l := Line{Unit: u.ID, Name: u.Name, Value: u.Values[s.Factor]}
		switch {
		case s.Exclude[u.ID]:
			l.Excluded = "excluded by the scheme"
		case !l.Value.Valid || l.Value.Num == nil:
			l.Excluded = "no valid value: " + orNone(l.Value.Reason)
		default:
			l.Base = s.baseOf(u, out.Base)
			if l.Base == nil {
				l.Excluded = "no base (" + string(s.Base) + ") for this unit"
			}
		}
		if l.Excluded != "" {
			out.Lines = append(out.Lines, l)
			continue
		}
		d := new(big.Rat).Sub(l.Value.Num, l.Base)
		if higher {
			d.Neg(d) // worse means below the base
		}
		if s.Difference == DiffMultiple {
			if l.Base.Sign() == 0 {
				l.Excluded = "a base of 0 has no exceedance multiple"
				out.Lines = append(out.Lines, l)
				continue
			}
			d.Quo(d, new(big.Rat).Abs(l.Base))
		}
		l.Diff = d
		switch {
		case d.Sign() > 0:
			l.Amount = s.money(s.amount(s.Pay, d))
			out.Pay.Add(out.Pay, l.Amount)
		case d.Sign() < 0 && len(s.Receive) > 0:
			a := s.money(s.amount(s.Receive, new(big.Rat).Neg(d)))
			out.Receive.Add(out.Receive, a)
			l.Amount = a.Neg(a)
		default:
			l.Amount = new(big.Rat)
		}
		out.Lines = append(out.Lines, l)
	}
	out.Balance = new(big.Rat).Sub(out.Pay, out.Receive)
	return out
}

func orNone(s string) string {
	if s == "" {
		return "no data"
	}
	return s
}

func (s *Scheme) baseOf(u Unit, avg *big.Rat) *big.Rat {
	switch s.Base {
	case BaseUnitsAverage:
		return avg
	case BaseFixed:
		return s.BaseValue
	case BaseTarget:
		return u.Targets[s.Factor]
	case BaseLastYear:
		if v := u.LastYear[s.Factor]; v.Valid && v.Num != nil {
			return v.Num
		}
	}
	return nil
}

// amount of a positive difference d under tiers: linear tiers add rate × the part of d in
// each band; the multiplier form finds d's band and gives its amount × (1 + d).
func (s *Scheme) amount(tiers []Tier, d *big.Rat) *big.Rat {
	total := new(big.Rat)
	for _, t := range tiers {
		lo := t.From
		if lo == nil {
			lo = new(big.Rat)
		}
		if d.Cmp(lo) <= 0 {
			continue
		}
		if s.Multiplier {
			if t.To == nil || d.Cmp(t.To) <= 0 {
				m := new(big.Rat).Add(rat(1), d)
				return m.Mul(m, t.Amount)
			}
			continue
		}
		hi := d
		if t.To != nil && t.To.Cmp(d) < 0 {
			hi = t.To
		}
		part := new(big.Rat).Sub(hi, lo)
		total.Add(total, part.Mul(part, t.Rate))
	}
	return total
}

// money caps and rounds an amount to the scheme's step, half to even (GB/T 8170).
func (s *Scheme) money(a *big.Rat) *big.Rat {
	if s.Cap != nil && a.Cmp(s.Cap) > 0 {
		a = new(big.Rat).Set(s.Cap)
	}
	step := s.Step
	if step == nil {
		step = big.NewRat(1, 100)
	}
	q := new(big.Rat).Quo(a, step)
	q = fixed.RoundRat(q, 0)
	return q.Mul(q, step)
}
