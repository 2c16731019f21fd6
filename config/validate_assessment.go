package config

import (
	"strings"

	"github.com/envwatch/envwatch/waterquality"
)

// Unit-level factors of a ranking or a scheme (the names of package assessment); a
// sections-scope scheme takes a water item (cod, nh3n, …) instead.
var assessFactors = []string{"pm2_5", "pm10", "o3_p90", "composite_index", "composite_index_weighted", "composite_index_yoy",
	"pm2_5_yoy", "pm10_yoy", "good_day_ratio", "sections_compliance", "sections_class_i_iii_share"}

// DefaultRankBy are the indicators units are ranked by when rank_by is not set.
var DefaultRankBy = []string{"composite_index", "composite_index_yoy", "pm2_5", "good_day_ratio"}

// targetKey is the targets key that gives a unit's base for a factor (base: target).
var targetKey = map[string]string{"pm2_5": "pm25_target", "pm10": "pm10_target", "good_day_ratio": "good_day_ratio_target",
	"composite_index": "composite_index_target", "sections_compliance": "sections_compliance_target"}

func isAssessFactor(f string) bool {
	for _, x := range assessFactors {
		if x == f {
			return true
		}
	}
	return false
}

func (c *Config) validateAssessments(v *validator, areas map[string]bool) {
	tree := c.AreaTree()
	hasTarget := func(unit, key string) bool {
		for _, t := range c.Targets {
			if t.Area != unit {
				continue
			}
			switch key {
			case "pm25_target":
				return t.PM25 != nil
			case "pm10_target":
				return t.PM10 != nil
			case "good_day_ratio_target":
				return t.GoodDayRatio != nil
			case "composite_index_target":
				return t.CompositeIndex != nil
			case "sections_compliance_target":
				return t.SectionsCompliance != nil
			}
		}
		return false
	}
	seen := map[string]bool{}
	for i, a := range c.Assessments {
		p := path{"assessments", i}
		if v.required(p, "area", a.Area) {
			switch {
			case !areas[a.Area]:
				v.invalid(p.with("area"), "no area with this id")
			case len(tree.Children(a.Area)) == 0:
				v.invalid(p.with("area"), "the area has no units to assess (no area names it as parent)")
			case seen[a.Area]:
				v.invalid(p.with("area"), "a second assessment of this area")
			}
			seen[a.Area] = true
		}
		if a.Units != "" {
			v.oneOf(p.with("units"), a.Units, "province", "city", "district", "county")
		}
		for j, f := range a.RankBy {
			if !isAssessFactor(f) {
				v.invalid(p.with("rank_by", j), "unknown indicator (want one of %s)", strings.Join(assessFactors, ", "))
			}
		}
		names := map[string]bool{}
		for j, s := range a.Schemes {
			sp := p.with("schemes", j)
			if v.required(sp, "name", s.Name) {
				v.unique(names, sp, "name", s.Name, "duplicate scheme name")
			}
			switch s.Scope {
			case "", "units":
				if v.required(sp, "factor", s.Factor) && !isAssessFactor(s.Factor) {
					v.invalid(sp.with("factor"), "unknown factor (want one of %s)", strings.Join(assessFactors, ", "))
				}
			case "sections":
				if v.required(sp, "factor", s.Factor) {
					if _, ok := waterquality.ParseItem(s.Factor); !ok {
						v.invalid(sp.with("factor"), "a sections scheme takes a water-quality item (cod, nh3n, tp, …)")
					}
				}
				if s.Base != "target" {
					v.invalid(sp.with("base"), "a sections scheme compares each section with its target class: base: target")
				}
			default:
				v.oneOf(sp.with("scope"), s.Scope, "units", "sections")
			}
			if s.Period != "" {
				v.oneOf(sp.with("period"), s.Period, "month", "quarter", "year_to_date")
			}
			if s.Difference != "" {
				v.oneOf(sp.with("difference"), s.Difference, "absolute", "multiple")
			}
			switch s.Base {
			case "units_average", "last_year":
				if s.Base == "last_year" && strings.HasSuffix(s.Factor, "_yoy") {
					v.invalid(sp.with("base"), "a year-over-year factor already compares with last year")
				}
			case "fixed":
				if s.BaseValue == nil {
					v.missing(sp, "base_value")
				}
			case "target":
				if key, ok := targetKey[s.Factor]; ok && (s.Scope == "" || s.Scope == "units") {
					for _, u := range tree.Children(a.Area) {
						if !hasTarget(u, key) {
							v.invalid(sp.with("base"), "unit %s has no %s in targets: the base needs it", u, key)
						}
					}
				} else if s.Scope != "sections" {
					v.invalid(sp.with("base"), "factor %s has no per-unit target", s.Factor)
				}
			case "":
				v.missing(sp, "base")
			default:
				v.oneOf(sp.with("base"), s.Base, "units_average", "target", "fixed", "last_year")
			}
			if s.BaseDecimals != nil && (*s.BaseDecimals < 0 || *s.BaseDecimals > 4) {
				v.invalid(sp.with("base_decimals"), "must be between 0 and 4")
			}
			if len(s.Pay) == 0 {
				v.missing(sp, "pay")
			}
			v.tiers(sp.with("pay"), s.Pay)
			v.tiers(sp.with("receive"), s.Receive)
			if len(s.Pay) > 0 && len(s.Receive) > 0 && (s.Pay[0].Amount != nil) != (s.Receive[0].Amount != nil) {
				v.invalid(sp.with("receive"), "pay and receive tiers must have the same form (rate or amount)")
			}
			for _, k := range []struct {
				key string
				n   *Number
			}{{"cap", s.Cap}, {"money_step", s.MoneyStep}, {"alert_above", s.AlertAbove}} {
				if k.n != nil && k.n.Dec <= 0 {
					v.invalid(sp.with(k.key), "must be positive")
				}
			}
			for k, u := range s.Exclude {
				found := false
				for _, ch := range tree.Children(a.Area) {
					found = found || ch == u
				}
				if !found && s.Scope != "sections" {
					v.invalid(sp.with("exclude", k), "not a unit of area %s", a.Area)
				}
			}
		}
	}
}

// tiers checks a scheme's bands: each with a rate (linear) or an amount (multiplier
// form), not both, not negative; bands in order and not overlapping; only the last open.
func (v *validator) tiers(p path, ts []SchemeTier) {
	form := ""
	for i, t := range ts {
		tp := p.with(i)
		switch {
		case t.Rate != nil && t.Amount != nil:
			v.invalid(tp.with("amount"), "a tier has a rate (linear) or an amount (multiplier form), not both")
		case t.Rate == nil && t.Amount == nil:
			v.missing(tp, "rate")
		}
		f := "rate"
		if t.Amount != nil {
			f = "amount"
		}
		if form != "" && f != form {
			v.invalid(tp, "mixes rate and amount tiers")
		}
		form = f
		for _, k := range []struct {
			key string
			n   *Number
		}{{"rate", t.Rate}, {"amount", t.Amount}, {"from", t.From}} {
			if k.n != nil && k.n.Dec < 0 {
				v.invalid(tp.with(k.key), "must not be negative")
			}
		}
		if t.From != nil && t.To != nil && t.To.Dec <= t.From.Dec {
			v.invalid(tp.with("to"), "must be above from (%s)", t.From.Dec)
		}
		if i > 0 {
			prev := ts[i-1]
			switch {
			case prev.To == nil:
				v.invalid(tp, "follows an open-ended tier")
			case t.From == nil || t.From.Dec < prev.To.Dec:
				v.invalid(tp.with("from"), "overlaps the tier before (to %s): tiers must be in order", prev.To.Dec)
			}
		}
	}

}
