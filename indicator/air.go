package indicator

import (
	"math/big"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/fixed"
)

// airCtx holds one area's period statistics while its results are built.
type airCtx struct {
	area               string
	spec               *Spec
	cur, prev          *airquality.PeriodStats
	prevFull           *airquality.PeriodStats
	prevC, noSand      *airquality.PeriodStats
	restLast           *airquality.PeriodStats
	elapsed, remaining int
	notReported        int // days of this year's period after the data end
	final              bool
	asOf               airquality.Day
	season             airquality.Season
	yoyPlaces          int
}

func statNum(s airquality.Stat, p airquality.Pollutant) *Num {
	if s.Value == nil {
		return nil
	}
	return num(s.Value, p.Decimals())
}

func coverage(valid int, r airquality.Range, notReported int, reason airquality.Validity) Coverage {
	return Coverage{ValidDays: valid, CalendarDays: r.Days(), NotReported: notReported, Valid: reason == airquality.Valid && valid > 0,
		Reason: string(reason)}
}

// statCoverage is the coverage of a concentration statistic.
func statCoverage(s airquality.Stat, r airquality.Range, notReported int) Coverage {
	return coverage(s.N, r, notReported, s.Reason)
}

// dayCoverage is the coverage of the days with a valid daily AQI (day counts, ratios).
func dayCoverage(ps *airquality.PeriodStats, notReported int) Coverage {
	return coverage(ps.ValidDays, ps.Range, notReported, ps.DaysReason)
}

// compare sets the YoY change with f only when both periods are valid; otherwise it
// records why the comparison is withheld. The comparable basis likewise.
func (c *airCtx) compare(res *Result, f func(cur, prev *Num) *Num, prevC *Num, prevCValid bool) {
	switch {
	case res.LastYearCoverage.ValidDays == 0:
		res.ChangeReason = NoLastYear
	case !res.Coverage.Valid:
		res.ChangeReason = CurrentInvalid
	case !res.LastYearCoverage.Valid:
		res.ChangeReason = LastYearInvalid
	default:
		res.Change = f(res.Current, res.LastYear)
	}
	if prevC == nil {
		return
	}
	res.Comparable = prevC
	switch {
	case res.ChangeReason != "":
		res.ComparableReason = res.ChangeReason
	case !prevCValid:
		res.ComparableReason = ComparableAbsent
	default:
		res.ComparableChange = f(res.Current, prevC)
	}
}

func yoyWith(places int) func(cur, prev *Num) *Num {
	return func(cur, prev *Num) *Num { return yoyPercent(cur, prev, places) }
}

func dayChange(cur, prev *Num) *Num {
	if !cur.OK() || !prev.OK() {
		return nil
	}
	return num(new(big.Rat).Sub(cur.Exact, prev.Exact), 0)
}

// mean builds a mean indicator (PM2.5, PM10 with their targets; SO2, NO2).
func (c *airCtx) mean(p airquality.Pollutant, name string, target *fixed.Dec) Result {
	st := c.cur.Mean[p]
	res := Result{Area: c.area, Indicator: name, Pollutant: p.Code(), Unit: "µg/m³", Current: statNum(st, p),
		LastYear: statNum(c.prev.Mean[p], p), LastYearFull: statNum(c.prevFull.Mean[p], p), Reason: string(st.Reason),
		Coverage: statCoverage(st, c.cur.Range, c.notReported), LastYearCoverage: statCoverage(c.prev.Mean[p], c.prev.Range, 0),
		LastYearFullCoverage: statCoverage(c.prevFull.Mean[p], c.prevFull.Range, 0)}
	res.Valid = res.Coverage.Valid
	// Concentrations are the same under either HJ 633 table: no comparable basis.
	c.compare(&res, yoyWith(c.yoyPlaces), nil, false)
	if c.noSand != nil {
		res.WithoutSandDeduction = statNum(c.noSand.Mean[p], p)
	}
	if target == nil {
		return res
	}
	t := target.Rat()
	res.Target = num(t, decimalsOf(*target))
	if !res.Valid || st.Value == nil {
		res.Status = InsufficientData // no claim on a statistic the rules do not support
		return res
	}
	rounded, _ := new(big.Rat).SetString(res.Current.Text)
	if c.final {
		res.Status = simpleStatus(rounded, t, AtMost, true)
		return res
	}
	// The rest of the year (assumed all valid) must average x so that the annual mean of
	// daily values stays ≤ target: (sum + x·n_rem) / (n_done + n_rem) ≤ T.
	nDone, nRem := int64(st.N), int64(c.remaining)
	sum := new(big.Rat).Mul(st.Value, big.NewRat(nDone, 1))
	x := new(big.Rat).Mul(t, big.NewRat(nDone+nRem, 1))
	x.Sub(x, sum).Quo(x, big.NewRat(nRem, 1))
	res.RequiredRemaining = num(x, 1)
	switch {
	case x.Sign() < 0:
		res.Status = Missed // even air with none of it could not bring the mean down
	case rounded.Cmp(t) > 0:
		res.Status = AtRisk
	case c.restLast != nil && c.restLast.Mean[p].Value != nil && c.restLast.Mean[p].Value.Cmp(x) > 0:
		res.Status = AtRisk // last year the rest of the year was dirtier than it may be now
	default:
		res.Status = OnTrack
	}
	return res
}

// percentile builds an assessment percentile indicator (CO P95, O3 MDA8 P90).
func (c *airCtx) percentile(p airquality.Pollutant, name string) Result {
	st := c.cur.Percentile[p]
	unit := "µg/m³"
	if p == airquality.CO {
		unit = "mg/m³"
	}
	res := Result{Area: c.area, Indicator: name, Pollutant: p.Code(), Unit: unit, Current: statNum(st, p),
		LastYear: statNum(c.prev.Percentile[p], p), LastYearFull: statNum(c.prevFull.Percentile[p], p), Reason: string(st.Reason),
		Coverage: statCoverage(c.cur.Mean[p], c.cur.Range, c.notReported), LastYearCoverage: statCoverage(c.prev.Mean[p], c.prev.Range, 0),
		LastYearFullCoverage: statCoverage(c.prevFull.Mean[p], c.prevFull.Range, 0)}
	res.Valid = res.Coverage.Valid
	c.compare(&res, yoyWith(c.yoyPlaces), nil, false)
	return res
}

// count builds a day-count indicator with its coverage and comparisons.
func (c *airCtx) count(name string, get func(*airquality.PeriodStats) int) Result {
	res := Result{Area: c.area, Indicator: name, Unit: "days", Current: num(ratInt(get(c.cur)), 0),
		Coverage: dayCoverage(c.cur, c.notReported), LastYearCoverage: dayCoverage(c.prev, 0),
		LastYearFullCoverage: dayCoverage(c.prevFull, 0)}
	res.Valid, res.Reason = res.Coverage.Valid, res.Coverage.Reason
	if c.prev.ValidDays > 0 {
		res.LastYear = num(ratInt(get(c.prev)), 0)
	}
	if c.prevFull.ValidDays > 0 {
		res.LastYearFull = num(ratInt(get(c.prevFull)), 0)
	}
	var prevC *Num
	if c.prevC != nil && c.prev.ValidDays > 0 && get(c.prevC) != get(c.prev) {
		prevC = num(ratInt(get(c.prevC)), 0)
	}
	c.compare(&res, dayChange, prevC, true)
	if c.noSand != nil {
		res.WithoutSandDeduction = num(ratInt(get(c.noSand)), 0)
	}
	return res
}

// dayCount is a count reported for its own sake (valid days, days over 100).
func (c *airCtx) dayCount(name string, get func(*airquality.PeriodStats) int) Result {
	return c.count(name, get)
}

// goodDays: good days at least G. Good days only accumulate: reaching G is final.
func (c *airCtx) goodDays() Result {
	res := c.count(GoodDays, func(p *airquality.PeriodStats) int { return p.GoodDays })
	g := c.spec.GoodDays
	if g == nil {
		return res
	}
	res.Target, res.Direction = num(ratInt(*g), 0), AtLeast
	good := c.cur.GoodDays
	res.BudgetUsed = intPtr(c.elapsed - good) // days already not good (polluted or NA)
	res.BudgetLeft = intPtr(good + c.remaining - *g)
	switch {
	case !res.Valid:
		res.Status = InsufficientData
	case good >= *g:
		res.Status = Met
	case good+c.remaining < *g:
		res.Status = Missed
	case float64(good)+float64(c.remaining)*float64(good)/float64(c.elapsed) < float64(*g):
		res.Status = AtRisk // at this year's rate the target is not reached
	default:
		res.Status = OnTrack
	}
	return res
}

func ratioNum(r *big.Rat) *Num { return num(r, 1) }

func (c *airCtx) goodRatio() Result {
	res := Result{Area: c.area, Indicator: GoodDayRatio, Unit: "%", Current: ratioNum(c.cur.GoodRatio),
		LastYear: ratioNum(c.prev.GoodRatio), LastYearFull: ratioNum(c.prevFull.GoodRatio),
		Coverage: dayCoverage(c.cur, c.notReported), LastYearCoverage: dayCoverage(c.prev, 0), LastYearFullCoverage: dayCoverage(c.prevFull, 0)}
	res.Valid, res.Reason = res.Coverage.Valid, res.Coverage.Reason
	var prevC *Num
	if c.prevC != nil && c.prevC.GoodDays != c.prev.GoodDays {
		prevC = ratioNum(c.prevC.GoodRatio)
	}
	c.compare(&res, ppChange, prevC, true)
	if c.noSand != nil {
		res.WithoutSandDeduction = ratioNum(c.noSand.GoodRatio)
	}
	t := c.spec.GoodDayRatio
	if t == nil {
		return res
	}
	res.Target, res.Direction = num(t.Rat(), decimalsOf(*t)), AtLeast
	if !res.Valid || res.Current == nil {
		res.Status = InsufficientData
		return res
	}
	cur, _ := new(big.Rat).SetString(res.Current.Text)
	best := big.NewRat(int64(100*(c.cur.GoodDays+c.remaining)), int64(c.cur.ValidDays+c.remaining))
	switch {
	case c.final:
		res.Status = simpleStatus(cur, t.Rat(), AtLeast, true)
	case best.Cmp(t.Rat()) < 0:
		res.Status = Missed
	default:
		res.Status = simpleStatus(cur, t.Rat(), AtLeast, false)
	}
	return res
}

// budget evaluates an "at most E days" target over a window ending on windowEnd. Days
// already over the limit are a breach whatever the coverage (more data can only add
// days); any other status needs a valid count.
func (c *airCtx) budget(res *Result, limit *int, used, elapsedDays, totalDays int, windowOver bool) {
	if limit == nil {
		return
	}
	res.Target, res.Direction = num(ratInt(*limit), 0), AtMost
	res.BudgetUsed = intPtr(used)
	res.BudgetLeft = intPtr(*limit - used)
	switch {
	case used > *limit:
		res.Status = Missed
	case !res.Valid:
		res.Status = InsufficientData
	case windowOver:
		res.Status = Met
	case elapsedDays > 0 && float64(used)*float64(totalDays)/float64(elapsedDays) > float64(*limit):
		res.Status = AtRisk // at this year's rate the budget runs out
	case used == *limit && elapsedDays < totalDays:
		res.Status = AtRisk // no day left to spare
	default:
		res.Status = OnTrack
	}
}

func (c *airCtx) o3Days() Result {
	res := c.count(O3ExceedanceDays, func(p *airquality.PeriodStats) int { return p.O3ExceedanceDays })
	season := c.season
	res.Season = &season
	y := c.asOf.Year()
	from := airquality.DayFromDate(y, c.season.FromMonth, c.season.FromDay)
	to := airquality.DayFromDate(y, c.season.ToMonth, c.season.ToDay)
	elapsed := 0
	if c.asOf >= from {
		elapsed = int(min(c.asOf, to)-from) + 1
	}
	c.budget(&res, c.spec.O3ExceedanceDays, c.cur.O3ExceedanceDays, elapsed, int(to-from)+1, c.asOf >= to)
	return res
}

func (c *airCtx) heavyDays() Result {
	res := c.count(HeavyPollutionDays, func(p *airquality.PeriodStats) int { return p.HeavyDays })
	c.budget(&res, c.spec.HeavyDays, c.cur.HeavyDays, c.elapsed, c.elapsed+c.remaining, c.final)
	return res
}

// compositeCoverage: the index is valid when all its parts are; its days are those of
// the least-covered part.
func compositeCoverage(ps *airquality.PeriodStats, notReported int) Coverage {
	cov := Coverage{CalendarDays: ps.Range.Days(), NotReported: notReported, ValidDays: ps.Range.Days()}
	for p := airquality.Pollutant(0); p < airquality.NumPollutants; p++ {
		cov.ValidDays = min(cov.ValidDays, ps.Mean[p].N)
	}
	cov.Valid, cov.Reason = ps.Composite.OK(), string(ps.Composite.Reason)
	return cov
}

func (c *airCtx) composite() Result {
	res := Result{Area: c.area, Indicator: CompositeIndex, Unit: "index", Reason: string(c.cur.Composite.Reason),
		Coverage: compositeCoverage(c.cur, c.notReported), LastYearCoverage: compositeCoverage(c.prev, 0),
		LastYearFullCoverage: compositeCoverage(c.prevFull, 0)}
	res.Valid = res.Coverage.Valid
	if c.cur.Composite.Value != nil {
		res.Current = num(c.cur.Composite.Value, 2)
	}
	if c.prev.Composite.Value != nil {
		res.LastYear = num(c.prev.Composite.Value, 2)
	}
	if c.prevFull.Composite.Value != nil {
		res.LastYearFull = num(c.prevFull.Composite.Value, 2)
	}
	c.compare(&res, yoyWith(c.yoyPlaces), nil, false)
	if c.noSand != nil && c.noSand.Composite.Value != nil {
		res.WithoutSandDeduction = num(c.noSand.Composite.Value, 2)
	}
	if t := c.spec.Composite; t != nil {
		res.Target = num(t.Rat(), decimalsOf(*t))
		if !res.Valid || res.Current == nil {
			res.Status = InsufficientData
			return res
		}
		cur, _ := new(big.Rat).SetString(res.Current.Text)
		res.Status = simpleStatus(cur, t.Rat(), AtMost, c.final)
	}
	return res
}

// yoyTarget is a year-over-year reduction target on an annual mean (e.g. PM2.5 −5 %):
// its value is the mean's change, withheld (and the status insufficient_data) whenever
// the change is.
func (c *airCtx) yoyTarget(name string, target *fixed.Dec, mean Result) Result {
	res := Result{Area: c.area, Indicator: name, Pollutant: mean.Pollutant, Unit: "%", Current: mean.Change, Valid: mean.Change != nil,
		Coverage: mean.Coverage, LastYearCoverage: mean.LastYearCoverage, LastYearFullCoverage: mean.LastYearFullCoverage,
		ChangeReason: mean.ChangeReason}
	if target == nil {
		return res
	}
	res.Target = num(target.Rat(), decimalsOf(*target))
	if mean.Change == nil {
		res.Status = InsufficientData
		return res
	}
	cur, _ := new(big.Rat).SetString(mean.Change.Text)
	res.Status = simpleStatus(cur, target.Rat(), AtMost, c.final)
	return res
}
