package outlook

import (
	"math"
	"math/big"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/indicator"
)

// minWindowShare is the share of a record window's days that must have a value for its
// mean to count: a stretch mostly missing says nothing about what the air can do.
const minWindowShare = 0.5

// onRecord decides a target the area has too little history to simulate by the record it
// has (this year so far and any past days): when the rest of the year must do better than
// any stretch of the same length ever did — a lower mean than the lowest, more good days
// than the most — the target is unlikely, not at risk, and BestOnRecord says what the
// record gave. A record shorter than the rest of the year decides nothing.
func onRecord(res *indicator.Result, days []airquality.DayValues, remaining int, opt airquality.PeriodOptions) {
	if remaining <= 0 || len(days) == 0 || (res.Status != indicator.OnTrack && res.Status != indicator.AtRisk) {
		return
	}
	switch res.Indicator {
	case indicator.PM25Mean, indicator.PM10Mean:
		p := airquality.PM25
		if res.Indicator == indicator.PM10Mean {
			p = airquality.PM10
		}
		if res.RequiredRemaining == nil {
			return
		}
		best, ok := lowestMean(days, p, remaining)
		if !ok {
			return
		}
		if res.RequiredRemaining.Exact.Cmp(best) < 0 {
			res.Status = indicator.Unlikely
			res.BestOnRecord = &indicator.Num{Exact: best, Text: fixed.FormatRat(best, 1)}
		}
	case indicator.GoodDays:
		if res.Target == nil || res.Current == nil {
			return
		}
		most, ok := mostGood(days, remaining, opt)
		if !ok {
			return
		}
		need := new(big.Rat).Sub(res.Target.Exact, res.Current.Exact)
		if need.Cmp(big.NewRat(int64(most), 1)) > 0 {
			res.Status = indicator.Unlikely
			res.BestOnRecord = &indicator.Num{Exact: big.NewRat(int64(most), 1), Text: fixed.FormatRat(big.NewRat(int64(most), 1), 0)}
		}
	}
}

// dense lays the days out by calendar day from the first.
func dense(days []airquality.DayValues) (first airquality.Day, span int) {
	first, last := days[0].Day, days[0].Day
	for i := range days {
		first, last = min(first, days[i].Day), max(last, days[i].Day)
	}
	return first, int(last-first) + 1
}

// lowestMean is the lowest mean of p's daily values over any n consecutive calendar days of
// the record that have values on at least minWindowShare of them.
func lowestMean(days []airquality.DayValues, p airquality.Pollutant, n int) (*big.Rat, bool) {
	first, span := dense(days)
	if span < n {
		return nil, false
	}
	sum := make([]float64, span+1)
	cnt := make([]int, span+1)
	val := make([]float64, span)
	has := make([]bool, span)
	for i := range days {
		if st := days[i].Conc[p]; st.OK() {
			k := int(days[i].Day - first)
			val[k], has[k] = ratFloat(st.Value), true
		}
	}
	for k := 0; k < span; k++ {
		sum[k+1], cnt[k+1] = sum[k]+val[k], cnt[k]
		if has[k] {
			cnt[k+1]++
		}
	}
	best, found := math.Inf(1), false
	for k := n; k <= span; k++ {
		c := cnt[k] - cnt[k-n]
		if float64(c) < minWindowShare*float64(n) || c == 0 {
			continue
		}
		if m := (sum[k] - sum[k-n]) / float64(c); m < best {
			best, found = m, true
		}
	}
	if !found {
		return nil, false
	}
	return new(big.Rat).SetFloat64(best), true
}

// mostGood is the most good days (daily AQI ≤ 100) in any n consecutive calendar days of
// the record.
func mostGood(days []airquality.DayValues, n int, opt airquality.PeriodOptions) (int, bool) {
	first, span := dense(days)
	if span < n {
		return 0, false
	}
	good := make([]int, span+1)
	mark := make([]bool, span)
	for i := range days {
		if c := airquality.ClassifyDay(&days[i], 0, opt); c.Valid && c.AQI <= 100 {
			mark[int(days[i].Day-first)] = true
		}
	}
	for k := 0; k < span; k++ {
		good[k+1] = good[k]
		if mark[k] {
			good[k+1]++
		}
	}
	most := 0
	for k := n; k <= span; k++ {
		most = max(most, good[k]-good[k-n])
	}
	return most, true
}

func ratFloat(r *big.Rat) float64 {
	f, _ := r.Float64()
	return f
}
