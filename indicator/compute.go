package indicator

import (
	"math/big"
	"slices"
	"sync"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/areas"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/waterquality"
)

// AirData answers area days (the air engine).
type AirData interface {
	AreaDays(area string, r airquality.Range) []airquality.DayValues
}

// WaterData answers a site's samples with End in [from, to) (the pipeline).
type WaterData interface {
	WaterSamples(site string, from, to time.Time) []waterquality.Sample
}

// Area is a configured area.
type Area struct{ ID, Name, Parent, Kind string }

// WaterSite is a section or a drinking-water source.
type WaterSite struct {
	Code, Name, Area, River, Level string
	Body                           waterquality.Body
	Target                         waterquality.Class
	Source                         bool
	Volume                         *big.Rat
}

// Spec is an area's targets for a year; nil fields have no target.
type Spec struct {
	Area               string
	Year               int
	PM25, PM10         *fixed.Dec
	GoodDays           *int
	GoodDayRatio       *fixed.Dec
	O3ExceedanceDays   *int
	O3Season           *airquality.Season
	HeavyDays          *int
	Composite          *fixed.Dec
	PM25YoY, PM10YoY   *fixed.Dec
	SectionsCompliance *fixed.Dec
	DrinkingWater      *fixed.Dec
	Reported           []Reported
}

// Reported is an indicator whose value comes from a file.
type Reported struct {
	Name, Unit string
	Target     *fixed.Dec
	Direction  Direction
	Value      *fixed.Dec // nil until reported
}

// Options are the assessment switches.
type Options struct {
	Period airquality.PeriodOptions
	// SandDust holds each area's deducted days.
	SandDust    map[string]map[airquality.Day]airquality.SandMask
	YoYDecimals int // default 1 (R13)
	Water       waterquality.Rules
	// WaterMinMonthShare is the water comparison rule (default 0.75; docs/targets.md,
	// "Water comparisons").
	WaterMinMonthShare float64
}

// Calculator computes snapshots.
type Calculator struct {
	Air   AirData
	Water WaterData
	Areas []Area
	Sites []WaterSite
	Specs []Spec
	Opt   Options
	// Assessments are the monthly assessments of areas' units.
	Assessments []AssessSpec

	treeOnce sync.Once
	tree     *areas.Tree

	mu         sync.Mutex
	airCache   map[string]airEntry // per area: the air indicators and what they were computed from
	waterCache map[waterKey]waterEntry
	endCache   map[endKey]endEntry
}

// airVersioner is air data that can fingerprint an area's days cheaply (the pipeline):
// the air indicators of an area are then recomputed only when its data changed — in a
// national year that is seconds of exact arithmetic saved on every snapshot.
type airVersioner interface {
	AreaVersion(area string, r airquality.Range) uint64
}

// airStations is air data that knows an area's stations (the pipeline).
type airStations interface {
	AreaStations(area string) []string
}

type airEntry struct {
	asOf, dataEnd airquality.Day
	version       uint64
	results       []Result
	na            []airquality.Day
}

// SpecFor returns an area's targets for a year (nil: none).
func (c *Calculator) SpecFor(area string, year int) *Spec { return c.spec(area, year) }

func (c *Calculator) spec(area string, year int) *Spec {
	for i := range c.Specs {
		if c.Specs[i].Area == area && c.Specs[i].Year == year {
			return &c.Specs[i]
		}
	}
	return nil
}

// within reports whether area a is area or lies below it.
func (c *Calculator) within(a, area string) bool {
	return c.areaTree().Within(a, area)
}

// areaTree is the hierarchy of c.Areas (built once: the areas do not change).
func (c *Calculator) areaTree() *areas.Tree {
	c.treeOnce.Do(func() {
		nodes := make([]areas.Node, 0, len(c.Areas))
		for _, x := range c.Areas {
			nodes = append(nodes, areas.Node{ID: x.ID, Parent: x.Parent})
		}
		c.tree = areas.New(nodes)
	})
	return c.tree
}

// Compute evaluates every area on asOf, the last day to count (inclusive), as asked for:
// days after an area's data end are counted as not yet reported (missing), so a
// statistic over them is not valid.
func (c *Calculator) Compute(asOf airquality.Day, now time.Time) Snapshot {
	return c.compute("", asOf, true, now)
}

// ComputeFor evaluates one area only (a report): explicit as in Compute, otherwise as in
// ComputeLatest. Water sites are those of the area.
func (c *Calculator) ComputeFor(area string, asOf airquality.Day, explicit bool, now time.Time) Snapshot {
	return c.compute(area, asOf, explicit, now)
}

// ComputeLatest evaluates every area through its data end: the newest day, no later than
// upTo (yesterday: today is not complete), whose daily AQI is determinable. The same
// period last year then ends on the same calendar day, so days not yet reported are not
// compared with days that were.
func (c *Calculator) ComputeLatest(upTo airquality.Day, now time.Time) Snapshot {
	return c.compute("", upTo, false, now)
}

func (c *Calculator) compute(only string, asOf airquality.Day, explicit bool, now time.Time) Snapshot {
	snap := Snapshot{AsOf: asOf, Year: asOf.Year(), Computed: now}
	for _, a := range c.Areas {
		if only != "" && a.ID != only {
			continue
		}
		info := AreaInfo{Area: a.ID, AsOf: asOf, Explicit: explicit}
		info.DataEnd = c.DataEnd(a.ID, asOf)
		if st, ok := c.Air.(airStations); ok && len(st.AreaStations(a.ID)) == 0 {
			info.NoAir, info.DataEnd = true, c.waterEnd(a.ID, asOf)
		}
		switch {
		case info.NoAir:
			// Water is sampled monthly: the period runs to the as-of day whatever the
			// newest sample's day.
		case !explicit && info.DataEnd >= airquality.Year(asOf.Year()).From:
			info.AsOf = info.DataEnd
		case explicit && info.DataEnd < asOf:
			// Data that go on after the as-of day make its last NA days NA, not unreported.
			if ahead := min(asOf+dataEndLookahead, airquality.DayOf(now)-1); ahead > asOf && c.DataEnd(a.ID, ahead) > asOf {
				info.DataEnd = asOf
			}
		}
		res, na := c.area(a.ID, info)
		info.NADays = na
		for _, s := range c.Sites {
			if c.within(s.Area, a.ID) {
				info.WaterSites = append(info.WaterSites, s.Code)
			}
		}
		snap.Results = append(snap.Results, res...)
		snap.Areas = append(snap.Areas, info)
	}
	snap.Water = c.waterSites(snap.Year, asOf, only)
	last := c.waterSites(snap.Year-1, airquality.YearToDate(asOf).SamePeriodLastYear().To, only)
	byCode := make(map[string]*SectionResult, len(last))
	for j := range last {
		byCode[last[j].Code] = &last[j]
	}
	for i := range snap.Water {
		snap.Water[i].LastYear = byCode[snap.Water[i].Code]
	}
	return snap
}

// waterEnd is the day of the newest water sample of the area's sites no later than upTo
// and within its year (zero when there is none).
func (c *Calculator) waterEnd(area string, upTo airquality.Day) airquality.Day {
	if c.Water == nil {
		return 0
	}
	from, to := airquality.Year(upTo.Year()).From.Start(), (upTo + 1).Start()
	end := airquality.Day(0)
	for _, s := range c.Sites {
		if !c.within(s.Area, area) {
			continue
		}
		for _, smp := range c.Water.WaterSamples(s.Code, from, to) {
			if !smp.Taken.IsZero() {
				end = max(end, airquality.DayOf(smp.Taken))
			}
		}
	}
	return end
}

// dataEndSearch is how far back the data end is looked for; dataEndLookahead how far
// after an explicit as-of day data are looked for to tell NA days from unreported ones.
const (
	dataEndSearch    = 366
	dataEndLookahead = 7
)

// DataEnd is the newest day no later than upTo with a determinable daily AQI for the
// area (zero when there is none within a year).
func (c *Calculator) DataEnd(area string, upTo airquality.Day) airquality.Day {
	r := airquality.Range{From: upTo - dataEndSearch, To: upTo}
	v, versioned := c.Air.(airVersioner)
	var version uint64
	if versioned {
		version = v.AreaVersion(area, r)
		c.mu.Lock()
		e, ok := c.endCache[endKey{area, upTo}]
		c.mu.Unlock()
		if ok && e.version == version {
			return e.end
		}
	}
	end := airquality.Day(0)
	days := c.Air.AreaDays(area, r)
	for i := len(days) - 1; i >= 0; i-- {
		if !airquality.DailyAQI(&days[i], c.Opt.Period.AQI).NA {
			end = days[i].Day
			break
		}
	}
	if versioned {
		c.mu.Lock()
		if c.endCache == nil || len(c.endCache) > 4*len(c.Areas)+16 {
			c.endCache = map[endKey]endEntry{} // old days' entries are not asked for again
		}
		c.endCache[endKey{area, upTo}] = endEntry{version, end}
		c.mu.Unlock()
	}
	return end
}

type endKey struct {
	area string
	upTo airquality.Day
}

type endEntry struct {
	version uint64
	end     airquality.Day
}

// yearEnd is 31 December of the year of d.
func yearEnd(d airquality.Day) airquality.Day { return airquality.Year(d.Year()).To }

func (c *Calculator) area(area string, info AreaInfo) ([]Result, []airquality.Day) {
	asOf := info.AsOf
	year := asOf.Year()
	spec := c.spec(area, year)
	if spec == nil {
		spec = &Spec{Area: area, Year: year}
	}
	final := asOf == yearEnd(asOf)
	e := c.airIndicators(area, spec, info)
	out := e.results
	out = append(out, c.waterIndicators(area, spec, asOf, final)...)
	for _, rep := range spec.Reported {
		res := Result{Area: area, Indicator: rep.Name, Unit: rep.Unit, Direction: rep.Direction, Valid: rep.Value != nil}
		if rep.Value != nil {
			res.Current = num(rep.Value.Rat(), decimalsOf(*rep.Value))
		}
		if rep.Target != nil {
			res.Target = num(rep.Target.Rat(), decimalsOf(*rep.Target))
			if rep.Value != nil {
				res.Status = simpleStatus(rep.Value.Rat(), rep.Target.Rat(), rep.Direction, final)
			}
		}
		out = append(out, res)
	}
	return out, e.na
}

// airIndicators are an area's air results, reused while the area's data from 1 January
// last year to the as-of day and the evaluation window are unchanged.
func (c *Calculator) airIndicators(area string, spec *Spec, info AreaInfo) airEntry {
	v, ok := c.Air.(airVersioner)
	if !ok {
		return c.computeAir(area, spec, info)
	}
	version := v.AreaVersion(area, airquality.Range{From: airquality.Year(info.AsOf.Year() - 1).From, To: info.AsOf})
	c.mu.Lock()
	e, hit := c.airCache[area]
	c.mu.Unlock()
	if hit && e.asOf == info.AsOf && e.dataEnd == info.DataEnd && e.version == version {
		return airEntry{results: slices.Clone(e.results), na: e.na}
	}
	e = c.computeAir(area, spec, info)
	e.version = version
	c.mu.Lock()
	if c.airCache == nil {
		c.airCache = map[string]airEntry{}
	}
	c.airCache[area] = airEntry{asOf: e.asOf, dataEnd: e.dataEnd, version: version, results: slices.Clone(e.results), na: e.na}
	c.mu.Unlock()
	return e
}

func (c *Calculator) computeAir(area string, spec *Spec, info AreaInfo) airEntry {
	asOf := info.AsOf
	entry := airEntry{asOf: asOf, dataEnd: info.DataEnd}
	r := airquality.YearToDate(asOf)
	final := asOf == yearEnd(asOf)
	rl := r.SamePeriodLastYear()
	full := airquality.Year(asOf.Year() - 1)
	remaining := int(yearEnd(asOf) - asOf)
	days := c.Air.AreaDays(area, r)
	daysL := c.Air.AreaDays(area, airquality.Range{From: full.From, To: full.To})
	if len(days) == 0 && len(daysL) == 0 {
		return entry
	}
	opt := c.Opt.Period
	opt.SandDust = c.Opt.SandDust[area]
	season := airquality.HenanSummer
	if spec.O3Season != nil {
		season = *spec.O3Season
	}
	opt.O3Season = &season
	cur := airquality.Assess(days, r, opt)
	prev := airquality.Assess(daysL, rl, opt)
	prevFull := airquality.Assess(daysL, full, opt)
	optC := opt
	optC.AQI.ShiftYears = 1
	var prevC *airquality.PeriodStats
	if editionsDiffer(rl) {
		p := airquality.Assess(daysL, rl, optC)
		prevC = &p
	}
	var noSand *airquality.PeriodStats
	if len(opt.SandDust) > 0 {
		o := opt
		o.SandDust = nil
		p := airquality.Assess(days, r, o)
		noSand = &p
	}
	// The rest of last year: what the remaining days have typically looked like.
	var restLast *airquality.PeriodStats
	if remaining > 0 {
		rr := airquality.Range{From: rl.To + 1, To: full.To}
		p := airquality.Assess(daysL, rr, opt)
		restLast = &p
	}
	notReported := 0
	if info.DataEnd < asOf {
		notReported = int(asOf - max(info.DataEnd, r.From-1))
	}
	for _, d := range cur.NADays {
		if d <= info.DataEnd {
			entry.na = append(entry.na, d)
		}
	}
	ctx := airCtx{area: area, spec: spec, cur: &cur, prev: &prev, prevFull: &prevFull, prevC: prevC, noSand: noSand, restLast: restLast,
		elapsed: r.Days(), remaining: remaining, final: final, asOf: asOf, season: season, yoyPlaces: c.yoyPlaces(),
		notReported: notReported}
	out := []Result{ctx.mean(airquality.PM25, PM25Mean, spec.PM25), ctx.mean(airquality.PM10, PM10Mean, spec.PM10),
		ctx.goodDays(), ctx.goodRatio(), ctx.o3Days(), ctx.heavyDays(), ctx.composite()}
	out = append(out, ctx.yoyTarget(PM25YoY, spec.PM25YoY, out[0]), ctx.yoyTarget(PM10YoY, spec.PM10YoY, out[1]))
	out = append(out, ctx.mean(airquality.SO2, SO2Mean, nil), ctx.mean(airquality.NO2, NO2Mean, nil),
		ctx.percentile(airquality.CO, COP95), ctx.percentile(airquality.O3, O3P90),
		ctx.dayCount(ValidDays, func(p *airquality.PeriodStats) int { return p.ValidDays }),
		ctx.dayCount(ExceedanceDays, func(p *airquality.PeriodStats) int { return p.ExceedanceDays }))
	entry.results = out
	return entry
}

func (c *Calculator) yoyPlaces() int {
	if c.Opt.YoYDecimals > 0 {
		return c.Opt.YoYDecimals
	}
	return 1
}

// editionsDiffer reports whether any day of last year's period falls under another HJ 633
// edition than the same date this year.
func editionsDiffer(r airquality.Range) bool {
	for d := r.From; d <= r.To; d++ {
		if airquality.ForDay(d.Start()) != airquality.ForDay(d.Start().AddDate(1, 0, 0)) {
			return true
		}
	}
	return false
}

func decimalsOf(d fixed.Dec) int {
	for p := 0; p < fixed.Places; p++ {
		if d.Round(p) == d {
			return p
		}
	}
	return fixed.Places
}

// simpleStatus compares a value with a target: final → met/missed, else on
// track/at risk.
func simpleStatus(v, t *big.Rat, dir Direction, final bool) Status {
	ok := v.Cmp(t) <= 0
	if dir == AtLeast {
		ok = v.Cmp(t) >= 0
	}
	switch {
	case final && ok:
		return Met
	case final:
		return Missed
	case ok:
		return OnTrack
	default:
		return AtRisk
	}
}

// yoyPercent is (cur − prev)/prev × 100 from the published rounded values (R13).
func yoyPercent(cur, prev *Num, places int) *Num {
	if !cur.OK() || !prev.OK() {
		return nil
	}
	c, _ := new(big.Rat).SetString(cur.Text)
	p, _ := new(big.Rat).SetString(prev.Text)
	if p.Sign() == 0 {
		return nil
	}
	ch := new(big.Rat).Sub(c, p)
	ch.Mul(ch, big.NewRat(100, 1)).Quo(ch, p)
	return num(ch, places)
}

// ppChange is the difference of two published ratios in percentage points (R14).
func ppChange(cur, prev *Num) *Num {
	if !cur.OK() || !prev.OK() {
		return nil
	}
	c, _ := new(big.Rat).SetString(cur.Text)
	p, _ := new(big.Rat).SetString(prev.Text)
	return num(new(big.Rat).Sub(c, p), 1)
}

func intPtr(n int) *int { return &n }

func ratInt(n int) *big.Rat { return big.NewRat(int64(n), 1) }

func ratOf(d *fixed.Dec) *big.Rat {
	if d == nil {
		return nil
	}
	return d.Rat()
}
