package indicator

import (
	"math"
	"math/big"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/waterquality"
)

// waterSites evaluates every section and source of an area ("" = all) for the year to asOf.
func (c *Calculator) waterSites(year int, asOf airquality.Day, area string) []SectionResult {
	from := airquality.YearStart(year).Start()
	to := (asOf + 1).Start()
	var out []SectionResult
	for _, s := range c.Sites {
		if area != "" && !c.within(s.Area, area) {
			continue
		}
		out = append(out, c.waterSite(s, year, asOf, from, to))
	}
	return out
}

// waterSite evaluates one site, reusing the last evaluation while the site's samples
// (by their version) and the as-of day are unchanged: a snapshot asks for each section once
// per enclosing area, and at national scale re-evaluating 3,600 sections each time cost
// half a second per snapshot.
func (c *Calculator) waterSite(s WaterSite, year int, asOf airquality.Day, from, to time.Time) SectionResult {
	v, versioned := c.Water.(waterVersioner)
	key := waterKey{s.Code, year}
	var version uint64
	if versioned {
		version = v.WaterVersion(s.Code)
		c.mu.Lock()
		e, ok := c.waterCache[key]
		c.mu.Unlock()
		if ok && e.asOf == asOf && e.version == version {
			return e.result
		}
	}
	r := c.evaluateSite(s, from, to)
	if versioned {
		c.mu.Lock()
		if c.waterCache == nil {
			c.waterCache = map[waterKey]waterEntry{}
		}
		c.waterCache[key] = waterEntry{asOf: asOf, version: version, result: r}
		c.mu.Unlock()
	}
	return r
}

// waterVersioner is water data that can say cheaply whether a site's samples changed.
type waterVersioner interface {
	WaterVersion(site string) uint64
}

type waterKey struct {
	code string
	year int
}

type waterEntry struct {
	asOf    airquality.Day
	version uint64
	result  SectionResult
}

func (c *Calculator) evaluateSite(s WaterSite, from, to time.Time) SectionResult {
	return EvaluateSite(s, c.Water.WaterSamples(s.Code, from, to), c.Opt.Water)
}

// EvaluateSite classifies a site's samples of a period — by the indicators and by the
// water_period series alike: the class of the period values, the main pollutants, and
// whether the target is met (a source: Class III and Table 2). The samples are the store's:
// below-detection values are substituted here, per rules.
func EvaluateSite(s WaterSite, samples []waterquality.Sample, rules waterquality.Rules) SectionResult {
	r := SectionResult{Code: s.Code, Name: s.Name, Area: s.Area, River: s.River, Level: s.Level, Target: s.Target,
		Samples: len(samples), Source: s.Source, Months: sampleMonths(samples)}
	if len(samples) > 0 {
		for i := range samples {
			waterquality.Substitute(&samples[i], rules.BelowDetection)
		}
		pv := waterquality.PeriodValue(samples)
		if s.Source {
			sr := waterquality.AssessSource(waterquality.Source{Code: s.Code, Body: s.Body, Value: pv, Volume: s.Volume}, rules)
			e := waterquality.Evaluate(&pv, s.Body, rules)
			r.Class, r.Compliant, r.Main = e.Class, sr.Compliant, e.Main
		} else {
			sr := waterquality.AssessSection(waterquality.Section{Code: s.Code, Body: s.Body, Target: s.Target, Value: pv}, rules)
			r.Class, r.Compliant, r.Main = sr.Class, sr.Compliant, sr.Main
		}
	}
	return r
}

// sampleMonths counts the calendar months (Asia/Shanghai) with a sample of known time.
func sampleMonths(samples []waterquality.Sample) int {
	seen := map[int]bool{}
	for i := range samples {
		if t := samples[i].Taken; !t.IsZero() {
			l := t.In(airquality.Shanghai)
			seen[l.Year()*12+int(l.Month())] = true
		}
	}
	return len(seen)
}

// needMonths is the water comparison rule for a period from 1 January to asOf: months with
// a sample in at least share of the period's whole months, rounded up, and at least one.
func needMonths(asOf airquality.Day, share float64) int {
	if share <= 0 {
		share = 0.75
	}
	y, m, _ := asOf.Date()
	whole := int(m) - 1
	if airquality.Month(y, m).To == asOf {
		whole++ // asOf ends its month
	}
	return max(int(math.Ceil(share*float64(whole)-1e-9)), 1)
}

// waterBasis is the basis of a comparison of the sites (sources or sections) between the
// two periods.
func waterBasis(cur, prev []SectionResult, sources bool, need int) *WaterBasis {
	months := func(rs []SectionResult) map[string]int {
		m := map[string]int{}
		for _, r := range rs {
			if r.Source == sources && r.Samples > 0 {
				m[r.Code] = r.Months
			}
		}
		return m
	}
	now, last := months(cur), months(prev)
	b := &WaterBasis{NeedMonths: need, FewestNow: -1, FewestLast: -1}
	seen := map[string]bool{}
	for _, m := range []map[string]int{now, last} {
		for code := range m {
			if seen[code] {
				continue
			}
			seen[code] = true
			b.Sites++
			n, l := now[code], last[code]
			if n < need {
				b.ShortNow++
			}
			if l < need {
				b.ShortLast++
			}
			if b.FewestNow < 0 || n < b.FewestNow {
				b.FewestNow = n
			}
			if b.FewestLast < 0 || l < b.FewestLast {
				b.FewestLast = l
			}
		}
	}
	if b.Sites == 0 {
		return nil
	}
	return b
}

// compareWater sets a water result's change, or withholds it with the reason.
func compareWater(res *Result, b *WaterBasis) {
	res.WaterBasis = b
	switch {
	case !b.Comparable():
		res.ChangeReason = WaterSamplesShort
	default:
		if res.Change = ppChange(res.Current, res.LastYear); res.Change == nil {
			res.ChangeReason = NoLastYear
		}
	}
}

func complianceRate(rs []SectionResult, sources bool) (*big.Rat, int, int) {
	n, ok := 0, 0
	for _, r := range rs {
		if r.Source != sources || r.Samples == 0 {
			continue
		}
		n++
		if r.Compliant {
			ok++
		}
	}
	if n == 0 {
		return nil, 0, 0
	}
	return big.NewRat(int64(100*ok), int64(n)), ok, n
}

func (c *Calculator) waterIndicators(area string, spec *Spec, asOf airquality.Day, final bool) []Result {
	cur := c.waterSites(asOf.Year(), asOf, area)
	if len(cur) == 0 {
		return nil
	}
	lastAsOf := airquality.YearToDate(asOf).SamePeriodLastYear().To
	prev := c.waterSites(asOf.Year()-1, lastAsOf, area)
	var out []Result
	need := needMonths(asOf, c.Opt.WaterMinMonthShare)
	sectionBasis, sourceBasis := waterBasis(cur, prev, false, need), waterBasis(cur, prev, true, need)
	// Shares of Class I–III and 劣V sections (2011 method) with last year's same period and
	// the change in percentage points, and the method's trend — each only on a comparable
	// basis.
	curSum, prevSum := sectionSummary(cur, c.Opt.Water), sectionSummary(prev, c.Opt.Water)
	if curSum.Classified > 0 {
		good := func(s waterquality.SetSummary) int { return s.ClassCounts[1] + s.ClassCounts[2] + s.ClassCounts[3] }
		for _, k := range []struct {
			name      string
			cur, prev *big.Rat
			n         int
		}{{SectionsGoodShare, curSum.GoodShare, prevSum.GoodShare, good(curSum)},
			{SectionsWorseThanVShare, curSum.WorseThanVShare, prevSum.WorseThanVShare, curSum.ClassCounts[6]}} {
			res := Result{Area: area, Indicator: k.name, Unit: "%", Current: num(k.cur, 1), LastYear: num(k.prev, 1), Valid: true,
				Compliant: k.n, Total: curSum.Classified}
			compareWater(&res, sectionBasis)
			out = append(out, res)
		}
		if t, ok := waterquality.CompareYears(prevSum, curSum); ok {
			res := Result{Area: area, Indicator: SectionsTrend, Unit: "pp", Valid: true, WaterBasis: sectionBasis}
			if sectionBasis.Comparable() {
				res.Current, res.Trend = num(t.Delta, 1), &t
			} else {
				res.Valid, res.ChangeReason = false, WaterSamplesShort // the trend is a comparison too
			}
			out = append(out, res)
		}
	}
	for _, k := range []struct {
		name    string
		sources bool
		target  *big.Rat
		basis   *WaterBasis
	}{{SectionsCompliance, false, ratOf(spec.SectionsCompliance), sectionBasis}, {DrinkingWater, true, ratOf(spec.DrinkingWater), sourceBasis}} {
		rate, ok, n := complianceRate(cur, k.sources)
		prate, _, _ := complianceRate(prev, k.sources)
		if n == 0 && k.target == nil {
			continue
		}
		res := Result{Area: area, Indicator: k.name, Unit: "%", Current: num(rate, 1), LastYear: num(prate, 1), Valid: rate != nil,
			Compliant: ok, Total: n}
		compareWater(&res, k.basis)
		if k.target != nil {
			res.Target, res.Direction = num(k.target, 1), AtLeast
			if rate != nil {
				res.Status = simpleStatus(rate, k.target, AtLeast, final)
			} else {
				res.Status = InsufficientData
			}
		}
		out = append(out, res)
	}
	if r, ok := c.volumeRate(cur, prev, area); ok {
		compareWater(&r, sourceBasis)
		out = append(out, r)
	}
	return out
}

// sectionSummary summarises the sections (not sources) with samples.
func sectionSummary(rs []SectionResult, rules waterquality.Rules) waterquality.SetSummary {
	var in []waterquality.SectionResult
	for _, r := range rs {
		if r.Source || r.Samples == 0 {
			continue
		}
		sr := waterquality.SectionResult{Compliant: r.Compliant}
		sr.Class = r.Class
		in = append(in, sr)
	}
	return waterquality.Summarize(in, rules)
}

// volumeRate is the volume-weighted drinking-water compliance (达标取水量 / 取水量), when
// every source with samples has an annual volume configured.
func (c *Calculator) volumeRate(cur, prev []SectionResult, area string) (Result, bool) {
	volumes := map[string]*big.Rat{}
	for _, s := range c.Sites {
		if s.Source {
			volumes[s.Code] = s.Volume
		}
	}
	rate := func(rs []SectionResult) *big.Rat {
		var in []waterquality.SourceResult
		for _, r := range rs {
			if !r.Source || r.Samples == 0 {
				continue
			}
			in = append(in, waterquality.SourceResult{Source: waterquality.Source{Code: r.Code, Volume: volumes[r.Code]}, Compliant: r.Compliant})
		}
		if len(in) == 0 {
			return nil
		}
		return waterquality.SummarizeSources(in).VolumeRate
	}
	cr := rate(cur)
	if cr == nil {
		return Result{}, false
	}
	return Result{Area: area, Indicator: DrinkingWaterVolume, Unit: "%", Current: num(cr, 1), LastYear: num(rate(prev), 1), Valid: true}, true
}
