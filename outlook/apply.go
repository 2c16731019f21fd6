package outlook

import (
	"math/big"
	"slices"

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
// gets the reason instead.
func Apply(snap *indicator.Snapshot, calc *indicator.Calculator, opt Options) {
	forecasts := map[string]*Forecast{}
	for i := range snap.Results {
		res := &snap.Results[i]
		if res.Target == nil || !simulated(res.Indicator) {
			continue
		}
		info := snap.Area(res.Area)
		if info == nil {
			continue
		}
		f, ok := forecasts[res.Area]
		if !ok {
			f = forecastArea(calc, res.Area, info.AsOf, opt)
			forecasts[res.Area] = f
		}
		if f.Reason != "" {
			if res.Status != indicator.Met && res.Status != indicator.Missed {
				res.OutlookReason = f.Reason
			}
			continue
		}
		var last *big.Rat // a YoY target's basis: last year's published annual mean
		if mean := yoyMean[res.Indicator]; mean != "" {
			if m := snap.Find(res.Area, mean); m != nil && m.LastYearFull.OK() {
				last, _ = new(big.Rat).SetString(m.LastYearFull.Text)
			}
		}
		apply(res, f, calc.Opt.YoYDecimals, last)
	}
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

// forecastArea simulates an area's year from its history.
func forecastArea(calc *indicator.Calculator, area string, asOf airquality.Day, opt Options) *Forecast {
	year := asOf.Year()
	yr := airquality.Year(year)
	in := Input{Area: area, AsOf: asOf, ThisYear: calc.Air.AreaDays(area, airquality.Range{From: yr.From, To: asOf}), Past: map[int][]airquality.DayValues{}}
	for y := year - PastYears; y < year; y++ {
		if days := calc.Air.AreaDays(area, airquality.Year(y)); len(days) > 0 {
			in.Past[y] = days
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
	f := Simulate(in, o)
	return &f
}

// apply scores one result against the forecast.
func apply(res *indicator.Result, f *Forecast, yoyPlaces int, last *big.Rat) {
	if yoyPlaces == 0 {
		yoyPlaces = 1
	}
	t := res.Target.Exact
	var vals []*big.Rat
	met := 0
	places := 0
	for i := range f.Ends {
		e := &f.Ends[i]
		v, ok := value(res, e, yoyPlaces, last)
		if !ok {
			continue // not valid in this year: not met
		}
		vals = append(vals, v)
		c := v.Cmp(t)
		if (res.Direction == indicator.AtMost && c <= 0) || (res.Direction == indicator.AtLeast && c >= 0) {
			met++
		}
	}
	switch res.Indicator {
	case indicator.GoodDayRatio, indicator.PM25YoY, indicator.PM10YoY:
		places = 1
	case indicator.CompositeIndex:
		places = 2
	}
	if res.Indicator == indicator.PM25YoY || res.Indicator == indicator.PM10YoY {
		places = yoyPlaces
	}
	o := &indicator.Outlook{P: float64(met) / float64(len(f.Ends)), Years: len(f.Years), Sims: len(f.Ends)}
	if len(vals) > 0 {
		slices.SortFunc(vals, func(a, b *big.Rat) int { return a.Cmp(b) })
		q := func(p float64) *indicator.Num {
			v := vals[min(int(p*float64(len(vals))), len(vals)-1)]
			return &indicator.Num{Exact: v, Text: fixed.FormatRat(v, places)}
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
func value(res *indicator.Result, e *YearEnd, yoyPlaces int, last *big.Rat) (*big.Rat, bool) {
	mean := func(p airquality.Pollutant) (*big.Rat, bool) {
		st := e.Mean[p]
		if !st.OK() {
			return nil, false
		}
		return st.Rounded(p).Rat(), true
	}
	days := func(n int) (*big.Rat, bool) { return big.NewRat(int64(n), 1), e.DaysReason == airquality.Valid }
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
			return nil, false
		}
		return fixed.RoundRat(e.GoodRatio, 1), true
	case indicator.CompositeIndex:
		if !e.Composite.OK() {
			return nil, false
		}
		return fixed.RoundRat(e.Composite.Value, 2), true
	case indicator.PM25YoY, indicator.PM10YoY:
		p := airquality.PM25
		if res.Indicator == indicator.PM10YoY {
			p = airquality.PM10
		}
		cur, ok := mean(p)
		if !ok || last == nil || last.Sign() == 0 {
			return nil, false
		}
		// R13: from the published (rounded) values, to the published decimals.
		ch := new(big.Rat).Sub(cur, last)
		ch.Quo(ch, last).Mul(ch, big.NewRat(100, 1))
		return fixed.RoundRat(ch, yoyPlaces), true
	}
	return nil, false
}
