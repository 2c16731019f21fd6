package airquality

import (
	"math/big"
	"slices"
	"time"

	"github.com/envwatch/envwatch/fixed"
)

// Range is an inclusive range of days.
type Range struct{ From, To Day }

// Year returns the calendar year y.
func Year(y int) Range { return Range{YearStart(y), YearStart(y+1) - 1} }

// Month returns a calendar month.
func Month(y int, m time.Month) Range {
	from := DayFromDate(y, m, 1)
	return Range{from, DayFromDate(y, m+1, 1) - 1}
}

// Quarter returns calendar quarter q (1…4) of year y.
func Quarter(y, q int) Range {
	m := time.Month(3*(q-1) + 1)
	return Range{DayFromDate(y, m, 1), DayFromDate(y, m+3, 1) - 1}
}

// YearToDate returns 1 January … asOf (inclusive) of asOf's year.
func YearToDate(asOf Day) Range { return Range{YearStart(asOf.Year()), asOf} }

// SamePeriodLastYear shifts a range one calendar year back, day for day (29 February
// maps to 28 February).
func (r Range) SamePeriodLastYear() Range {
	shift := func(d Day) Day {
		y, m, dd := d.Date()
		if m == time.February && dd == 29 {
			dd = 28
		}
		return DayFromDate(y-1, m, dd)
	}
	return Range{shift(r.From), shift(r.To)}
}

// Days is the number of days in the range.
func (r Range) Days() int { return int(r.To-r.From) + 1 }

// Contains reports whether d lies in the range.
func (r Range) Contains(d Day) bool { return d >= r.From && d <= r.To }

// Season is a recurring window of the year, e.g. Henan's summer ozone season May 1 –
// September 30 (docs/standards.md R16).
type Season struct {
	FromMonth time.Month
	FromDay   int
	ToMonth   time.Month
	ToDay     int
}

// HenanSummer is Henan's "夏季" for ozone exceedance days: May–September.
var HenanSummer = Season{time.May, 1, time.September, 30}

// Contains reports whether the day lies in the season.
func (s Season) Contains(d Day) bool {
	_, m, dd := d.Date()
	k := int(m)*100 + dd
	return k >= int(s.FromMonth)*100+s.FromDay && k <= int(s.ToMonth)*100+s.ToDay
}

// SandMask says which particulate daily values of a day are deducted as sand-dust.
type SandMask uint8

// Sand-dust deduction bits.
const (
	SandPM10 SandMask = 1 << iota
	SandPM25
	SandBoth = SandPM10 | SandPM25
)

func (m SandMask) deducts(p Pollutant) bool {
	return (p == PM10 && m&SandPM10 != 0) || (p == PM25 && m&SandPM25 != 0)
}

// SandDayRule decides how a deducted day is classified (docs/standards.md R20).
type SandDayRule int

const (
	// SandKeep keeps the day's original AQI (CNEMC national reports: "优良天数比例…保留沙尘").
	SandKeep SandDayRule = iota
	// SandRecompute recomputes the AQI from the pollutants that were not deducted.
	SandRecompute
)

// O3ExceedanceRule defines an ozone exceedance day (R17 [U]).
type O3ExceedanceRule int

const (
	// O3ExceedMDA8 counts valid days with the (rounded) MDA8 above 160 µg/m³ (default).
	O3ExceedMDA8 O3ExceedanceRule = iota
	// O3ExceedPrimary counts days with O3 as primary pollutant and AQI > 100.
	O3ExceedPrimary
	// O3ExceedMDA8Or1h also counts days with the maximum 1-h O3 above 200 µg/m³ (2012).
	O3ExceedMDA8Or1h
)

// PercentileMethod selects how percentiles are computed (R8).
type PercentileMethod int

const (
	// PercentileInterpolate is the HJ 663 formula: k = 1 + (n−1)p, linear interpolation.
	PercentileInterpolate PercentileMethod = iota
	// PercentileNearestRank is X(⌈p·n⌉), used by some provincial platforms [1].
	PercentileNearestRank
)

// CompositeScheme selects the divisors and weights of the composite index (§2.6).
type CompositeScheme int

const (
	// Composite2013 divides by the GB 3095-2012 Grade II limits (SO2 60, NO2 40, PM10 70,
	// PM2.5 35, CO 4, O3 160), unweighted.
	Composite2013 CompositeScheme = iota
	// Composite2026Weighted uses the GB 3095-2026 transitional annual limits (PM10 60,
	// PM2.5 30) with weights PM2.5 3, O3 2, NO2 2, others 1 [1, unverified].
	Composite2026Weighted
)

// PeriodOptions are the switches of a period assessment.
type PeriodOptions struct {
	AQI      AQIOptions
	O3Season *Season // nil: O3 exceedance days over the whole range
	O3Exceed O3ExceedanceRule
	SandDust map[Day]SandMask
	SandDay  SandDayRule
	// SandMissing makes deducted days count as missing against the validity minimum;
	// by default they are excused (the minimum applies to the days not deducted).
	SandMissing bool
	Percentile  PercentileMethod
	Composite   CompositeScheme
}

// PeriodStats are the indicators of one station or area over a range of days.
type PeriodStats struct {
	Range Range
	// Mean is the mean of the valid daily values (O3: of the MDA8) with GB 3095 Table 4
	// validity; N is the number of days used.
	Mean [NumPollutants]Stat
	// Percentile is the assessment percentile of the daily values: SO2 and NO2 P98, PM10,
	// PM2.5 and CO P95, O3 P90 of the MDA8.
	Percentile [NumPollutants]Stat
	// ValidDays are days whose daily AQI could be determined (R10).
	ValidDays, GoodDays, ExceedanceDays, HeavyDays int
	// GoodRatio is GoodDays/ValidDays in percent, exact; nil with no valid day.
	GoodRatio *big.Rat
	// O3ExceedanceDays are counted within the season (all the range when none is set);
	// O3SeasonDays are the valid days of the season inside the range.
	O3ExceedanceDays, O3SeasonDays int
	// PrimaryDays counts the valid days with AQI > 50 on which each pollutant was primary.
	PrimaryDays [NumPollutants]int
	// Composite is the composite index (综合指数), each sub-index rounded half-even to
	// two decimals before summing; invalid if any input statistic is.
	Composite Stat
	// SandDays is the number of days on which a sand-dust deduction was applied.
	SandDays int
	// DaysReason is the coverage of the days with a valid daily AQI (the basis of every
	// day count and of the good-day ratio) under the same rule as a mean: Valid or why not.
	DaysReason Validity
	// NADays are the days of the range without a valid daily AQI (no data, or too little),
	// in order.
	NADays []Day
}

// PercentileOf returns the assessment percentile p (in percent) per pollutant.
func PercentileOf(p Pollutant) int {
	switch p {
	case SO2, NO2:
		return 98
	case O3:
		return 90
	default:
		return 95
	}
}

// Assess computes the period indicators from daily values. Days outside r are ignored;
// missing days simply are not in the slice.
func Assess(days []DayValues, r Range, opt PeriodOptions) PeriodStats {
	ps := PeriodStats{Range: r}
	var vals [NumPollutants][]*big.Rat
	var perMonth, excusedMonth [NumPollutants]map[int]int // yyyymm → valid (deducted) days
	for p := range perMonth {
		perMonth[p], excusedMonth[p] = map[int]int{}, map[int]int{}
	}
	good := 0
	aqiMonth := map[int]int{}
	validDay := make([]bool, r.Days())
	for i := range days {
		d := &days[i]
		if !r.Contains(d.Day) {
			continue
		}
		mask := opt.SandDust[d.Day]
		if mask != 0 {
			ps.SandDays++
		}
		y, m, _ := d.Day.Date()
		for p := Pollutant(0); p < NumPollutants; p++ {
			if mask.deducts(p) && !opt.SandMissing && d.Conc[p].OK() {
				excusedMonth[p][y*100+int(m)]++ // deducted, not missing (docs/standards.md, sand-dust days)
			}
			if !d.Conc[p].OK() || mask.deducts(p) {
				continue
			}
			vals[p] = append(vals[p], d.Conc[p].Value)
			perMonth[p][y*100+int(m)]++
		}
		dc := ClassifyDay(d, mask, opt)
		if !dc.Valid {
			continue
		}
		ps.ValidDays++
		aqiMonth[y*100+int(m)]++
		validDay[d.Day-r.From] = true
		switch {
		case dc.AQI <= 100:
			good++
		case dc.AQI > 200:
			ps.HeavyDays++
		}
		if dc.AQI > 100 {
			ps.ExceedanceDays++
		}
		for _, it := range dc.Primary.Items() {
			ps.PrimaryDays[it.Pollutant()]++
		}
		if opt.O3Season == nil || opt.O3Season.Contains(d.Day) {
			ps.O3SeasonDays++
			if dc.O3Exceeds {
				ps.O3ExceedanceDays++
			}
		}
	}
	ps.GoodDays = good
	for i, ok := range validDay {
		if !ok {
			ps.NADays = append(ps.NADays, r.From+Day(i))
		}
	}
	ps.DaysReason = Coverage(aqiMonth, r)
	if ps.ValidDays == 0 {
		ps.DaysReason = NoDays
	}
	if ps.ValidDays > 0 {
		ps.GoodRatio = big.NewRat(int64(good*100), int64(ps.ValidDays))
	}
	for p := Pollutant(0); p < NumPollutants; p++ {
		ps.Mean[p] = periodMean(vals[p], r, perMonth[p], excusedMonth[p])
		ps.Percentile[p] = percentile(vals[p], PercentileOf(p), opt.Percentile)
		if ps.Percentile[p].Value != nil {
			ps.Percentile[p].Reason = ps.Mean[p].Reason
		}
	}
	ps.Composite = composite(&ps, opt.Composite)
	return ps
}

// DayClass is how a day counts in a period's day counts.
type DayClass struct {
	// Valid: the daily AQI is determinable (R10); AQI is it then.
	Valid bool
	AQI   int
	// Primary is the day's primary pollutant(s) when AQI > 50.
	Primary ItemSet
	// O3Exceeds: an ozone exceedance day under the rule (wherever the day lies: the
	// season is the caller's).
	O3Exceeds bool
}

// ClassifyDay classifies a day as Assess counts it: its daily AQI under opt.AQI (a
// sand-dust mask applied per opt.SandDay) and the ozone exceedance rule.
func ClassifyDay(d *DayValues, mask SandMask, opt PeriodOptions) DayClass {
	res := dayClass(d, mask, opt)
	if res.NA {
		return DayClass{}
	}
	return DayClass{Valid: true, AQI: res.AQI, Primary: res.Primary, O3Exceeds: o3Exceeds(d, &res, opt.O3Exceed)}
}

func dayClass(d *DayValues, mask SandMask, opt PeriodOptions) Result {
	if mask == 0 || opt.SandDay == SandKeep {
		return DailyAQI(d, opt.AQI)
	}
	dd := *d
	var excused ItemSet
	if mask.deducts(PM10) {
		dd.Conc[PM10] = Stat{Reason: SandDustDeducted}
		excused.add(ItemPM10)
	}
	if mask.deducts(PM25) {
		dd.Conc[PM25] = Stat{Reason: SandDustDeducted}
		excused.add(ItemPM25)
	}
	res := DailyAQI(&dd, opt.AQI)
	res.Excuse(excused)
	return res
}

func o3Exceeds(d *DayValues, res *Result, rule O3ExceedanceRule) bool {
	mda8 := d.Conc[O3].OK() && d.Conc[O3].Rounded(O3) > fixed.Int(o3LimitMDA8)
	switch rule {
	case O3ExceedPrimary:
		return res.AQI > 100 && (res.Primary.Has(ItemO3_8h) || res.Primary.Has(ItemO3_1hMax))
	case O3ExceedMDA8Or1h:
		return mda8 || (d.O3Max1h.OK() && d.O3Max1h.Rounded(O3) > fixed.Int(200))
	default:
		return mda8
	}
}

// periodMean is the mean of daily values, valid when the days behind it meet Coverage.
func periodMean(vals []*big.Rat, r Range, perMonth, excused map[int]int) Stat {
	if len(vals) == 0 {
		return Stat{Reason: NoDays}
	}
	if len(excused) > 0 {
		counted := make(map[int]int, len(perMonth))
		for k, n := range perMonth {
			counted[k] = n
		}
		for k, n := range excused {
			counted[k] += n
		}
		perMonth = counted
	}
	sum := new(big.Rat)
	for _, v := range vals {
		sum.Add(sum, v)
	}
	return Stat{Value: sum.Quo(sum, big.NewRat(int64(len(vals)), 1)), N: len(vals), Reason: Coverage(perMonth, r)}
}

// Coverage applies GB 3095 Table 4 (and HJ 663 §4.2) to the valid days of a statistic
// over r, given per calendar month (yyyymm → days): a month wholly inside r needs ≥ 27
// valid days (25 in February), a calendar year wholly inside ≥ 324. A month or year only
// partly inside r — the running month of a year to date, the same window last year — needs
// the same share of its days in r, rounded up: ⌈27·d/D⌉ of the d days of a D-day month,
// ⌈324·n/N⌉ of the n days of an N-day year. A year to date therefore never passes with a
// month of data that a whole year would fail (docs/targets.md, "Coverage and validity").
func Coverage(perMonth map[int]int, r Range) Validity {
	return CoverageFunc(func(yyyymm int) int { return perMonth[yyyymm] }, r)
}

// CoverageFunc is Coverage with the valid days of a month (yyyymm) given by a function.
func CoverageFunc(perMonth func(yyyymm int) int, r Range) Validity {
	if r.To < r.From {
		return NoDays
	}
	fy, _, _ := r.From.Date()
	ty, _, _ := r.To.Date()
	reason := Valid
	for y := fy; y <= ty; y++ {
		rule := NewYearCoverage(y, r)
		var per [13]int
		for m := 1; m <= 12; m++ {
			per[m] = perMonth(y*100 + m)
		}
		switch v := rule.Check(&per); {
		case v == TooFewMonthDays:
			reason = TooFewMonthDays
		case v == TooFewDays && reason == Valid:
			reason = TooFewDays
		}
	}
	return reason
}

// YearCoverage is the GB 3095 Table 4 minimum for the part of one calendar year a range
// covers, worked out once: the valid days each month must have, pro rata for a month the
// range covers in part, and the year's. Checking a year's counts against it is then
// arithmetic (the outlook checks every simulated year).
type YearCoverage struct {
	need    [13]int // by month; −1: the range does not reach the month
	needAll int
}

// NewYearCoverage is the minimum for year y's part of r.
func NewYearCoverage(y int, r Range) YearCoverage {
	var c YearCoverage
	yr := Year(y)
	in := Range{From: max(yr.From, r.From), To: min(yr.To, r.To)}
	for m := time.January; m <= time.December; m++ {
		mr := Month(y, m)
		part := Range{From: max(mr.From, r.From), To: min(mr.To, r.To)}
		if part.To < part.From {
			c.need[m] = -1
			continue
		}
		need := MinDaysPerMonth
		if m == time.February {
			need = MinDaysPerFebruary
		}
		c.need[m] = ceilShare(need, part.Days(), mr.Days())
	}
	c.needAll = ceilShare(MinDaysPerYear, in.Days(), yr.Days())
	return c
}

// Check is the validity of a year's valid days per month (index 1–12).
func (c *YearCoverage) Check(perMonth *[13]int) Validity {
	reason := Valid
	total := 0
	for m := 1; m <= 12; m++ {
		if c.need[m] < 0 {
			continue
		}
		total += perMonth[m]
		if perMonth[m] < c.need[m] {
			reason = TooFewMonthDays
		}
	}
	if total < c.needAll && reason == Valid {
		reason = TooFewDays
	}
	return reason
}

// ceilShare is ⌈need·part/whole⌉.
func ceilShare(need, part, whole int) int { return (need*part + whole - 1) / whole }

// Percentile computes the p-th percentile of values with the HJ 663 formula:
// sort ascending, k = 1 + (n−1)·p/100, s = ⌊k⌋, X(s) + (X(s+1) − X(s))·(k − s).
func Percentile(values []*big.Rat, p int, method PercentileMethod) *big.Rat {
	n := len(values)
	if n == 0 {
		return nil
	}
	xs := slices.Clone(values)
	slices.SortFunc(xs, func(a, b *big.Rat) int { return a.Cmp(b) })
	return PercentileSorted(xs, p, method)
}

// PercentileSorted is Percentile of values already in ascending order.
func PercentileSorted(xs []*big.Rat, p int, method PercentileMethod) *big.Rat {
	n := len(xs)
	if n == 0 {
		return nil
	}
	if method == PercentileNearestRank {
		k := (p*n + 99) / 100 // ⌈p·n/100⌉
		if k < 1 {
			k = 1
		}
		return new(big.Rat).Set(xs[k-1])
	}
	// k − 1 = (n−1)·p/100 as an exact fraction
	k := big.NewRat(int64((n-1)*p), 100)
	s := new(big.Int).Quo(k.Num(), k.Denom()).Int64() // ⌊k−1⌋, 0-based index
	frac := new(big.Rat).Sub(k, big.NewRat(s, 1))
	out := new(big.Rat).Set(xs[s])
	if frac.Sign() > 0 && int(s)+1 < n {
		diff := new(big.Rat).Sub(xs[s+1], xs[s])
		out.Add(out, diff.Mul(diff, frac))
	}
	return out
}

func percentile(vals []*big.Rat, p int, method PercentileMethod) Stat {
	v := Percentile(vals, p, method)
	if v == nil {
		return Stat{Reason: NoDays}
	}
	return Stat{Value: v, N: len(vals)}
}

type compositeTerm struct {
	stat    func(*PeriodStats) Stat
	p       Pollutant
	divisor [2]int64 // 2013, 2026 (CO in mg/m³)
	weight  [2]int64
}

var compositeTerms = []compositeTerm{
	{func(s *PeriodStats) Stat { return s.Mean[SO2] }, SO2, [2]int64{60, 60}, [2]int64{1, 1}},
	{func(s *PeriodStats) Stat { return s.Mean[NO2] }, NO2, [2]int64{40, 40}, [2]int64{1, 2}},
	{func(s *PeriodStats) Stat { return s.Mean[PM10] }, PM10, [2]int64{70, 60}, [2]int64{1, 1}},
	{func(s *PeriodStats) Stat { return s.Mean[PM25] }, PM25, [2]int64{35, 30}, [2]int64{1, 3}},
	{func(s *PeriodStats) Stat { return s.Percentile[CO] }, CO, [2]int64{4, 4}, [2]int64{1, 1}},
	{func(s *PeriodStats) Stat { return s.Percentile[O3] }, O3, [2]int64{160, 160}, [2]int64{1, 2}},
}

func composite(ps *PeriodStats, scheme CompositeScheme) Stat {
	in := make([]fixed.Dec, len(compositeTerms))
	reason := Valid
	for i, t := range compositeTerms {
		st := t.stat(ps)
		if st.Value == nil {
			return Stat{Reason: NoDays}
		}
		if st.Reason != Valid {
			reason = st.Reason
		}
		in[i] = st.Rounded(t.p)
	}
	v := CompositeIndex(in, scheme)
	return Stat{Value: v, N: len(in), Reason: reason}
}

// CompositeIndex computes Σ wᵢ·round₂(Cᵢ/Sᵢ) from the rounded period statistics in the
// order SO2, NO2, PM10, PM2.5 (means), CO P95, O3 P90 (docs/standards.md §2.6).
func CompositeIndex(c []fixed.Dec, scheme CompositeScheme) *big.Rat {
	sum := new(big.Rat)
	for i, t := range compositeTerms {
		q := new(big.Rat).Quo(c[i].Rat(), big.NewRat(t.divisor[scheme], 1))
		q = fixed.RoundRat(q, 2)
		sum.Add(sum, q.Mul(q, big.NewRat(t.weight[scheme], 1)))
	}
	return sum
}

// RoundedRatio rounds a percentage to one decimal (GB/T 8170), as good-day ratios are
// published.
func RoundedRatio(r *big.Rat) string {
	if r == nil {
		return "NA"
	}
	return fixed.FormatRat(r, 1)
}
