// Package outlook says how likely each annual target is to be met. It simulates the rest of
// the year from the area's own past years — whole daily vectors (the six pollutants
// together) resampled in blocks of random length around the same calendar dates, scaled to
// this year's level — and scores every simulated year with the engine's own rules: the day
// classification of HJ 633 and the ozone rule, the validity minimums of GB 3095 Table 4,
// GB/T 8170 rounding and the HJ 663 percentiles (docs/targets.md, "Outlook"). The same data
// and options give the same figures: the random stream is seeded from the area and the day.
package outlook

import (
	"hash/fnv"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/fixed"
)

// Options of a simulation. Zero values take the defaults.
type Options struct {
	Sims      int     // simulated years (default 4000)
	MeanBlock float64 // mean length of a resampled block, days (default 7)
	Window    int     // a block starts within ± Window days of the same calendar date (default 15)
	MinYears  int     // past years needed (default 2)
	MinDays   int     // days of this year needed (default MinDaysThisYear)
	Seed      uint64
	// Period are the engine's switches (daily AQI, ozone rule and season, percentiles,
	// composite scheme) the simulated years are scored with.
	Period airquality.PeriodOptions
	// Percentiles computes the CO and O3 percentiles and the composite index (only a
	// composite-index target needs them).
	Percentiles bool
}

func (o *Options) defaults() {
	if o.Sims <= 0 {
		o.Sims = 4000
	}
	if o.MeanBlock < 1 {
		o.MeanBlock = 7
	}
	if o.Window <= 0 {
		o.Window = 15
	}
	if o.MinYears < 1 {
		o.MinYears = 2
	}
	if o.MinDays < 1 {
		o.MinDays = MinDaysThisYear
	}
}

// Input is an area's data: this year through AsOf and its past years.
type Input struct {
	Area     string
	AsOf     airquality.Day
	ThisYear []airquality.DayValues
	// Past are complete earlier years of the area, by year; a year counts when it has a
	// valid daily AQI on at least MinPastDays days.
	Past map[int][]airquality.DayValues
}

// MinPastDays is how many valid days make a past year usable.
const MinPastDays = 300

// YearEnd is one simulated year's published statistics. Mean holds PM2.5 and PM10 (all
// six pollutants, and Pct CO and O3, with Options.Percentiles); the others are zero.
type YearEnd struct {
	Mean, Pct  [airquality.NumPollutants]airquality.Stat
	GoodDays   int
	ValidDays  int
	GoodRatio  *big.Rat // percent, nil with no valid day
	O3Days     int      // ozone exceedance days in the season
	HeavyDays  int
	Composite  airquality.Stat
	DaysReason airquality.Validity
}

// Forecast is the simulated year-ends of an area, or why there are none.
type Forecast struct {
	Years []int // past years resampled
	Ends  []YearEnd
	// Reason is why there is no forecast ("" when there is one).
	Reason string
}

// Reasons for no forecast.
const (
	TooFewYears = "fewer than two past years of data"
	YearOver    = "the year is over"
	// TooEarly: the backtest (docs/targets.md, "Is it calibrated?") scores forecasts from
	// the end of January worse than no forecast at all; from the end of February on they
	// are better.
	TooEarly = "fewer than 59 days of this year so far"
)

// MinDaysThisYear is how many days of this year a forecast needs (January and February).
const MinDaysThisYear = 59

// day is a resampled day: its values (thousandths of µg/m³, CO of mg/m³; MDA8 in O3) and how
// it counts, precomputed once per candidate.
type day struct {
	milli [airquality.NumPollutants]int64
	rat   [airquality.NumPollutants]*big.Rat // the same values, for percentiles
	rank  [airquality.NumPollutants]int32    // their places in the pollutant's ranking
	ok    uint8
	class airquality.DayClass
}

// ranked are the pollutants whose percentiles a year-end needs (the composite index's).
var ranked = []airquality.Pollutant{airquality.CO, airquality.O3}

// Simulate forecasts the year-ends of in.
func Simulate(in Input, opt Options) Forecast {
	opt.defaults()
	year := in.AsOf.Year()
	yr := airquality.Year(year)
	if in.AsOf >= yr.To {
		return Forecast{Reason: YearOver}
	}
	if int(in.AsOf-yr.From)+1 < opt.MinDays {
		return Forecast{Reason: TooEarly}
	}
	var years []int
	for y, days := range in.Past {
		if y >= year {
			continue
		}
		valid := 0
		for i := range days {
			if airquality.ClassifyDay(&days[i], 0, opt.Period).Valid {
				valid++
			}
		}
		if valid >= MinPastDays {
			years = append(years, y)
		}
	}
	sort.Ints(years)
	if len(years) < opt.MinYears {
		return Forecast{Reason: TooFewYears}
	}
	base := newBase(in.ThisYear, yr, in.AsOf, opt.Period)
	past := make([]*pastYear, len(years))
	for k, y := range years {
		past[k] = newPastYear(in.Past[y], y, in.AsOf-yr.From)
	}
	scale := scaleFactors(in, past, yr)
	// Only days a block can reach are prepared: from the day after as-of, less the window.
	firstPick := max(int(in.AsOf-yr.From)+1-opt.Window, 0)
	// pools[q][k]: past year k's days scaled to level stratum q (see scaleFactors).
	pools := make([][][]day, levelStrata)
	var all [][]day
	for q := range pools {
		pools[q] = make([][]day, len(years))
		for k := range years {
			pools[q][k] = candidates(past[k], year, firstPick, scale[q][k], opt)
			all = append(all, pools[q][k])
		}
	}
	h := fnv.New64a()
	h.Write([]byte(in.Area))
	rng := rand.New(rand.NewPCG(opt.Seed^h.Sum64(), uint64(in.AsOf)))
	rest := int(yr.To - in.AsOf)
	picks := make([]*day, rest)
	f := Forecast{Years: years, Ends: make([]YearEnd, opt.Sims)}
	sc := newScorer(base, all, opt.Period, opt.Percentiles)
	pStart := 1 / opt.MeanBlock
	for s := range f.Ends {
		a := rng.IntN(levelStrata) // the level of the rest of this simulated year
		var k, shift int
		for i := 0; i < rest; i++ {
			if i == 0 || rng.Float64() < pStart {
				k, shift = rng.IntN(len(years)), rng.IntN(2*opt.Window+1)-opt.Window
			}
			doy := int(in.AsOf+airquality.Day(i+1)-yr.From) + shift
			pool := pools[a][k]
			picks[i] = &pool[min(max(doy, 0), len(pool)-1)]
		}
		f.Ends[s] = sc.score(picks)
	}
	return f
}

// pastYear is a past year's days as floats by day of year, and its means before and after
// the as-of day's date, per pollutant.
type pastYear struct {
	days   int
	val    [][airquality.NumPollutants + 1]float64 // the last: the O3 1-h maximum
	ok     []uint8                                 // bit p: val[p] present
	early  [airquality.NumPollutants]float64
	rest   [airquality.NumPollutants]float64
	nEarly [airquality.NumPollutants]int
	nRest  [airquality.NumPollutants]int
}

func newPastYear(days []airquality.DayValues, y int, doyTo airquality.Day) *pastYear {
	from := airquality.Year(y).From
	py := &pastYear{days: airquality.Year(y).Days()}
	py.val = make([][airquality.NumPollutants + 1]float64, py.days)
	py.ok = make([]uint8, py.days)
	for i := range days {
		d := &days[i]
		idx := int(d.Day - from)
		if idx < 0 || idx >= py.days {
			continue
		}
		for p := airquality.Pollutant(0); p < airquality.NumPollutants; p++ {
			if !d.Conc[p].OK() {
				continue
			}
			x, _ := d.Conc[p].Value.Float64()
			py.val[idx][p], py.ok[idx] = x, py.ok[idx]|1<<p
			if airquality.Day(idx) <= doyTo {
				py.early[p], py.nEarly[p] = py.early[p]+x, py.nEarly[p]+1
			} else {
				py.rest[p], py.nRest[p] = py.rest[p]+x, py.nRest[p]+1
			}
		}
		if d.O3Max1h.OK() {
			x, _ := d.O3Max1h.Value.Float64()
			py.val[idx][airquality.NumPollutants], py.ok[idx] = x, py.ok[idx]|1<<airquality.NumPollutants
		}
	}
	for p := range py.early {
		if py.nEarly[p] > 0 {
			py.early[p] /= float64(py.nEarly[p])
		}
		if py.nRest[p] > 0 {
			py.rest[p] /= float64(py.nRest[p])
		}
	}
	return py
}

// candidates are a past year's days, scaled and classified as days of the simulated year.
func candidates(py *pastYear, year, from int, scale [airquality.NumPollutants]float64, opt Options) []day {
	out := make([]day, py.days)
	first := airquality.DayFromDate(year, 1, 1)
	last := airquality.Year(year).Days() - 1
	// The day's values for classifying it; kept per day only for the percentiles' ranking.
	var scratch [airquality.NumPollutants + 1]big.Rat
	for idx := from; idx < len(out); idx++ {
		if py.ok[idx] == 0 {
			continue
		}
		var dv airquality.DayValues
		// Dated in the simulated year: the edition and the season are the target year's.
		dv.Day = first + airquality.Day(min(idx, last))
		c := &out[idx]
		for p := airquality.Pollutant(0); p < airquality.NumPollutants; p++ {
			if py.ok[idx]&(1<<p) == 0 {
				dv.Conc[p] = airquality.Stat{Reason: airquality.TooFewHours}
				continue
			}
			c.milli[p] = int64(math.Round(py.val[idx][p] * scale[p] * 1000))
			v := scratch[p].SetFrac64(c.milli[p], 1000)
			if opt.Percentiles {
				v = big.NewRat(c.milli[p], 1000)
				c.rat[p] = v
			}
			c.ok |= 1 << p
			dv.Conc[p] = airquality.Stat{Value: v, N: 24}
		}
		if py.ok[idx]&(1<<airquality.NumPollutants) != 0 {
			v := scratch[airquality.NumPollutants].SetFrac64(int64(math.Round(py.val[idx][airquality.NumPollutants]*scale[airquality.O3]*1000)), 1000)
			dv.O3Max1h = airquality.Stat{Value: v, N: 24}
		}
		c.class = airquality.ClassifyDay(&dv, 0, opt.Period)
	}
	return out
}

// base is what the year to date contributes to every simulated year.
type base struct {
	yr       airquality.Range
	asOf     airquality.Day
	sum      [airquality.NumPollutants]*big.Rat
	sumF     [airquality.NumPollutants]float64
	n        [airquality.NumPollutants]int
	perMonth [airquality.NumPollutants][13]int
	vals     [airquality.NumPollutants][]*big.Rat
	aqiMonth [13]int
	valid    int
	good     int
	heavy    int
	o3       int
}

func newBase(days []airquality.DayValues, yr airquality.Range, asOf airquality.Day, opt airquality.PeriodOptions) *base {
	b := &base{yr: yr, asOf: asOf}
	for p := range b.sum {
		b.sum[p] = new(big.Rat)
	}
	for i := range days {
		d := &days[i]
		if d.Day < yr.From || d.Day > asOf {
			continue
		}
		_, m, _ := d.Day.Date()
		mask := opt.SandDust[d.Day]
		for p := airquality.Pollutant(0); p < airquality.NumPollutants; p++ {
			if !d.Conc[p].OK() || mask&sandBit(p) != 0 {
				continue
			}
			b.sum[p].Add(b.sum[p], d.Conc[p].Value)
			b.n[p]++
			b.perMonth[p][m]++
			b.vals[p] = append(b.vals[p], d.Conc[p].Value)
		}
		c := airquality.ClassifyDay(d, mask, opt)
		if !c.Valid {
			continue
		}
		b.valid++
		b.aqiMonth[m]++
		switch {
		case c.AQI <= 100:
			b.good++
		case c.AQI > 200:
			b.heavy++
		}
		if c.O3Exceeds && (opt.O3Season == nil || opt.O3Season.Contains(d.Day)) {
			b.o3++
		}
	}
	for p := range b.sum {
		b.sumF[p], _ = b.sum[p].Float64()
	}
	return b
}

// sandBit is the deduction bit of a pollutant (the mask's own test is the engine's).
func sandBit(p airquality.Pollutant) airquality.SandMask {
	switch p {
	case airquality.PM10:
		return airquality.SandPM10
	case airquality.PM25:
		return airquality.SandPM25
	}
	return 0
}

// scorer turns a simulated rest of the year into the year's statistics with the engine's
// functions, reusing its buffers between simulations.
type scorer struct {
	b        *base
	opt      airquality.PeriodOptions
	month    []int8 // the month of each rest day
	perMonth [airquality.NumPollutants][13]int
	aqiMonth [13]int
	order    [airquality.NumPollutants]ranking
	pct      bool
	cover    airquality.YearCoverage
	// need are the pollutants whose annual statistics a year-end carries: PM2.5 and PM10,
	// all six for the composite index.
	need uint8
}

func newScorer(b *base, pools [][]day, opt airquality.PeriodOptions, percentiles bool) *scorer {
	s := &scorer{b: b, opt: opt, pct: percentiles, cover: airquality.NewYearCoverage(b.yr.From.Year(), b.yr),
		need: 1<<airquality.PM25 | 1<<airquality.PM10}
	if percentiles {
		s.need = 1<<airquality.NumPollutants - 1
	}
	for d := b.asOf + 1; d <= b.yr.To; d++ {
		_, m, _ := d.Date()
		s.month = append(s.month, int8(m))
	}
	if percentiles {
		for _, p := range ranked {
			s.order[p] = newRanking(b.vals[p], pools, p)
		}
	}
	return s
}

func (s *scorer) score(picks []*day) YearEnd {
	b := s.b
	var e YearEnd
	var milli [airquality.NumPollutants]int64
	var n [airquality.NumPollutants]int
	s.perMonth = b.perMonth
	s.aqiMonth = b.aqiMonth
	if s.pct {
		for _, p := range ranked {
			s.order[p].reset()
		}
	}
	e.ValidDays, e.GoodDays, e.HeavyDays, e.O3Days = b.valid, b.good, b.heavy, b.o3
	for i, c := range picks {
		m := s.month[i]
		for p := range milli {
			if c.ok&s.need&(1<<p) == 0 {
				continue
			}
			milli[p] += c.milli[p]
			n[p]++
			s.perMonth[p][m]++
		}
		if s.pct {
			for _, p := range ranked {
				if c.ok&(1<<p) != 0 {
					s.order[p].count[c.rank[p]]++
				}
			}
		}
		if !c.class.Valid {
			continue
		}
		e.ValidDays++
		s.aqiMonth[m]++
		switch {
		case c.class.AQI <= 100:
			e.GoodDays++
		case c.class.AQI > 200:
			e.HeavyDays++
		}
		if c.class.O3Exceeds && (s.opt.O3Season == nil || s.opt.O3Season.Contains(b.asOf+airquality.Day(i+1))) {
			e.O3Days++
		}
	}
	for p := airquality.Pollutant(0); p < airquality.NumPollutants; p++ {
		total := b.n[p] + n[p]
		if s.need&(1<<p) == 0 {
			continue // not asked for: left zero (invalid)
		}
		if total == 0 {
			e.Mean[p] = airquality.Stat{Reason: airquality.NoDays}
			continue
		}
		reason := s.cover.Check(&s.perMonth[p])
		e.Mean[p] = airquality.Stat{Value: s.mean(p, milli[p], total), N: total, Reason: reason}
		if s.pct && (p == airquality.CO || p == airquality.O3) {
			e.Pct[p] = airquality.Stat{Value: s.order[p].percentile(total, airquality.PercentileOf(p), s.opt.Percentile), N: total, Reason: reason}
		}
	}
	e.DaysReason = s.cover.Check(&s.aqiMonth)
	if e.ValidDays > 0 {
		e.GoodRatio = big.NewRat(int64(100*e.GoodDays), int64(e.ValidDays))
	}
	if s.pct {
		e.Composite = composite(&e, s.opt.Composite)
	}
	return e
}

// mean is the exact mean of the year to date and the picked thousandths. It is found in
// floating point, which rounds to the same published value but within a hair of a
// rounding boundary (x.5 for whole µg/m³, x.x5 for CO): there it is computed exactly.
func (s *scorer) mean(p airquality.Pollutant, milli int64, n int) *big.Rat {
	m := (s.b.sumF[p] + float64(milli)/1000) / float64(n)
	scale := 1.0
	if p == airquality.CO {
		scale = 10
	}
	frac := m*scale - math.Floor(m*scale)
	if math.Abs(frac-0.5) > 1e-6 {
		// Far from a boundary: a rational with the float's value rounds the same way.
		r := new(big.Rat)
		r.SetFloat64(m)
		return r
	}
	sum := new(big.Rat).Add(s.b.sum[p], big.NewRat(milli, 1000))
	return sum.Quo(sum, big.NewRat(int64(n), 1))
}

// composite is the engine's composite index of a year's statistics (invalid if any is).
func composite(e *YearEnd, scheme airquality.CompositeScheme) airquality.Stat {
	terms := []struct {
		st airquality.Stat
		p  airquality.Pollutant
	}{{e.Mean[airquality.SO2], airquality.SO2}, {e.Mean[airquality.NO2], airquality.NO2}, {e.Mean[airquality.PM10], airquality.PM10},
		{e.Mean[airquality.PM25], airquality.PM25}, {e.Pct[airquality.CO], airquality.CO}, {e.Pct[airquality.O3], airquality.O3}}
	in := make([]fixed.Dec, 0, len(terms))
	reason := airquality.Valid
	for _, t := range terms {
		if t.st.Value == nil {
			return airquality.Stat{Reason: airquality.NoDays}
		}
		if t.st.Reason != airquality.Valid {
			reason = t.st.Reason
		}
		in = append(in, t.st.Rounded(t.p))
	}
	return airquality.Stat{Value: airquality.CompositeIndex(in, scheme), N: len(in), Reason: reason}
}

// ranking orders a pollutant's values — the year to date's and every candidate's — once,
// so that each simulation finds its sorted values by counting, not by sorting.
type ranking struct {
	vals  []*big.Rat // every value, ascending
	base  []int32    // how often each rank occurs in the year to date
	count []int32    // base plus this simulation's picks
}

// newRanking ranks the values and writes each candidate's rank into its day.
func newRanking(baseVals []*big.Rat, pools [][]day, p airquality.Pollutant) ranking {
	type entry struct {
		v    *big.Rat
		base bool
		d    *day
	}
	var all []entry
	for _, v := range baseVals {
		all = append(all, entry{v: v, base: true})
	}
	for k := range pools {
		for i := range pools[k] {
			if d := &pools[k][i]; d.ok&(1<<p) != 0 {
				all = append(all, entry{v: d.rat[p], d: d})
			}
		}
	}
	slices.SortStableFunc(all, func(a, b entry) int { return a.v.Cmp(b.v) })
	r := ranking{vals: make([]*big.Rat, len(all)), base: make([]int32, len(all)), count: make([]int32, len(all))}
	for i, e := range all {
		r.vals[i] = e.v
		if e.base {
			r.base[i]++
		} else {
			e.d.rank[p] = int32(i)
		}
	}
	return r
}

func (r *ranking) reset() { copy(r.count, r.base) }

// at returns the value at 0-based position i of the simulation's values in ascending
// order (n values in all), counting from the top: the percentiles asked for lie there.
func (r *ranking) at(i, n int) *big.Rat {
	fromTop := n - 1 - i
	for k := len(r.count) - 1; k >= 0; k-- {
		fromTop -= int(r.count[k])
		if fromTop < 0 {
			return r.vals[k]
		}
	}
	return r.vals[0]
}

// percentile is the engine's percentile (HJ 663 or nearest rank) of the simulation's n
// values: airquality.PercentileSorted on the two values it reads.
func (r *ranking) percentile(n, p int, method airquality.PercentileMethod) *big.Rat {
	if n == 0 {
		return nil
	}
	// The formula reads positions ⌊(n−1)·p/100⌋ and the next (nearest rank: one position);
	// hand it a slice whose other places it never reads.
	k := (n - 1) * p / 100
	if method == airquality.PercentileNearestRank {
		k = max((p*n+99)/100-1, 0)
	}
	xs := make([]*big.Rat, n)
	xs[k] = r.at(k, n)
	if k+1 < n {
		xs[k+1] = r.at(k+1, n)
	}
	return airquality.PercentileSorted(xs, p, method)
}
