package assessment

import (
	"fmt"
	"math/big"
	"strings"
	"testing"
)

func r(s string) *big.Rat {
	x, ok := new(big.Rat).SetString(s)
	if !ok {
		panic(s)
	}
	return x
}

func val(s string) Value { return Value{Num: r(s), Valid: true} }

func units(f Factor, vals ...string) []Unit {
	var out []Unit
	for i, v := range vals {
		u := Unit{ID: string(rune('A' + i)), Name: "区" + string(rune('A'+i)), Values: map[Factor]Value{}}
		if v == "" {
			u.Values[f] = Value{Reason: "a month has fewer valid days than GB 3095 Table 4 requires"}
		} else {
			u.Values[f] = val(v)
		}
		out = append(out, u)
	}
	return out
}

func amounts(o Outcome) string {
	var parts []string
	for _, l := range o.Lines {
		switch {
		case l.Excluded != "":
			parts = append(parts, l.Unit+" —")
		default:
			parts = append(parts, l.Unit+" "+l.Amount.FloatString(1))
		}
	}
	return strings.Join(parts, ", ")
}

// The worked example of docs/assessment.md: October PM2.5 means A 48, B 41, C 39, D 36;
// base = mean 41; tiers 0–5 µg/m³ at 10 万元/µg, above 5 at 20. Deduction only: A pays
// 5·10 + 2·20 = 90, nobody receives. Both directions, receiving at the same rates: C gets
// 2·10 = 20, D 5·10 = 50; the assessing level keeps 90 − 70 = 20.
func TestWorkedExample(t *testing.T) {
	tiers := []Tier{{From: r("0"), To: r("5"), Rate: r("10")}, {From: r("5"), Rate: r("20")}}
	us := units(PM25, "48", "41", "39", "36")
	s := &Scheme{Name: "pm25", Factor: PM25, Base: BaseUnitsAverage, Difference: DiffAbsolute, Pay: tiers}
	o := s.Apply(us)
	if o.Base.FloatString(0) != "41" || amounts(o) != "A 90.0, B 0.0, C 0.0, D 0.0" || o.Balance.FloatString(1) != "90.0" {
		t.Errorf("deduction only: base %s, %s, balance %s", o.Base.FloatString(0), amounts(o), o.Balance.FloatString(1))
	}
	s.Receive = tiers
	o = s.Apply(us)
	if amounts(o) != "A 90.0, B 0.0, C -20.0, D -50.0" || o.Pay.FloatString(1) != "90.0" || o.Receive.FloatString(1) != "70.0" || o.Balance.FloatString(1) != "20.0" {
		t.Errorf("both directions: %s, pay %s receive %s balance %s", amounts(o), o.Pay.FloatString(1), o.Receive.FloatString(1), o.Balance.FloatString(1))
	}
	rk := Rank(us, PM25)
	var got []string
	for _, x := range rk {
		got = append(got, fmt.Sprintf("%s%d", x.Unit, x.Rank))
	}
	if strings.Join(got, " ") != "D1 C2 B3 A4" {
		t.Errorf("ranking %v, want D 1, C 2, B 3, A 4", got)
	}
}

// Equal published values share a rank and the next rank skips; a unit whose month is not
// valid is listed, flagged and not ranked — and neither pays nor enters the average.
func TestTiesAndInvalidUnits(t *testing.T) {
	us := units(GoodDayRatio, "80.0", "93.5", "80.0", "", "76.7")
	var got []string
	for _, x := range Rank(us, GoodDayRatio) { // higher is better
		got = append(got, fmt.Sprintf("%s%d", x.Unit, x.Rank))
	}
	if strings.Join(got, " ") != "B1 A2 C2 E4 D0" {
		t.Errorf("ranking %v, want B1 A2 C2 E4 and D unranked", got)
	}
	s := &Scheme{Factor: GoodDayRatio, Base: BaseUnitsAverage, Difference: DiffAbsolute,
		Pay: []Tier{{From: r("0"), Rate: r("20")}}, Receive: []Tier{{From: r("0"), Rate: r("20")}}, Step: r("0.5")}
	o := s.Apply(us)
	// Average of the four valid units: (80.0 + 93.5 + 80.0 + 76.7)/4 = 82.55 exactly → 82.6
	// (one decimal, half to even). E: 5.9 points below → pays 118; B: 10.9 above → receives
	// 218; A, C: 2.6 below → pay 52 each; D: no amount. Pay 222, receive 218, balance 4.
	if o.Base.FloatString(1) != "82.6" || amounts(o) != "A 52.0, B -218.0, C 52.0, D —, E 118.0" || o.Balance.FloatString(1) != "4.0" {
		t.Errorf("base %s, %s, balance %s", o.Base.FloatString(1), amounts(o), o.Balance.FloatString(1))
	}
	if !strings.Contains(o.Lines[3].Excluded, "fewer valid days") {
		t.Errorf("the invalid unit's reason: %q", o.Lines[3].Excluded)
	}
}

// A water scheme on sections in the multiplier form (Zhoukou): m = (C − target)/target;
// 0.1 < m ≤ 0.5: 10 万元 × (1 + m); 0.5 < m ≤ 1.0: 25 × (1 + m); > 1.0: 50 × (1 + m).
// COD against a Class III target of 20 mg/L: 21 → m 0.05, nothing; 24 → 0.2, 12;
// 33 → 0.65, 41.25 → 41.5 (money in steps of 0.5, half to even: 82.5 steps → 82 → 41.0);
// 50 → 1.5, 125; 18 → better, nothing (deduction only).
func TestWaterSectionsMultiplier(t *testing.T) {
	us := units(Factor("cod"), "21", "24", "33", "50", "18")
	for i := range us {
		us[i].Targets = map[Factor]*big.Rat{"cod": r("20")}
	}
	s := &Scheme{Factor: "cod", Base: BaseTarget, Difference: DiffMultiple, Multiplier: true, Step: r("0.5"),
		Pay: []Tier{{From: r("0.1"), To: r("0.5"), Amount: r("10")}, {From: r("0.5"), To: r("1.0"), Amount: r("25")}, {From: r("1.0"), Amount: r("50")}}}
	o := s.Apply(us)
	if got := amounts(o); got != "A 0.0, B 12.0, C 41.0, D 125.0, E 0.0" {
		t.Errorf("sections: %s", got)
	}
}

// A cap bounds a unit's amount; a fixed base and an excluded unit.
func TestCapFixedBaseAndExclusion(t *testing.T) {
	us := units(PM10, "90", "60")
	s := &Scheme{Factor: PM10, Base: BaseFixed, BaseValue: r("70"), Difference: DiffAbsolute,
		Pay: []Tier{{From: r("0"), Rate: r("10")}}, Receive: []Tier{{From: r("0"), Rate: r("10")}}, Cap: r("150"), Exclude: map[string]bool{"B": true}}
	o := s.Apply(us)
	if got := amounts(o); got != "A 150.0, B —" {
		t.Errorf("%s, want A capped at 150 and B excluded", got)
	}
}

// Ranking and compensation of 339 cities × 12 months.
func BenchmarkRankAndCompensate(b *testing.B) {
	var months [][]Unit
	for m := 0; m < 12; m++ {
		var us []Unit
		for c := 0; c < 339; c++ {
			us = append(us, Unit{ID: fmt.Sprintf("c%03d", c), Values: map[Factor]Value{PM25: val(fmt.Sprint(20 + (c*7+m*13)%60))}})
		}
		months = append(months, us)
	}
	s := &Scheme{Factor: PM25, Base: BaseUnitsAverage, Difference: DiffAbsolute, Step: r("0.5"),
		Pay: []Tier{{From: r("0"), To: r("5"), Rate: r("10")}, {From: r("5"), Rate: r("20")}}, Receive: []Tier{{From: r("0"), Rate: r("10")}}}
	b.ReportAllocs()
	for b.Loop() {
		for _, us := range months {
			Rank(us, PM25)
			s.Apply(us)
		}
	}
}
