package waterquality

import (
	"math"
	"math/big"
	"slices"
	"time"

	"github.com/envwatch/envwatch/fixed"
)

// EqualLimitRule resolves a value that meets several classes with the same limit (COD
// 15 mg/L is the limit of Classes I and II).
type EqualLimitRule int

const (
	// EqualLimitsBest gives the best class whose limit the value meets ("从优"): COD 15 →
	// Class I. It is what reading Table 1 item by item gives (docs/standards.md §3.2, W5).
	EqualLimitsBest EqualLimitRule = iota
	// EqualLimitsNotI never gives Class I when the Class I and II limits are equal
	// ("Ⅰ、Ⅱ类取Ⅱ类标准", the reading of some tools): COD 15 → Class II.
	EqualLimitsNotI
)

// Rules are the switches of an evaluation.
type Rules struct {
	EqualLimits EqualLimitRule
	// BelowDetection is the value a below-detection result enters means with.
	BelowDetection DetectionRule
}

// ClassOf classifies one (already rounded) value. Items without class limits (water
// temperature, Table 2, reference items) are Unclassified.
func ClassOf(it Item, body Body, v fixed.Dec, rules Rules) Class {
	r, ok := table1[it]
	if it == TP && body == Lake {
		r, ok = tpLake, true
	}
	if !ok {
		return Unclassified
	}
	switch r.dir {
	case band:
		if v < phLow || v > phHigh {
			return WorseThanV
		}
		return ClassI
	case atLeast:
		for c := 0; c < 5; c++ {
			if v >= r.limits[c] {
				return Class(c + 1)
			}
		}
		return WorseThanV
	default:
		for c := 0; c < 5; c++ {
			if v <= r.limits[c] {
				if c == 0 && rules.EqualLimits == EqualLimitsNotI && r.limits[0] == r.limits[1] {
					return ClassII
				}
				return Class(c + 1)
			}
		}
		return WorseThanV
	}
}

// Evaluated lists the items that decide a section's class under the 2011 method: Table 1
// without water temperature, total nitrogen and fecal coliform (21 items). Lakes and
// reservoirs use the lake TP limits and report TN separately.
var Evaluated = []Item{PH, DO, CODMn, COD, BOD5, NH3N, TP, Cu, Zn, F, Se, As, Hg, Cd, Cr6, Pb, CN, Phenol, Oil, LAS, Sulfide}

// Sample is a set of measured values (mg/L; FC 个/L; pH dimensionless).
type Sample struct {
	Values [NumItems]fixed.Dec
	Has    uint64 // bit i set when item i was measured
	// Below has bit i set when item i was below its detection limit: Values holds the
	// limit (0 when not reported) until Substitute, and the item is never an exceedance.
	Below uint64
	// Taken is when the sample was taken (the store's samples; zero when unknown): the
	// comparison rule counts the months with a sample.
	Taken time.Time
}

// Set records a value.
func (s *Sample) Set(it Item, v fixed.Dec) { s.Values[it], s.Has = v, s.Has|1<<it }

// SetBelow records a result below the detection limit dl ("0.0003L", "<0.0003", "ND" → 0).
func (s *Sample) SetBelow(it Item, dl fixed.Dec) { s.Set(it, dl); s.Below |= 1 << it }

// IsBelow reports whether the item's value is below detection.
func (s *Sample) IsBelow(it Item) bool { return s.Below&(1<<it) != 0 }

// Get returns a value and whether it was measured.
func (s *Sample) Get(it Item) (fixed.Dec, bool) { return s.Values[it], s.Has&(1<<it) != 0 }

// Exceedance is an item above its Class III limit and by how much: (C − C_III) / C_III.
type Exceedance struct {
	Item     Item
	Multiple *big.Rat
}

// Evaluation is the single-factor classification of a sample or period mean.
type Evaluation struct {
	// Class is the worst class among the evaluated items (Unclassified if none measured).
	Class Class
	// ItemClass holds the class of each measured item with limits (TN and FC included,
	// for reporting; they do not enter Class).
	ItemClass [NumItems]Class
	// Deciding lists the evaluated items at the worst class.
	Deciding []Item
	// Main lists up to three main pollutants (主要污染指标) when the class is worse than III:
	// the items with the largest exceedance multiple over Class III.
	Main []Exceedance
	// Values holds the values as classified.
	Values Sample
}

// Evaluate classifies a sample with the single-factor method. Values are classified as
// given: a laboratory result is already reported at its method's precision, and the
// standards' vectors classify DO 4.99 as Class IV (W6b). Period values are rounded by
// PeriodValue before they get here.
func Evaluate(s *Sample, body Body, rules Rules) Evaluation {
	e := Evaluation{Values: *s}
	for it := Item(0); it < NumItems; it++ {
		if v, ok := s.Get(it); ok {
			e.ItemClass[it] = ClassOf(it, body, v, rules)
			if s.IsBelow(it) && e.ItemClass[it] != Unclassified {
				e.ItemClass[it] = ClassI // not detected: never an exceedance (docs/standards.md)
			}
		}
	}
	for _, it := range Evaluated {
		c := e.ItemClass[it]
		if c == Unclassified {
			continue
		}
		switch {
		case c > e.Class:
			e.Class, e.Deciding = c, []Item{it}
		case c == e.Class:
			e.Deciding = append(e.Deciding, it)
		}
	}
	if e.Class > ClassIII {
		e.Main = mainPollutants(&e.Values, body)
	}
	return e
}

// mainPollutants ranks the items above Class III by exceedance multiple; water
// temperature, pH and DO get no multiple.
func mainPollutants(s *Sample, body Body) []Exceedance {
	var out []Exceedance
	for _, it := range Evaluated {
		if it == PH || it == DO || s.IsBelow(it) {
			continue
		}
		v, ok := s.Get(it)
		if !ok {
			continue
		}
		lim, _ := Limit(it, body, ClassIII)
		if v <= lim {
			continue
		}
		m := new(big.Rat).Sub(v.Rat(), lim.Rat())
		out = append(out, Exceedance{it, m.Quo(m, lim.Rat())})
	}
	slices.SortStableFunc(out, func(a, b Exceedance) int { return b.Multiple.Cmp(a.Multiple) })
	if len(out) > 3 {
		out = out[:3]
	}
	return out
}

// MultipleString formats an exceedance multiple to one decimal (half to even).
func (e Exceedance) MultipleString() string { return fixed.FormatRat(e.Multiple, 1) }

// PeriodValue is the value a period (month, quarter, year) is classified by: the mean of
// each item's measurements (see Mean) rounded with the 2020 statistical rules (Round).
func PeriodValue(samples []Sample) Sample {
	m := Mean(samples)
	for it := Item(0); it < NumItems; it++ {
		if v, ok := m.Get(it); ok {
			m.Values[it] = Round(it, v)
		}
	}
	return m
}

// Mean returns the exact arithmetic mean of each item's measurements, and for pH the mean
// through hydrogen-ion activity, −log10(mean(10^−pH)).
func Mean(samples []Sample) Sample {
	var out Sample
	for it := Item(0); it < NumItems; it++ {
		sum := new(big.Rat)
		var hplus float64
		n, below := 0, 0
		for i := range samples {
			v, ok := samples[i].Get(it)
			if !ok {
				continue
			}
			n++
			if samples[i].IsBelow(it) {
				below++
			}
			if it == PH {
				hplus += math.Pow(10, -v.Float64())
			} else {
				sum.Add(sum, v.Rat())
			}
		}
		if n == 0 {
			continue
		}
		if it == PH {
			// float is unavoidable here; round far beyond the two decimals kept
			ph := -math.Log10(hplus / float64(n))
			d, _ := fixed.FromFloat(math.Round(ph*1e6) / 1e6)
			out.Set(it, d)
			continue
		}
		d, _ := fixed.FromRat(sum.Quo(sum, big.NewRat(int64(n), 1)))
		out.Set(it, d)
		if below == n {
			out.Below |= 1 << it // every measurement below detection: so is the mean
		}
	}
	return out
}
