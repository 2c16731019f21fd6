package outlook

import (
	"math"
	"math/big"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/fixed"
)

// Synthetic is a known generating process of an area's daily values, for checking that the
// outlook is calibrated (docs/targets.md, "Is it calibrated?"): each year has a level
// drawn once (a lognormal year effect), each pollutant a seasonal cycle, and the days an
// AR(1) weather process in the logarithm shared by the particulates, NO2, SO2 and CO, with a
// separate one for ozone. Because the process is known, the true probability of any
// year-end outcome given the year so far is found by running the process itself forward.
type Synthetic struct {
	Seed uint64
}

// syntheticState is where the process stands at the end of a day.
type syntheticState struct{ level, x, xo float64 }

// pollutant parameters: annual mean, seasonal amplitude and the day of year of the peak.
var synth = [airquality.NumPollutants]struct{ mean, amp, peak float64 }{
	airquality.SO2:  {10, 0.4, 15},
	airquality.NO2:  {30, 0.3, 15},
	airquality.PM10: {75, 0.35, 15},
	airquality.CO:   {0.9, 0.35, 15},
	airquality.O3:   {110, 0.45, 180}, // MDA8, summer peak
	airquality.PM25: {42, 0.45, 15},
}

const (
	synthRho   = 0.7
	synthSigma = 0.35
	synthYear  = 0.12 // sd of the log year effect
)

// yearLevel is the year's level effect (the same whenever asked).
func (s Synthetic) yearLevel(y int) float64 {
	r := rand.New(rand.NewPCG(s.Seed, uint64(y)*7919))
	return math.Exp(r.NormFloat64()*synthYear - synthYear*synthYear/2)
}

// Year returns the whole year y of the process, and the state at the end of each day.
func (s Synthetic) Year(y int) ([]airquality.DayValues, []syntheticState) {
	yr := airquality.Year(y)
	r := rand.New(rand.NewPCG(s.Seed^0x5eed, uint64(y)))
	st := syntheticState{level: s.yearLevel(y)}
	days := make([]airquality.DayValues, 0, yr.Days())
	states := make([]syntheticState, 0, yr.Days())
	for d := yr.From; d <= yr.To; d++ {
		st = s.step(st, r)
		days = append(days, s.day(d, st, r))
		states = append(states, st)
	}
	return days, states
}

// Rest continues year y from the state at the end of asOf, with r's randomness.
func (s Synthetic) Rest(y int, asOf airquality.Day, st syntheticState, r *rand.Rand) []airquality.DayValues {
	yr := airquality.Year(y)
	var days []airquality.DayValues
	for d := asOf + 1; d <= yr.To; d++ {
		st = s.step(st, r)
		days = append(days, s.day(d, st, r))
	}
	return days
}

func (s Synthetic) step(st syntheticState, r *rand.Rand) syntheticState {
	e := synthSigma * math.Sqrt(1-synthRho*synthRho)
	st.x = synthRho*st.x + e*r.NormFloat64()
	st.xo = synthRho*st.xo + e*r.NormFloat64()
	return st
}

// day draws a day's values: 2 % of days missing (no daily values at all).
func (s Synthetic) day(d airquality.Day, st syntheticState, r *rand.Rand) airquality.DayValues {
	v := airquality.DayValues{Day: d}
	if r.Float64() < 0.02 {
		return v
	}
	doy := float64(d - airquality.Year(d.Year()).From)
	for p := airquality.Pollutant(0); p < airquality.NumPollutants; p++ {
		c := synth[p]
		x := st.x
		if p == airquality.O3 {
			x = st.xo
		}
		season := 1 + c.amp*math.Cos(2*math.Pi*(doy-c.peak)/365)
		val := c.mean * season * st.level * math.Exp(x-synthSigma*synthSigma/2)
		milli := int64(math.Round(val * 1000))
		v.Conc[p] = airquality.Stat{Value: big.NewRat(milli, 1000), N: 24}
	}
	v.O3Max1h = airquality.Stat{Value: new(big.Rat).Mul(v.Conc[airquality.O3].Value, big.NewRat(5, 4)), N: 24}
	return v
}

// Prediction is one forecast of a backtest beside what happened.
type Prediction struct {
	Year   int
	AsOf   airquality.Day
	Target *big.Rat // the PM2.5 annual-mean target (at most)
	P      float64  // the outlook's probability
	// PTrue is the true probability (synthetic data only; NaN otherwise).
	PTrue float64
	// Met is what happened; InRange whether the year-end value fell in the outlook's
	// 10–90 % range.
	Met, InRange bool
}

// Summary scores predictions: the Brier score (of the outlook, and of the true
// probabilities when known), a reliability table of 10 bins, and the share of year-ends
// inside the 80 % range.
type Summary struct {
	N                      int
	Brier, BrierTrue       float64
	MeanAbsErr             float64 // |P − PTrue| on average (synthetic data only)
	Coverage80             float64
	Bins                   [10]Bin
	withTrue, inRangeCount int
}

// Bin is one row of the reliability table: predictions with P in [Lo, Lo+0.1).
type Bin struct {
	Lo       float64
	N        int
	MeanP    float64 // mean predicted probability
	Observed float64 // share met
}

// Summarize scores predictions.
func Summarize(ps []Prediction) Summary {
	var s Summary
	s.N = len(ps)
	var sumP, met [10]float64
	for _, p := range ps {
		o := 0.0
		if p.Met {
			o = 1
		}
		s.Brier += (p.P - o) * (p.P - o)
		if !math.IsNaN(p.PTrue) {
			s.BrierTrue += (p.PTrue - o) * (p.PTrue - o)
			s.MeanAbsErr += math.Abs(p.P - p.PTrue)
			s.withTrue++
		}
		if p.InRange {
			s.inRangeCount++
		}
		b := min(int(p.P*10), 9)
		s.Bins[b].N++
		sumP[b] += p.P
		met[b] += o
	}
	if s.N > 0 {
		s.Brier /= float64(s.N)
		s.Coverage80 = float64(s.inRangeCount) / float64(s.N)
	}
	if s.withTrue > 0 {
		s.BrierTrue /= float64(s.withTrue)
		s.MeanAbsErr /= float64(s.withTrue)
	}
	for b := range s.Bins {
		s.Bins[b].Lo = float64(b) / 10
		if n := s.Bins[b].N; n > 0 {
			s.Bins[b].MeanP = sumP[b] / float64(n)
			s.Bins[b].Observed = met[b] / float64(n)
		}
	}
	return s
}

// BacktestSynthetic replays the synthetic process: for each test year (after the first
// three, which are only history), at each month-end given, a PM2.5 annual-mean target at
// each of the given quantiles of the true outcome — the outlook's probability from the
// past three years against the true probability given what was known at the month-end
// (TrueProbability) and against what the year did.
func BacktestSynthetic(s Synthetic, years []int, monthEnds []int, quantiles []float64, truth int, opt Options) []Prediction {
	var out []Prediction
	hist := map[int][]airquality.DayValues{}
	for _, y := range years {
		hist[y], _ = s.Year(y)
	}
	for _, y := range years[3:] {
		yr := airquality.Year(y)
		full := hist[y]
		for _, m := range monthEnds {
			asOf := airquality.Month(y, time.Month(m)).To
			idx := int(asOf - yr.From)
			in := Input{Area: "synthetic", AsOf: asOf, ThisYear: full[:idx+1], Past: map[int][]airquality.DayValues{}}
			for _, py := range years {
				if py < y && py >= y-3 {
					in.Past[py] = hist[py]
				}
			}
			trueMeans := s.TrueOutcomes(y, full[:idx+1], truth)
			f := Simulate(in, opt)
			if f.Reason != "" {
				continue
			}
			sims, lo, hi := pm25Ends(f)
			actual := annualPM25(full, yr, opt.Period)
			for _, q := range quantiles {
				t := big.NewRat(int64(trueMeans[min(int(q*float64(len(trueMeans))), len(trueMeans)-1)]), 1)
				tf, _ := t.Float64()
				pTrue := float64(sort.SearchFloat64s(trueMeans, tf+0.5)) / float64(len(trueMeans))
				out = append(out, Prediction{Year: y, AsOf: asOf, Target: t, P: share(sims, t, len(f.Ends)), PTrue: pTrue,
					Met: actual.Cmp(t) <= 0, InRange: actual.Cmp(lo) >= 0 && actual.Cmp(hi) <= 0})
			}
		}
	}
	return out
}

// pm25Ends are a forecast's simulated published PM2.5 annual means, ascending (a year
// without a valid mean is left out: it does not meet a target), and their 10–90 % range.
func pm25Ends(f Forecast) (sims []*big.Rat, lo, hi *big.Rat) {
	for _, e := range f.Ends {
		if e.Mean[airquality.PM25].OK() {
			sims = append(sims, e.Mean[airquality.PM25].Rounded(airquality.PM25).Rat())
		}
	}
	if len(sims) == 0 {
		return nil, nil, nil
	}
	sort.Slice(sims, func(i, j int) bool { return sims[i].Cmp(sims[j]) < 0 })
	return sims, sims[len(sims)/10], sims[len(sims)*9/10]
}

// share is the probability of an at-most target t from the sorted simulated values, out of
// all simulated years.
func share(sims []*big.Rat, t *big.Rat, total int) float64 {
	met := sort.Search(len(sims), func(i int) bool { return sims[i].Cmp(t) > 0 })
	return float64(met) / float64(total)
}

// BacktestHistory replays an area's real history: every year with at least two complete
// years before it is predicted from the end of each of monthEnds, against PM2.5 targets
// set as bureaus set them — last year's published annual mean changed by each of changes
// (−0.05: 5 % lower) — and scored against what the year's days gave. There is no true
// probability (PTrue NaN): only Brier score, reliability and coverage.
func BacktestHistory(hist map[int][]airquality.DayValues, monthEnds []int, changes []float64, opt Options) []Prediction {
	opt.defaults()
	var years []int
	for y := range hist {
		years = append(years, y)
	}
	sort.Ints(years)
	var out []Prediction
	for _, y := range years {
		last, ok := hist[y-1]
		if !ok || len(hist[y-2]) == 0 || !complete(hist[y], y) {
			continue
		}
		yr := airquality.Year(y)
		base := annualPM25(last, yr, opt.Period)
		actual := annualPM25(hist[y], yr, opt.Period)
		if base == nil || actual == nil {
			continue
		}
		for _, m := range monthEnds {
			asOf := airquality.Month(y, time.Month(m)).To
			in := Input{Area: "history", AsOf: asOf, Past: map[int][]airquality.DayValues{}}
			for _, d := range hist[y] {
				if d.Day <= asOf {
					in.ThisYear = append(in.ThisYear, d)
				}
			}
			for py := y - PastYears; py < y; py++ {
				if len(hist[py]) > 0 {
					in.Past[py] = hist[py]
				}
			}
			f := Simulate(in, opt)
			if f.Reason != "" {
				continue
			}
			sims, lo, hi := pm25Ends(f)
			for _, c := range changes {
				t := new(big.Rat).Mul(base, new(big.Rat).SetFloat64(1+c))
				t = fixed.RoundRat(t, 0)
				p := Prediction{Year: y, AsOf: asOf, Target: t, P: share(sims, t, len(f.Ends)), PTrue: math.NaN(), Met: actual.Cmp(t) <= 0}
				p.InRange = lo != nil && actual.Cmp(lo) >= 0 && actual.Cmp(hi) <= 0
				out = append(out, p)
			}
		}
	}
	return out
}

// complete: the year's days reach 31 December (a year still running is not a test year).
func complete(days []airquality.DayValues, y int) bool {
	return len(days) > 0 && days[len(days)-1].Day == airquality.Year(y).To
}

// TrueOutcomes are draws of year y's published annual PM2.5 mean (rounded, ascending) given
// the days so far, from the process itself: the year's level is unknown to whoever holds
// those days, so it is drawn from its prior and kept when the year to date it produces
// matches the one observed (within 1 %: approximate Bayesian computation); the rest of the
// year is run forward from the state the last observed day implies under that level.
func (s Synthetic) TrueOutcomes(y int, sofar []airquality.DayValues, n int) []float64 {
	yr := airquality.Year(y)
	var obsSum float64
	obsN := 0
	var last float64
	for i := range sofar {
		if st := sofar[i].Conc[airquality.PM25]; st.OK() {
			x, _ := st.Value.Float64()
			obsSum, obsN, last = obsSum+x, obsN+1, x
		}
	}
	obsMean := obsSum / float64(obsN)
	asOf := sofar[len(sofar)-1].Day
	c := synth[airquality.PM25]
	season := func(d airquality.Day) float64 {
		return 1 + c.amp*math.Cos(2*math.Pi*(float64(d-yr.From)-c.peak)/365)
	}
	r := rand.New(rand.NewPCG(s.Seed^0xabc, uint64(asOf)))
	e := synthSigma * math.Sqrt(1-synthRho*synthRho)
	var out []float64
	for draws := 0; len(out) < n && draws < 400*n; draws++ {
		level := math.Exp(r.NormFloat64()*synthYear - synthYear*synthYear/2)
		x, sum, k := 0.0, 0.0, 0
		for d := yr.From; d <= asOf; d++ {
			x = synthRho*x + e*r.NormFloat64()
			if r.Float64() < 0.02 {
				continue
			}
			sum += c.mean * season(d) * level * math.Exp(x-synthSigma*synthSigma/2)
			k++
		}
		if math.Abs(sum/float64(k)/obsMean-1) > 0.01 {
			continue
		}
		x = math.Log(last/(c.mean*season(asOf)*level)) + synthSigma*synthSigma/2
		rest, rn := 0.0, 0
		for d := asOf + 1; d <= yr.To; d++ {
			x = synthRho*x + e*r.NormFloat64()
			if r.Float64() < 0.02 {
				continue
			}
			rest += c.mean * season(d) * level * math.Exp(x-synthSigma*synthSigma/2)
			rn++
		}
		out = append(out, math.RoundToEven((obsSum+rest)/float64(obsN+rn)))
	}
	sort.Float64s(out)
	return out
}

// annualPM25 is the published annual PM2.5 mean of a year's days: the exact mean of the
// daily values, rounded per GB/T 8170; nil without a value.
func annualPM25(days []airquality.DayValues, _ airquality.Range, _ airquality.PeriodOptions) *big.Rat {
	sum := new(big.Rat)
	n := 0
	for i := range days {
		if st := days[i].Conc[airquality.PM25]; st.OK() {
			sum.Add(sum, st.Value)
			n++
		}
	}
	if n == 0 {
		return nil
	}
	st := airquality.Stat{Value: sum.Quo(sum, big.NewRat(int64(n), 1)), N: n}
	return st.Rounded(airquality.PM25).Rat()
}
