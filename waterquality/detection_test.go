package waterquality

import (
	"fmt"
	"testing"

	"github.com/envwatch/envwatch/fixed"
)

func TestParseMeasured(t *testing.T) {
	for row, c := range []struct {
		raw   string
		v     string
		below bool
		bad   bool
	}{
		{"0.05", "0.05", false, false},
		{"0.0003L", "0.0003", true, false},
		{"0.0003 L", "0.0003", true, false},
		{"<0.01", "0.01", true, false},
		{"ND", "0", true, false},
		{"n.d.", "0", true, false},
		{"未检出", "0", true, false},
		{"x", "", false, true},
		{"L", "", false, true},
	} {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			v, below, err := ParseMeasured(c.raw)
			if (err != nil) != c.bad || !c.bad && (v.String() != c.v || below != c.below) {
				t.Errorf("%q: %s below=%v err=%v; want %s below=%v bad=%v", c.raw, v, below, err, c.v, c.below, c.bad)
			}
		})
	}
}

func dl(s string) fixed.Dec { d, _ := fixed.Parse(s); return d }

// The worked example of docs/standards.md: mercury 0.00004L and 0.00008 mg/L in one
// period. Half the limit: (0.00002 + 0.00008)/2 = 0.00005 → Class I (≤ 0.00005). The limit
// itself: (0.00004 + 0.00008)/2 = 0.00006 → Class III (≤ 0.0001). Zero: 0.00004 → Class I.
// All results below detection: Class I whatever the limit, and never a main pollutant.
func TestBelowDetectionInPeriodMeans(t *testing.T) {
	for row, c := range []struct {
		rule DetectionRule
		mean string
		cls  Class
	}{{DetectionHalf, "0.00005", ClassI}, {DetectionLimit, "0.00006", ClassIII}, {DetectionZero, "0.00004", ClassI}} {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			var a, b Sample
			a.SetBelow(Hg, dl("0.00004"))
			b.Set(Hg, dl("0.00008"))
			Substitute(&a, c.rule)
			Substitute(&b, c.rule)
			pv := PeriodValue([]Sample{a, b})
			v, _ := pv.Get(Hg)
			if e := Evaluate(&pv, River, Rules{}); v.String() != c.mean || e.ItemClass[Hg] != c.cls || pv.IsBelow(Hg) {
				t.Errorf("rule %d: mean %s class %v below %v; want %s %v false", c.rule, v, e.ItemClass[Hg], pv.IsBelow(Hg), c.mean, c.cls)
			}
		})
	}
	// A limit above Class V (cadmium reported "<0.05" by a poor method, Class V is 0.01):
	// is not an exceedance.
	var a, b Sample
	a.SetBelow(Cd, dl("0.05"))
	b.SetBelow(Cd, dl("0.05"))
	Substitute(&a, DetectionLimit)
	Substitute(&b, DetectionLimit)
	pv := PeriodValue([]Sample{a, b})
	e := Evaluate(&pv, River, Rules{})
	if !pv.IsBelow(Cd) || e.ItemClass[Cd] != ClassI || len(e.Main) != 0 {
		t.Errorf("all below detection: below %v class %v main %v; want Class I, no main pollutant", pv.IsBelow(Cd), e.ItemClass[Cd], e.Main)
	}
}
