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
	Seed      uint64
	// Period are the engine's switches (daily AQI, ozone rule and season, percentiles,
	// composite scheme) the simulated years are scored with.
	Period airquality.PeriodOptions
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

// YearEnd is one simulated year's published statistics.
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
)

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
	scale := scaleFactors(in, years, yr)
	pools := make([][]day, len(years)) // per past year, by day of year
	for k, y := range years {
		pools[k] = candidates(in.Past[y], y, year, scale, opt.Period)
	}
	h := fnv.New64a()
	h.Write([]byte(in.Area))
	rng := rand.New(rand.NewPCG(opt.Seed^h.Sum64(), uint64(in.AsOf)))
	rest := int(yr.To - in.AsOf)
	picks := make([]*day, rest)
	f := Forecast{Years: years, Ends: make([]YearEnd, opt.Sims)}
	sc := newScorer(base, pools, opt.Period)
	pStart := 1 / opt.MeanBlock
	for s := range f.Ends {
		var k, shift int
		for i := 0; i < rest; i++ {
			if i == 0 || rng.Float64() < pStart {
				k, shift = rng.IntN(len(years)), rng.IntN(2*opt.Window+1)-opt.Window
			}
			doy := int(in.AsOf+airquality.Day(i+1)-yr.From) + shift
			pool := pools[k]
			picks[i] = &pool[min(max(doy, 0), len(pool)-1)]
		}
		f.Ends[s] = sc.score(picks)
	}
	return f
}

// scaleFactors bring each pollutant of the past years to this year's level: this year's
// mean to date over the past years' mean of the same calendar days (1 where either has
// fewer than 30 days).
func scaleFactors(in Input, years []int, yr airquality.Range) [airquality.NumPollutants]float64 {
	var f [airquality.NumPollutants]float64
	doyTo := int(in.AsOf - yr.From)
	for p := range f {
		f[p] = 1
		var cur, past float64
		var nc, np int
		for i := range in.ThisYear {
			if v := in.ThisYear[i].Conc[p]; v.OK() {
				x, _ := v.Value.Float64()
				cur, nc = cur+x, nc+1
			}
		}
		for _, y := range years {
			from := airquality.Year(y).From
			for i := range in.Past[y] {
				d := &in.Past[y][i]
				if int(d.Day-from) > doyTo || !d.Conc[p].OK() {
					continue
				}
				x, _ := d.Conc[p].Value.Float64()
				past, np = past+x, np+1
			}
		}
		if nc >= 30 && np >= 30 && past > 0 {
			f[p] = (cur / float64(nc)) / (past / float64(np))
		}
	}
	return f
}

// candidates are a past year's days, scaled and classified as days of the simulated year.
func candidates(days []airquality.DayValues, y, year int, scale [airquality.NumPollutants]float64, opt airquality.PeriodOptions) []day {
	from := airquality.Year(y).From
	n := airquality.Year(y).Days()
	out := make([]day, n)
	for i := range days {
		d := &days[i]
		idx := int(d.Day - from)
		if idx < 0 || idx >= n {
			continue
		}
		var dv airquality.DayValues
		// Dated in the simulated year: the edition and the season are the target year's.
		dv.Day = airquality.DayFromDate(year, 1, 1) + airquality.Day(min(idx, airquality.Year(year).Days()-1))
		c := &out[idx]
		for p := airquality.Pollutant(0); p < airquality.NumPollutants; p++ {
			if !d.Conc[p].OK() {
				dv.Conc[p] = airquality.Stat{Reason: d.Conc[p].Reason}
				continue
			}
			x, _ := d.Conc[p].Value.Float64()
			c.milli[p] = int64(math.Round(x * scale[p] * 1000))
			c.rat[p] = big.NewRat(c.milli[p], 1000)
			c.ok |= 1 << p
			dv.Conc[p] = airquality.Stat{Value: c.rat[p], N: d.Conc[p].N}
		}
		if d.O3Max1h.OK() {
			x, _ := d.O3Max1h.Value.Float64()
			dv.O3Max1h = airquality.Stat{Value: big.NewRat(int64(math.Round(x*scale[airquality.O3]*1000)), 1000), N: d.O3Max1h.N}
		}
		c.class = airquality.ClassifyDay(&dv, 0, opt)
	}
	return out
}

// base is what the year to date contributes to every simulated year.
type base struct {
	yr       airquality.Range
	asOf     airquality.Day
	sum      [airquality.NumPollutants]*big.Rat
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
	perMonth [airquality.NumPollutants]map[int]int
	aqiMonth map[int]int
	order    [airquality.NumPollutants]ranking
	sorted   []*big.Rat
}

func newScorer(b *base, pools [][]day, opt airquality.PeriodOptions) *scorer {
	s := &scorer{b: b, opt: opt, aqiMonth: map[int]int{}}
	for p := range s.perMonth {
		s.perMonth[p] = map[int]int{}
	}
	for _, p := range ranked {
		s.order[p] = newRanking(b.vals[p], pools, p)
	}
	return s
}

func (s *scorer) score(picks []*day) YearEnd {
	b := s.b
	y := b.yr.From.Year()
	var e YearEnd
	var milli [airquality.NumPollutants]int64
	var n [airquality.NumPollutants]int
	for p := range s.perMonth {
		clear(s.perMonth[p])
		for m := 1; m <= 12; m++ {
			if b.perMonth[p][m] > 0 {
				s.perMonth[p][y*100+m] = b.perMonth[p][m]
			}
		}
	}
	for _, p := range ranked {
		s.order[p].reset()
	}
	clear(s.aqiMonth)
	for m := 1; m <= 12; m++ {
		if b.aqiMonth[m] > 0 {
			s.aqiMonth[y*100+m] = b.aqiMonth[m]
		}
	}
	e.ValidDays, e.GoodDays, e.HeavyDays, e.O3Days = b.valid, b.good, b.heavy, b.o3
	for i, c := range picks {
		d := b.asOf + airquality.Day(i+1)
		_, m, _ := d.Date()
		key := y*100 + int(m)
		for p := range milli {
			if c.ok&(1<<p) == 0 {
				continue
			}
			milli[p] += c.milli[p]
			n[p]++
			s.perMonth[p][key]++
		}
		for _, p := range ranked {
			if c.ok&(1<<p) != 0 {
				s.order[p].count[c.rank[p]]++
			}
		}
		if !c.class.Valid {
			continue
		}
		e.ValidDays++
		s.aqiMonth[key]++
		switch {
		case c.class.AQI <= 100:
			e.GoodDays++
		case c.class.AQI > 200:
			e.HeavyDays++
		}
		if c.class.O3Exceeds && (s.opt.O3Season == nil || s.opt.O3Season.Contains(d)) {
			e.O3Days++
		}
	}
	for p := airquality.Pollutant(0); p < airquality.NumPollutants; p++ {
		total := b.n[p] + n[p]
		if total == 0 {
			e.Mean[p] = airquality.Stat{Reason: airquality.NoDays}
			continue
		}
		sum := new(big.Rat).Add(b.sum[p], big.NewRat(milli[p], 1000))
		reason := airquality.Coverage(s.perMonth[p], b.yr)
		e.Mean[p] = airquality.Stat{Value: sum.Quo(sum, big.NewRat(int64(total), 1)), N: total, Reason: reason}
		if p == airquality.CO || p == airquality.O3 {
			s.sorted = s.order[p].sorted(s.sorted[:0])
			e.Pct[p] = airquality.Stat{Value: airquality.PercentileSorted(s.sorted, airquality.PercentileOf(p), s.opt.Percentile), N: total, Reason: reason}
		}
	}
	e.DaysReason = airquality.Coverage(s.aqiMonth, b.yr)
	if e.ValidDays > 0 {
		e.GoodRatio = big.NewRat(int64(100*e.GoodDays), int64(e.ValidDays))
	}
	e.Composite = composite(&e, s.opt.Composite)
	return e
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

// sorted appends the simulation's values in ascending order.
func (r *ranking) sorted(dst []*big.Rat) []*big.Rat {
	for i, n := range r.count {
		for ; n > 0; n-- {
			dst = append(dst, r.vals[i])
		}
	}
	return dst
}
