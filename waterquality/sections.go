package waterquality

import (
	"math/big"
)

// Section is the input of a section's assessment: its period values and target.
type Section struct {
	Code   string
	Body   Body
	Target Class
	Value  Sample // the period value (see PeriodValue)
}

// SectionResult is a section's class and compliance.
type SectionResult struct {
	Section
	Evaluation
	// Compliant is set when the class is no worse than the target class (断面达标).
	Compliant bool
}

// AssessSection evaluates a section against its target class.
func AssessSection(s Section, rules Rules) SectionResult {
	e := Evaluate(&s.Value, s.Body, rules)
	return SectionResult{Section: s, Evaluation: e, Compliant: e.Class != Unclassified && e.Class <= s.Target}
}

// SetSummary describes a set of sections: a river, a basin, a district or the city.
type SetSummary struct {
	Sections, Classified, Compliant int
	// Rates in percent (exact); nil with no classified section.
	ComplianceRate, GoodShare, WorseThanVShare *big.Rat
	// Counts per class, index 1…6.
	ClassCounts [7]int
	// Class is the class of the averaged values when fewer than 5 sections were assessed;
	// Unclassified otherwise.
	Class Class
	// Status is the qualitative status: from Class (< 5 sections) or from the class
	// proportions (≥ 5 sections).
	Status string
}

// ProportionMethodMin is the number of sections from which the proportion method applies
// ("5个（含5个）以上" [U]; below it the sections' values are averaged).
const ProportionMethodMin = 5

// Summarize assesses a set of sections (2011 method).
func Summarize(results []SectionResult, rules Rules) SetSummary {
	var s SetSummary
	s.Sections = len(results)
	for _, r := range results {
		if r.Class == Unclassified {
			continue
		}
		s.Classified++
		s.ClassCounts[r.Class]++
		if r.Compliant {
			s.Compliant++
		}
	}
	if s.Classified == 0 {
		return s
	}
	pct := func(n int) *big.Rat { return big.NewRat(int64(n*100), int64(s.Classified)) }
	s.ComplianceRate = pct(s.Compliant)
	s.GoodShare = pct(s.ClassCounts[1] + s.ClassCounts[2] + s.ClassCounts[3])
	s.WorseThanVShare = pct(s.ClassCounts[6])
	if s.Classified < ProportionMethodMin {
		samples := make([]Sample, 0, len(results))
		body := River
		for _, r := range results {
			if r.Class != Unclassified {
				samples = append(samples, r.Value)
				body = r.Body
			}
		}
		mean := PeriodValue(samples)
		s.Class = Evaluate(&mean, body, rules).Class
		s.Status = s.Class.Status()
		return s
	}
	s.Status = proportionStatus(s.GoodShare, s.WorseThanVShare)
	return s
}

func proportionStatus(good, bad *big.Rat) string {
	ge := func(r *big.Rat, n int64) bool { return r.Cmp(big.NewRat(n, 1)) >= 0 }
	switch {
	case ge(good, 90):
		return "优"
	case ge(good, 75):
		return "良好"
	case !ge(bad, 20):
		return "轻度污染"
	case !ge(bad, 40):
		return "中度污染"
	default:
		return "重度污染"
	}
}

// Trend compares two years of a set (2011 method): ΔG is the change of the Class I–III
// share, ΔD of the 劣V share, both in percentage points.
type Trend struct {
	Delta *big.Rat // ΔG − ΔD
	// Direction is "好转" (> 0), "变差" (< 0) or "持平" (0).
	Direction string
	// Degree: "无明显变化" (|Δ| ≤ 10), "有所" (10 < |Δ| ≤ 20), "明显" (> 20). The 20-point
	// bound is [2]; the 10-point band follows the method's text as commonly reproduced [U].
	Degree string
}

// DirectionCode and DegreeCode are the trend's words for machines (metric labels).
func (t Trend) DirectionCode() string {
	return map[string]string{"好转": "improved", "变差": "deteriorated", "持平": "unchanged"}[t.Direction]
}

// DegreeCode: none, slight, significant.
func (t Trend) DegreeCode() string {
	return map[string]string{"无明显变化": "none", "有所": "slight", "明显": "significant"}[t.Degree]
}

// Verdict is the trend as reports write it: "无明显变化", "有所好转", "明显变差".
func (t Trend) Verdict() string {
	if t.Degree == "无明显变化" {
		return t.Degree
	}
	return t.Degree + t.Direction
}

// CompareYears computes the trend from last year's summary to this year's.
func CompareYears(prev, cur SetSummary) (Trend, bool) {
	if prev.GoodShare == nil || cur.GoodShare == nil {
		return Trend{}, false
	}
	dg := new(big.Rat).Sub(cur.GoodShare, prev.GoodShare)
	dd := new(big.Rat).Sub(cur.WorseThanVShare, prev.WorseThanVShare)
	t := Trend{Delta: dg.Sub(dg, dd)}
	switch t.Delta.Sign() {
	case 1:
		t.Direction = "好转"
	case -1:
		t.Direction = "变差"
	default:
		t.Direction = "持平"
	}
	abs := new(big.Rat).Abs(t.Delta)
	switch {
	case abs.Cmp(big.NewRat(10, 1)) <= 0:
		t.Degree = "无明显变化"
	case abs.Cmp(big.NewRat(20, 1)) <= 0:
		t.Degree = "有所"
	default:
		t.Degree = "明显"
	}
	return t, true
}

// Source is a centralised drinking-water source (集中式生活饮用水地表水源地).
type Source struct {
	Code   string
	Body   Body
	Value  Sample
	Volume *big.Rat // water taken in the period (any unit); nil when unknown
}

// SourceResult is a source's compliance: every evaluated Table 1 item within Class III and
// every Table 2 item within its limit.
type SourceResult struct {
	Source
	Compliant bool
	Failing   []Item
	Evaluated int // items evaluated
}

// AssessSource evaluates a drinking-water source.
func AssessSource(s Source, rules Rules) SourceResult {
	r := SourceResult{Source: s}
	e := Evaluate(&s.Value, s.Body, rules)
	for _, it := range Evaluated {
		if c := e.ItemClass[it]; c != Unclassified {
			r.Evaluated++
			if c > ClassIII {
				r.Failing = append(r.Failing, it)
			}
		}
	}
	for _, it := range []Item{Sulfate, Chloride, Nitrate, Fe, Mn} {
		v, ok := e.Values.Get(it)
		if !ok {
			continue
		}
		r.Evaluated++
		if v > table2[it].limits[0] {
			r.Failing = append(r.Failing, it)
		}
	}
	r.Compliant = r.Evaluated > 0 && len(r.Failing) == 0
	return r
}

// SourceSummary is the drinking-water indicator of an area.
type SourceSummary struct {
	Sources, Compliant int
	Share              *big.Rat // compliant sources, percent
	VolumeRate         *big.Rat // 达标取水量 / 取水量, percent; nil unless every source has a volume
}

// SummarizeSources computes the share of compliant sources and the volume-weighted rate.
func SummarizeSources(results []SourceResult) SourceSummary {
	s := SourceSummary{Sources: len(results)}
	total, good := new(big.Rat), new(big.Rat)
	volumes := true
	for _, r := range results {
		if r.Compliant {
			s.Compliant++
		}
		if r.Volume == nil {
			volumes = false
			continue
		}
		total.Add(total, r.Volume)
		if r.Compliant {
			good.Add(good, r.Volume)
		}
	}
	if s.Sources > 0 {
		s.Share = big.NewRat(int64(s.Compliant*100), int64(s.Sources))
	}
	if volumes && total.Sign() > 0 {
		s.VolumeRate = good.Mul(good, big.NewRat(100, 1))
		s.VolumeRate.Quo(s.VolumeRate, total)
	}
	return s
}
