package target

import (
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
	samples := c.Water.WaterSamples(s.Code, from, to)
	r := SectionResult{Code: s.Code, Name: s.Name, Area: s.Area, River: s.River, Level: s.Level, Target: s.Target,
		Samples: len(samples), Source: s.Source}
	if len(samples) > 0 {
		for i := range samples {
			waterquality.Substitute(&samples[i], c.Opt.Water.BelowDetection)
		}
		pv := waterquality.PeriodValue(samples)
		if s.Source {
			sr := waterquality.AssessSource(waterquality.Source{Code: s.Code, Body: s.Body, Value: pv, Volume: s.Volume}, c.Opt.Water)
			e := waterquality.Evaluate(&pv, s.Body, c.Opt.Water)
			r.Class, r.Compliant, r.Main = e.Class, sr.Compliant, e.Main
		} else {
			sr := waterquality.AssessSection(waterquality.Section{Code: s.Code, Body: s.Body, Target: s.Target, Value: pv}, c.Opt.Water)
			r.Class, r.Compliant, r.Main = sr.Class, sr.Compliant, sr.Main
		}
	}
	return r
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
	// Shares of Class I–III and 劣V sections (2011 method), reported without targets.
	if n := countSections(cur); n > 0 {
		good, bad := 0, 0
		for _, r := range cur {
			if r.Source || r.Samples == 0 {
				continue
			}
			if r.Class <= waterquality.ClassIII {
				good++
			}
			if r.Class == waterquality.WorseThanV {
				bad++
			}
		}
		out = append(out, Result{Area: area, Indicator: SectionsGoodShare, Unit: "%", Current: num(big.NewRat(int64(100*good), int64(n)), 1), Valid: true},
			Result{Area: area, Indicator: SectionsWorseThanVShare, Unit: "%", Current: num(big.NewRat(int64(100*bad), int64(n)), 1), Valid: true})
	}
	for _, k := range []struct {
		name    string
		sources bool
		target  *big.Rat
	}{{SectionsCompliance, false, ratOf(spec.SectionsCompliance)}, {DrinkingWater, true, ratOf(spec.DrinkingWater)}} {
		rate, ok, n := complianceRate(cur, k.sources)
		prate, _, _ := complianceRate(prev, k.sources)
		if n == 0 && k.target == nil {
			continue
		}
		res := Result{Area: area, Indicator: k.name, Unit: "%", Current: num(rate, 1), LastYear: num(prate, 1), Valid: rate != nil,
			Compliant: ok, Total: n}
		res.Change = ppChange(res.Current, res.LastYear)
		if k.target != nil {
			res.Target, res.Direction = num(k.target, 1), AtLeast
			if rate != nil {
				res.Status = simpleStatus(rate, k.target, AtLeast, final)
			}
		}
		out = append(out, res)
	}
	return out
}

func countSections(rs []SectionResult) int {
	n := 0
	for _, r := range rs {
		if !r.Source && r.Samples > 0 {
			n++
		}
	}
	return n
}
