// Package assessment is the monthly assessment a city runs of its districts and counties
// (and a province of its cities): the ranking of the units by configured indicators, and
// eco-compensation (生态补偿) — units worse than a base pay (支偿), better ones receive (得补) —
// by schemes declared in configuration, since every province and city writes its own and
// changes it every few years. Money is exact decimal arithmetic, rounded as the scheme says.
// docs/assessment.md states the rules and the worked examples.
package assessment

import (
	"math/big"
	"sort"

	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/waterquality"
)

// Factor is an indicator a unit is ranked or compensated by.
type Factor string

// Factors. Concentrations are monthly (period) means of the daily values as published;
// YoY rates are percentages of change against the same period last year; ratios are
// percentages.
const (
	PM25               Factor = "pm2_5"
	PM10               Factor = "pm10"
	O3P90              Factor = "o3_p90"
	Composite          Factor = "composite_index"          // equal weights (2013)
	CompositeWeighted  Factor = "composite_index_weighted" // 2026-era weights (PM2.5 3, O3 2, NO2 2)
	CompositeYoY       Factor = "composite_index_yoy"
	PM25YoY            Factor = "pm2_5_yoy"
	PM10YoY            Factor = "pm10_yoy"
	GoodDayRatio       Factor = "good_day_ratio"
	SectionsCompliance Factor = "sections_compliance"
	SectionsGoodShare  Factor = "sections_class_i_iii_share"
)

// FactorInfo describes a factor: its unit, published decimals and which way is better.
type FactorInfo struct {
	Unit         string
	Decimals     int
	HigherBetter bool
}

// Factors lists every factor with its description.
var Factors = map[Factor]FactorInfo{
	PM25: {"µg/m³", 0, false}, PM10: {"µg/m³", 0, false}, O3P90: {"µg/m³", 0, false},
	Composite: {"index", 2, false}, CompositeWeighted: {"index", 2, false},
	CompositeYoY: {"%", 1, false}, PM25YoY: {"%", 1, false}, PM10YoY: {"%", 1, false},
	GoodDayRatio: {"%", 1, true}, SectionsCompliance: {"%", 1, true}, SectionsGoodShare: {"%", 1, true},
}

// Info describes a factor: one of Factors, or a water-quality item (a section's period
// mean of "cod", "nh3n"…; higher is better only for dissolved oxygen).
func Info(f Factor) (FactorInfo, bool) {
	if fi, ok := Factors[f]; ok {
		return fi, true
	}
	if it, ok := waterquality.ParseItem(string(f)); ok {
		return FactorInfo{Unit: it.Unit(), Decimals: it.Decimals(), HigherBetter: it == waterquality.DO}, true
	}
	return FactorInfo{}, false
}

// Value is a unit's published value of a factor, or why there is none.
type Value struct {
	Num    *big.Rat // the published (rounded) value; nil when not valid
	Valid  bool
	Reason string // why not valid: the statistic fails the coverage rule, no data, …
}

// Text is the value as published.
func (v Value) Text(f Factor) string {
	if v.Num == nil {
		return ""
	}
	fi, _ := Info(f)
	return fixed.FormatRat(v.Num, fi.Decimals)
}

// Unit is one assessed unit (a district, a county, a city) with its values of a period.
type Unit struct {
	ID, Name string
	Values   map[Factor]Value
	// Targets are the unit's fixed bases by factor (a scheme's base: target).
	Targets map[Factor]*big.Rat
	// LastYear are the same period's values last year (a scheme's base: last_year).
	LastYear map[Factor]Value
}

// Ranked is a unit's place for a factor: units with a valid value share a rank when their
// published values are equal (1, 2, 3, 3, 5); the others are listed with Rank 0 and why.
type Ranked struct {
	Unit   string
	Name   string
	Value  Value
	Rank   int // 0: not ranked
	Reason string
}

// Rank ranks units by a factor, best first, on the published values.
func Rank(units []Unit, f Factor) []Ranked {
	info, _ := Info(f)
	var out, unranked []Ranked
	for _, u := range units {
		v := u.Values[f]
		r := Ranked{Unit: u.ID, Name: u.Name, Value: v}
		if !v.Valid || v.Num == nil {
			r.Reason = v.Reason
			if r.Reason == "" {
				r.Reason = "no valid value"
			}
			unranked = append(unranked, r)
			continue
		}
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool {
		c := out[i].Value.Num.Cmp(out[j].Value.Num)
		if info.HigherBetter {
			c = -c
		}
		if c != 0 {
			return c < 0
		}
		return out[i].Unit < out[j].Unit
	})
	for i := range out {
		if i > 0 && out[i].Value.Num.Cmp(out[i-1].Value.Num) == 0 {
			out[i].Rank = out[i-1].Rank // a tie shares the rank; the next one skips
		} else {
			out[i].Rank = i + 1
		}
	}
	return append(out, unranked...)
}
