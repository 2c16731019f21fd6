package airquality

import (
	"errors"

	"github.com/envwatch/envwatch/fixed"
)

// SubIndex is an individual air-quality index (IAQI, 空气质量分指数).
type SubIndex struct {
	// Value is the IAQI rounded up to an integer (HJ 633 §6.2 / 2026 §4.2.6).
	Value int
	// Capped is set when the concentration lies above the top of the table and Value was
	// capped at 500.
	Capped bool
	// Special is set when a version-specific rule above 800 µg/m³ fixed the value
	// (HJ 633-2026: SO2 1 h > 800 → 200, O3 8 h > 800 → 300).
	Special bool
}

var (
	// ErrNegative reports a negative concentration.
	ErrNegative = errors.New("negative concentration")
	// ErrBeyondTable reports a concentration above the end of a column that HJ 633-2012
	// does not extend (SO2 1 h > 800, O3 8 h > 800): the caller must use the other
	// averaging period, as the standard's notes 2 and 3 require.
	ErrBeyondTable = errors.New("concentration beyond the table; use the other averaging period")
)

// IAQI computes the exact individual index of a concentration (µg/m³, CO mg/m³) on the
// edition's table, with linear interpolation (式1) in integer arithmetic and ceiling
// rounding. It does not round the concentration first: AQI computations do that (see
// RoundConcentration); IAQI itself is exact so that 60.11 µg/m³ PM2.5 gives 101 (2026).
func IAQI(v Version, ind Indicator, c fixed.Dec) (SubIndex, error) {
	if c < 0 {
		return SubIndex{}, ErrNegative
	}
	t := tableFor(v, ind)
	top := t.bp[t.n-1]
	if int64(c) > top*fixed.Scale {
		switch {
		case t.n == 8:
			return SubIndex{Value: 500, Capped: true}, nil
		case v == V2026 && ind == SO2_1h:
			return SubIndex{Value: 200, Special: true}, nil
		case v == V2026 && ind == O3_8h:
			return SubIndex{Value: 300, Special: true}, nil
		default:
			return SubIndex{}, ErrBeyondTable
		}
	}
	for i := 1; i < t.n; i++ {
		hi := t.bp[i] * fixed.Scale
		if int64(c) <= hi {
			lo := t.bp[i-1] * fixed.Scale
			num := (iaqiRows[i] - iaqiRows[i-1]) * (int64(c) - lo)
			den := hi - lo
			return SubIndex{Value: int(iaqiRows[i-1] + ceilDiv(num, den))}, nil
		}
	}
	return SubIndex{}, ErrBeyondTable // unreachable: c ≤ top
}

// ceilDiv is ⌈a/b⌉ for a ≥ 0, b > 0.
func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

// RoundConcentration rounds a concentration per GB/T 8170 to the decimals HJ 633-2026
// §4.2.2 prescribes (integers; CO one decimal) before it enters an IAQI. The 2012-era
// national platform followed the same convention.
func RoundConcentration(p Pollutant, c fixed.Dec) fixed.Dec { return c.Round(p.Decimals()) }
