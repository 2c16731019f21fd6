package airquality

import "math/big"

// compactDay is a DayValues as the area-day cache keeps it: each statistic's value as an
// int64 fraction when it fits — every value seen does: means of a few dozen values of at
// most three decimals — instead of a big.Rat. A national year holds ≈ 146,000 area-days
// (this year and last) of seven statistics each; as big.Rat they were ≈ 100 MB of the
// steady-state heap (docs/performance.md).
type compactDay struct {
	day  Day
	stat [NumPollutants + 1]compactStat // Conc, then O3Max1h
}

type compactStat struct {
	num, den int64    // den 0: no value
	big      *big.Rat // the value when it does not fit num/den
	n        int32
	reason   Validity
}

func compactDayOf(v *DayValues) compactDay {
	c := compactDay{day: v.Day}
	for p := range v.Conc {
		c.stat[p] = compactStatOf(v.Conc[p])
	}
	c.stat[NumPollutants] = compactStatOf(v.O3Max1h)
	return c
}

// values expands the day; each value is a new big.Rat the caller may keep.
func (c *compactDay) values() DayValues {
	v := DayValues{Day: c.day}
	for p := range v.Conc {
		v.Conc[p] = c.stat[p].stat()
	}
	v.O3Max1h = c.stat[NumPollutants].stat()
	return v
}

func compactStatOf(s Stat) compactStat {
	c := compactStat{n: int32(s.N), reason: s.Reason}
	switch {
	case s.Value == nil:
	case s.Value.Num().IsInt64() && s.Value.Denom().IsInt64():
		c.num, c.den = s.Value.Num().Int64(), s.Value.Denom().Int64()
	default:
		c.big = new(big.Rat).Set(s.Value)
	}
	return c
}

func (c compactStat) stat() Stat {
	s := Stat{N: int(c.n), Reason: c.reason}
	switch {
	case c.big != nil:
		s.Value = new(big.Rat).Set(c.big)
	case c.den != 0:
		s.Value = new(big.Rat).SetFrac64(c.num, c.den)
	}
	return s
}
