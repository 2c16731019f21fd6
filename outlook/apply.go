package outlook

import (
	"math/big"
	"runtime"
	"slices"
	"sync"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/indicator"
)

// Probability thresholds of the forecast statuses (docs/targets.md, "Outlook"): on track
// from OnTrackFrom, unlikely below UnlikelyBelow, at risk between.
const (
	OnTrackFrom   = 0.8
	UnlikelyBelow = 0.2
)

// PastYears is how far back an area's history is looked for.
const PastYears = 5

// Apply adds to every result of snap that has a target the probability of meeting it by
// the year's end, from the area's history in calc, and decides its status by that
// probability where the outcome is not yet certain. An area with fewer than two past years
// gets the reason instead, and its status is judged by its record.
func Apply(snap *indicator.Snapshot, calc *indicator.Calculator, opt Options) {
	applyAreas(snap, calc, opt, forecastAreas(snap, nil))
}

// applyAreas forecasts the given areas and scores their results.
func applyAreas(snap *indicator.Snapshot, calc *indicator.Calculator, opt Options, areas []string) {
	forecasts := forecastAll(snap, calc, opt, areas)
	for i := range snap.Results {
		res := &snap.Results[i]
		f := forecasts[res.Area]
		if f == nil || !forecast(res) {
			continue
		}
		if f.Reason != "" {
			res.OutlookReason = f.Reason
			onRecord(res, f.record, f.remaining, f.period)
			continue
		}
		var last *big.Rat // a YoY target's basis: last year's published annual mean
		if mean := yoyMean[res.Indicator]; mean != "" {
			if m := snap.Find(res.Area, mean); m != nil && m.LastYearFull.OK() {
				last, _ = new(big.Rat).SetString(m.LastYearFull.Text)
			}
		}
		apply(res, &f.Forecast, calc.Opt.YoYDecimals, last)
	}
}

// forecast: the result has a simulated target whose outcome is not yet certain.
func forecast(res *indicator.Result) bool {
	return res.Target != nil && simulated(res.Indicator) && res.Status != indicator.Met && res.Status != indicator.Missed
}

// forecastAreas are the areas of snap with a result to forecast, in order (all of them
// with skip nil; else those skip does not exclude).
func forecastAreas(snap *indicator.Snapshot, skip func(area string) bool) []string {
	var areas []string
	seen := map[string]bool{}
	for i := range snap.Results {
		res := &snap.Results[i]
		if !forecast(res) || seen[res.Area] || snap.Area(res.Area) == nil {
			continue
		}
		seen[res.Area] = true
		if skip == nil || !skip(res.Area) {
			areas = append(areas, res.Area)
		}
	}
	return areas
}

// forecastAll simulates every area with a simulated target. The areas' days are read on
// one goroutine (the engine is not read concurrently) and simulated on as many as there
// are processors, with at most that many areas' days in memory at once; each forecast is
// seeded by its area, so the order does not matter.
func forecastAll(snap *indicator.Snapshot, calc *indicator.Calculator, opt Options, areas []string) map[string]*areaForecast {
	workers := min(runtime.GOMAXPROCS(0), len(areas))
	type job struct {
		i   int
		in  Input
		opt Options
	}
	out := make([]*areaForecast, len(areas))
	jobs := make(chan job, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				out[j.i].Forecast = Simulate(j.in, j.opt)
				if out[j.i].Reason != "" {
					out[j.i].record = append(out[j.i].record, j.in.ThisYear...)
				} else {
					out[j.i].record = nil
				}
			}
		}()
	}
	for i, a := range areas {
		in, o, f := prepare(calc, a, snap.Area(a).AsOf, opt)
		out[i] = f
		jobs <- job{i, in, o}
	}
	close(jobs)
	wg.Wait()
	m := make(map[string]*areaForecast, len(areas))
	for i, a := range areas {
		m[a] = out[i]
	}
	return m
}

// yoyMean is the mean a YoY target is the change of.
var yoyMean = map[string]string{indicator.PM25YoY: indicator.PM25Mean, indicator.PM10YoY: indicator.PM10Mean}

// simulated are the indicators a forecast scores (the water indicators are not simulated).
func simulated(name string) bool {
	switch name {
	case indicator.PM25Mean, indicator.PM10Mean, indicator.GoodDays, indicator.GoodDayRatio, indicator.O3ExceedanceDays,
		indicator.HeavyPollutionDays, indicator.CompositeIndex, indicator.PM25YoY, indicator.PM10YoY:
		return true
	}
	return false
}

// areaForecast is an area's forecast and, for an area without one, its record: the days
// the record heuristic reads.
type areaForecast struct {
	Forecast
	record    []airquality.DayValues
	remaining int
	period    airquality.PeriodOptions
}

// prepare reads an area's history for a forecast and the options it is scored with;
// the forecast's record holds the past years until the simulation says whether it is
// needed.
func prepare(calc *indicator.Calculator, area string, asOf airquality.Day, opt Options) (Input, Options, *areaForecast) {
	year := asOf.Year()
	yr := airquality.Year(year)
	in := Input{Area: area, AsOf: asOf, ThisYear: calc.Air.AreaDays(area, airquality.Range{From: yr.From, To: asOf}), Past: map[int][]airquality.DayValues{}}
	var record []airquality.DayValues
	for y := year - PastYears; y < year; y++ {
		if days := calc.Air.AreaDays(area, airquality.Year(y)); len(days) > 0 {
			in.Past[y] = days
			record = append(record, days...)
		}
	}
	o := opt
	o.Period = calc.Opt.Period
	o.Period.SandDust = calc.Opt.SandDust[area]
	season := airquality.HenanSummer
	spec := calc.SpecFor(area, year)
	if spec != nil && spec.O3Season != nil {
		season = *spec.O3Season
	}
	o.Percentiles = spec != nil && spec.Composite != nil
	o.Period.O3Season = &season
	return in, o, &areaForecast{record: record, remaining: int(yr.To - asOf), period: o.Period}
}

// apply scores one result against the forecast. The year-end values are published
// (rounded) decimals, compared and sorted as fixed-point numbers.
func apply(res *indicator.Result, f *Forecast, yoyPlaces int, last *big.Rat) {
	if yoyPlaces == 0 {
		yoyPlaces = 1
	}
	t, ok := fixed.FromRat(res.Target.Exact)
	if !ok {
		return
	}
	vals := make([]fixed.Dec, 0, len(f.Ends))
	met := 0
	for i := range f.Ends {
		v, ok := value(res, &f.Ends[i], yoyPlaces, last)
		if !ok {
			continue // not valid in this year: not met
		}
		vals = append(vals, v)
		if (res.Direction == indicator.AtMost && v <= t) || (res.Direction == indicator.AtLeast && v >= t) {
			met++
		}
	}
	places := 0
	switch res.Indicator {
	case indicator.GoodDayRatio:
		places = 1
	case indicator.CompositeIndex:
		places = 2
	case indicator.PM25YoY, indicator.PM10YoY:
		places = yoyPlaces
	}
	o := &indicator.Outlook{P: float64(met) / float64(len(f.Ends)), Years: len(f.Years), Sims: len(f.Ends)}
	if len(vals) > 0 {
		slices.Sort(vals)
		q := func(p float64) *indicator.Num {
			v := vals[min(int(p*float64(len(vals))), len(vals)-1)]
			return &indicator.Num{Exact: v.Rat(), Text: fixed.FormatRat(v.Rat(), places)}
		}
		o.Low, o.Mid, o.High = q(0.1), q(0.5), q(0.9)
	}
	res.Outlook = o
	switch res.Status {
	case indicator.OnTrack, indicator.AtRisk, indicator.Unlikely:
		switch {
		case o.P >= OnTrackFrom:
			res.Status = indicator.OnTrack
		case o.P < UnlikelyBelow:
			res.Status = indicator.Unlikely
		default:
			res.Status = indicator.AtRisk
		}
	}
}

// value is a simulated year's published value of the result's indicator, and whether it is
// valid under the rules.
func value(res *indicator.Result, e *YearEnd, yoyPlaces int, last *big.Rat) (fixed.Dec, bool) {
	mean := func(p airquality.Pollutant) (fixed.Dec, bool) {
		st := e.Mean[p]
		if !st.OK() {
			return 0, false
		}
		return st.Rounded(p), true
	}
	days := func(n int) (fixed.Dec, bool) { return fixed.Int(int64(n)), e.DaysReason == airquality.Valid }
	switch res.Indicator {
	case indicator.PM25Mean:
		return mean(airquality.PM25)
	case indicator.PM10Mean:
		return mean(airquality.PM10)
	case indicator.GoodDays:
		return days(e.GoodDays)
	case indicator.O3ExceedanceDays:
		return days(e.O3Days)
	case indicator.HeavyPollutionDays:
		return days(e.HeavyDays)
	case indicator.GoodDayRatio:
		if e.GoodRatio == nil || e.DaysReason != airquality.Valid {
			return 0, false
		}
		return fixed.RoundRatDec(e.GoodRatio, 1)
	case indicator.CompositeIndex:
		if !e.Composite.OK() {
			return 0, false
		}
		return fixed.RoundRatDec(e.Composite.Value, 2)
	case indicator.PM25YoY, indicator.PM10YoY:
		p := airquality.PM25
		if res.Indicator == indicator.PM10YoY {
			p = airquality.PM10
		}
		cur, ok := mean(p)
		if !ok || last == nil || last.Sign() == 0 {
			return 0, false
		}
		// R13: from the published (rounded) values, to the published decimals.
		ch := new(big.Rat).Sub(cur.Rat(), last)
		ch.Quo(ch, last).Mul(ch, big.NewRat(100, 1))
		return fixed.RoundRatDec(ch, yoyPlaces)
	}
	return 0, false
}
