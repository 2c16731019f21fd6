package waterquality

import (
	"fmt"
	"math/big"
	"testing"

	"github.com/envwatch/envwatch/fixed"
)

var (
	specII   = w4a                                        // W4a: Class II
	specIII  = "ph=7.5 do=5.0 codmn=3.0 nh3n=0.3 tp=0.08" // W6a: Class III
	specIV   = "ph=7.5 do=4.0 codmn=3.0 nh3n=0.3 tp=0.08" // DO 4 ≥ 3: Class IV
	specBadV = "ph=7.5 do=7.0 codmn=3.0 nh3n=0.3 tp=0.41" // W11b: 劣V
)

func sections(t *testing.T, specs []string, targets []Class) []SectionResult {
	var out []SectionResult
	for i, s := range specs {
		out = append(out, AssessSection(Section{Code: string(rune('A' + i)), Target: targets[i], Value: sample(t, s)}, Rules{}))
	}
	return out
}

func pct(r *big.Rat) string { return fixed.FormatRat(r, 1) }

// 13 sections (Luoyang has 13 assessment sections): 6 × II, 6 × III, 1 × IV with target
// IV → all compliant, I–III = 12/13 = 92.3 % → 优.
func TestThirteenSections(t *testing.T) {
	specs := []string{specII, specII, specIII, specIII, specII, specIII, specIV, specII, specIII, specIII, specII, specIII, specII}
	targets := []Class{3, 3, 3, 3, 3, 3, 4, 3, 3, 3, 3, 3, 2}
	res := sections(t, specs, targets)
	s := Summarize(res, Rules{})
	if s.Sections != 13 || s.Compliant != 13 || pct(s.ComplianceRate) != "100.0" || pct(s.GoodShare) != "92.3" ||
		pct(s.WorseThanVShare) != "0.0" || s.Status != "优" || s.ClassCounts[2] != 6 || s.ClassCounts[3] != 6 {
		t.Errorf("13 sections: %+v rate %s good %s bad %s", s, pct(s.ComplianceRate), pct(s.GoodShare), pct(s.WorseThanVShare))
	}
	// One section falls to 劣V and one target-II section to III: 11/13 compliant = 84.6 %,
	// I–III 11/13 = 84.6 % → 良好, 劣V 7.7 %.
	specs[0], specs[12] = specBadV, specIII
	s2 := Summarize(sections(t, specs, targets), Rules{})
	if s2.Compliant != 11 || pct(s2.ComplianceRate) != "84.6" || pct(s2.GoodShare) != "84.6" || pct(s2.WorseThanVShare) != "7.7" || s2.Status != "良好" {
		t.Errorf("degraded: compliant %d rate %s good %s bad %s status %s", s2.Compliant, pct(s2.ComplianceRate), pct(s2.GoodShare), pct(s2.WorseThanVShare), s2.Status)
	}
	tr, ok := CompareYears(s, s2)
	// ΔG = 84.6 − 92.3 = −7.69, ΔD = +7.69 → ΔG − ΔD = −15.38: 有所变差
	if !ok || tr.Direction != "变差" || tr.Degree != "有所" || fixed.FormatRat(tr.Delta, 2) != "-15.38" {
		t.Errorf("trend: %+v %s", tr, fixed.FormatRat(tr.Delta, 2))
	}
}

// Proportion table boundaries with ≥ 5 sections.
func TestProportionStatus(t *testing.T) {
	cases := []struct {
		good, bad int // of 10 sections
		want      string
	}{{9, 0, "优"}, {8, 0, "良好"}, {7, 1, "轻度污染"}, {7, 2, "中度污染"}, {5, 4, "重度污染"}, {6, 3, "中度污染"}}
	for row, c := range cases {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			var specs []string
			targets := make([]Class, 10)
			for i := range targets {
				targets[i] = ClassIII
				switch {
				case i < c.good:
					specs = append(specs, specII)
				case i < c.good+c.bad:
					specs = append(specs, specBadV)
				default:
					specs = append(specs, specIV)
				}
			}
			if s := Summarize(sections(t, specs, targets), Rules{}); s.Status != c.want {
				t.Errorf("%d good %d 劣V of 10: %s, want %s", c.good, c.bad, s.Status, c.want)
			}
		})
	}
}

// Fewer than 5 sections: average the items then classify. Two sections, NH3-N 0.4 (II)
// and 1.4 (IV): mean 0.9 → III → 良好 (the proportion method would say 50 % I–III).
func TestFewSectionsAveraged(t *testing.T) {
	specs := []string{"ph=7.5 do=7.0 nh3n=0.4", "ph=7.5 do=7.0 nh3n=1.4"}
	s := Summarize(sections(t, specs, []Class{3, 3}), Rules{})
	if s.Class != ClassIII || s.Status != "良好" || s.Compliant != 1 {
		t.Errorf("two sections: class %s status %s compliant %d, want III 良好 1", s.Class, s.Status, s.Compliant)
	}
}

// Drinking-water sources: Class III for Table 1, single limits for Table 2, share and
// volume-weighted rate.
func TestDrinkingWater(t *testing.T) {
	srcs := []struct {
		spec   string
		volume int64
		ok     bool
	}{
		{specII + " fe=0.2 mn=0.05", 600, true},
		{specIII + " fe=0.3", 300, true},
		{specII + " mn=0.12", 100, false}, // Mn above 0.1
		{specIV, 200, false},              // DO Class IV
		{specII + " fc=50000 tn=3", 800, true},
	}
	var res []SourceResult
	for i, s := range srcs {
		r := AssessSource(Source{Code: string(rune('a' + i)), Value: sample(t, s.spec), Volume: big.NewRat(s.volume, 1)}, Rules{})
		if r.Compliant != s.ok {
			t.Errorf("source %d: compliant %v failing %v, want %v", i, r.Compliant, r.Failing, s.ok)
		}
		res = append(res, r)
	}
	sum := SummarizeSources(res)
	// 3 of 5 = 60 %; volume (600+300+800)/2000 = 85 %
	if sum.Compliant != 3 || pct(sum.Share) != "60.0" || pct(sum.VolumeRate) != "85.0" {
		t.Errorf("sources: %d share %s volume %s, want 3 60.0 85.0", sum.Compliant, pct(sum.Share), pct(sum.VolumeRate))
	}
	res[0].Volume = nil
	if s := SummarizeSources(res); s.VolumeRate != nil {
		t.Error("volume rate without every volume")
	}
}
