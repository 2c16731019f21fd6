package target

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
	prevC, noSand      *airquality.PeriodStats
	restLast           *airquality.PeriodStats
	elapsed, remaining int
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

// mean builds an annual-mean indicator (PM2.5, PM10).
func (c *airCtx) mean(p airquality.Pollutant, name string, target *fixed.Dec) Result {
	st := c.cur.Mean[p]
	res := Result{Area: c.area, Indicator: name, Pollutant: p.Code(), Unit: "µg/m³", Current: statNum(st, p),
		LastYear: statNum(c.prev.Mean[p], p), Valid: st.OK(), Reason: string(st.Reason)}
	res.Change = yoyPercent(res.Current, res.LastYear, c.yoyPlaces)
	if c.noSand != nil {
		res.WithoutSandDeduction = statNum(c.noSand.Mean[p], p)
	}
	if target == nil || st.Value == nil {
		return res
	}
	t := target.Rat()
	res.Target = num(t, decimalsOf(*target))
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
		res.Status = Breached // even air with none of it could not bring the mean down
	case rounded.Cmp(t) > 0:
		res.Status = AtRisk
	case c.restLast != nil && c.restLast.Mean[p].Value != nil && c.restLast.Mean[p].Value.Cmp(x) > 0:
		res.Status = AtRisk // last year the rest of the year was dirtier than it may be now
	default:
		res.Status = OnTrack
	}
	return res
}

func (c *airCtx) count(name, unit string, cur, prev int, prevC *int) Result {
	res := Result{Area: c.area, Indicator: name, Unit: unit, Current: num(ratInt(cur), 0), Valid: true}
	if c.prev.ValidDays == 0 {
		return res // no data last year: no comparison, rather than a misleading 0
	}
	res.LastYear = num(ratInt(prev), 0)
	res.Change = num(ratInt(cur-prev), 0)
	if prevC != nil && *prevC != prev {
		res.Comparable = num(ratInt(*prevC), 0)
		res.ComparableChange = num(ratInt(cur-*prevC), 0)
	}
	return res
}

// goodDays: good days at least G. Good days only accumulate: reaching G is final.
func (c *airCtx) goodDays() Result {
	var pc *int
	if c.prevC != nil {
		pc = intPtr(c.prevC.GoodDays)
	}
	res := c.count(GoodDays, "days", c.cur.GoodDays, c.prev.GoodDays, pc)
	if c.noSand != nil {
		res.WithoutSandDeduction = num(ratInt(c.noSand.GoodDays), 0)
	}
	g := c.spec.GoodDays
	if g == nil {
		return res
	}
	res.Target, res.Direction = num(ratInt(*g), 0), AtLeast
	good := c.cur.GoodDays
	res.BudgetUsed = intPtr(c.elapsed - good) // days already not good (polluted or NA)
	res.BudgetLeft = intPtr(good + c.remaining - *g)
	switch {
	case good >= *g:
		res.Status = Met
	case good+c.remaining < *g:
		res.Status = Breached
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
		LastYear: ratioNum(c.prev.GoodRatio), Valid: c.cur.GoodRatio != nil}
	res.Change = ppChange(res.Current, res.LastYear)
	if c.prevC != nil && c.prevC.GoodDays != c.prev.GoodDays {
		res.Comparable = ratioNum(c.prevC.GoodRatio)
		res.ComparableChange = ppChange(res.Current, res.Comparable)
	}
	if c.noSand != nil {
		res.WithoutSandDeduction = ratioNum(c.noSand.GoodRatio)
	}
	t := c.spec.GoodDayRatio
	if t == nil || res.Current == nil {
		return res
	}
	res.Target, res.Direction = num(t.Rat(), decimalsOf(*t)), AtLeast
	cur, _ := new(big.Rat).SetString(res.Current.Text)
	best := big.NewRat(int64(100*(c.cur.GoodDays+c.remaining)), int64(c.cur.ValidDays+c.remaining))
	switch {
	case c.final:
		res.Status = simpleStatus(cur, t.Rat(), AtLeast, true)
	case best.Cmp(t.Rat()) < 0:
		res.Status = Breached
	default:
		res.Status = simpleStatus(cur, t.Rat(), AtLeast, false)
	}
	return res
}

// budget evaluates an "at most E days" target over a window ending on windowEnd.
func (c *airCtx) budget(res *Result, limit *int, used, elapsedDays, totalDays int, windowOver bool) {
	if limit == nil {
		return
	}
	res.Target, res.Direction = num(ratInt(*limit), 0), AtMost
	res.BudgetUsed = intPtr(used)
	res.BudgetLeft = intPtr(*limit - used)
	switch {
	case used > *limit:
		res.Status = Breached
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
	var pc *int
	if c.prevC != nil {
		pc = intPtr(c.prevC.O3ExceedanceDays)
	}
	res := c.count(O3ExceedanceDays, "days", c.cur.O3ExceedanceDays, c.prev.O3ExceedanceDays, pc)
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
	var pc *int
	if c.prevC != nil {
		pc = intPtr(c.prevC.HeavyDays)
	}
	res := c.count(HeavyPollutionDays, "days", c.cur.HeavyDays, c.prev.HeavyDays, pc)
	c.budget(&res, c.spec.HeavyDays, c.cur.HeavyDays, c.elapsed, c.elapsed+c.remaining, c.final)
	return res
}

func (c *airCtx) composite() Result {
	res := Result{Area: c.area, Indicator: CompositeIndex, Unit: "index", Valid: c.cur.Composite.OK(), Reason: string(c.cur.Composite.Reason)}
	if c.cur.Composite.Value != nil {
		res.Current = num(c.cur.Composite.Value, 2)
	}
	if c.prev.Composite.Value != nil {
		res.LastYear = num(c.prev.Composite.Value, 2)
	}
	res.Change = yoyPercent(res.Current, res.LastYear, c.yoyPlaces)
	if c.noSand != nil && c.noSand.Composite.Value != nil {
		res.WithoutSandDeduction = num(c.noSand.Composite.Value, 2)
	}
	if t := c.spec.Composite; t != nil && res.Current != nil {
		res.Target = num(t.Rat(), decimalsOf(*t))
		cur, _ := new(big.Rat).SetString(res.Current.Text)
		res.Status = simpleStatus(cur, t.Rat(), AtMost, c.final)
	}
	return res
}

// yoyTarget is a year-over-year reduction target on an annual mean (e.g. PM2.5 −5 %).
func (c *airCtx) yoyTarget(name, of string, target *fixed.Dec, mean Result) Result {
	res := Result{Area: c.area, Indicator: name, Pollutant: mean.Pollutant, Unit: "%", Current: mean.Change, Valid: mean.Change != nil}
	if target == nil || mean.Change == nil {
		return res
	}
	res.Target = num(target.Rat(), decimalsOf(*target))
	cur, _ := new(big.Rat).SetString(mean.Change.Text)
	res.Status = simpleStatus(cur, target.Rat(), AtMost, c.final)
	return res
}
