// Package fixed holds exact decimal numbers for environmental concentrations and the
// GB/T 8170 rounding rule ("四舍六入五成双", round half to even on the exact decimal
// value) that the national standards apply before classifying or publishing a value.
//
// A Dec is a fixed-point number with nine fractional digits stored in an int64. That is
// enough for every published concentration (HJ 212 packets carry at most eight decimals)
// and keeps the hot ingest path free of allocations. Statistics over many values (means,
// percentiles) use math/big rationals so no precision is lost before the single rounding
// at output.
package fixed

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
)

// Scale is the number of units of a Dec in 1.
const Scale = 1_000_000_000

// Places is the number of fractional digits a Dec keeps.
const Places = 9

// Dec is an exact decimal: the value times 10⁹.
type Dec int64

// Max is the largest magnitude accepted when parsing; it leaves head-room so sums of a
// day's values cannot overflow.
const Max = Dec(1_000_000_000 * Scale) // 1e9 in value units

var (
	// ErrSyntax reports a string that is not a decimal number.
	ErrSyntax = errors.New("not a decimal number")
	// ErrRange reports a number outside ±1e9 or not finite.
	ErrRange = errors.New("number out of range")
)

var pow10 = [...]int64{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
	10000000000, 100000000000, 1000000000000, 10000000000000, 100000000000000, 1000000000000000,
	10000000000000000, 100000000000000000, 1000000000000000000}

// Int returns the Dec for an integer.
func Int(i int64) Dec { return Dec(i * Scale) }

// Parse reads a plain decimal ("12", "-0.427", "+3.", ".5") or a number with an exponent
// ("1e-5"). Digits beyond the ninth decimal are rounded half to even.
func Parse(s string) (Dec, error) {
	if d, ok := parsePlain(s); ok {
		return d, nil
	}
	if s == "" || strings.ContainsAny(s, "/_ \t") {
		return 0, fmt.Errorf("%q: %w", s, ErrSyntax)
	}
	low := strings.ToLower(s)
	if strings.Contains(low, "inf") || strings.Contains(low, "nan") || strings.HasPrefix(low, "0x") {
		return 0, fmt.Errorf("%q: %w", s, ErrRange)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, fmt.Errorf("%q: %w", s, ErrSyntax)
	}
	d, ok := FromRat(r)
	if !ok {
		return 0, fmt.Errorf("%q: %w", s, ErrRange)
	}
	return d, nil
}

// parsePlain handles the common case without allocating.
func parsePlain(s string) (Dec, bool) {
	i, neg := 0, false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	var intPart, frac int64
	digits, fracDigits := 0, 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		intPart = intPart*10 + int64(s[i]-'0')
		digits++
		if intPart > int64(Max/Scale) {
			return 0, false
		}
	}
	if i < len(s) && s[i] == '.' {
		i++
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			if fracDigits == Places {
				return 0, false // more digits than we keep: let the exact path round them
			}
			frac = frac*10 + int64(s[i]-'0')
			fracDigits++
		}
	}
	if i != len(s) || digits+fracDigits == 0 {
		return 0, false
	}
	v := intPart*Scale + frac*pow10[Places-fracDigits]
	if neg {
		v = -v
	}
	return Dec(v), true
}

// FromRat converts an exact rational, rounding half to even at the ninth decimal.
func FromRat(r *big.Rat) (Dec, bool) {
	q := roundRat(r, Places)
	if !q.IsInt64() {
		return 0, false
	}
	v := q.Int64()
	if v > int64(Max) || v < -int64(Max) {
		return 0, false
	}
	return Dec(v), true
}

// FromFloat converts a float64 that came from a decimal text (JSON, a driver) back to the
// decimal it was written as, by rounding to nine decimals. NaN and ±Inf are refused.
func FromFloat(f float64) (Dec, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > float64(Max/Scale) {
		return 0, false
	}
	// strconv gives the shortest decimal that round-trips, which is what the sender wrote.
	d, err := Parse(strconv.FormatFloat(f, 'g', -1, 64))
	if err != nil {
		return 0, false
	}
	return d, true
}

// Float64 returns the nearest float64; use it only for display and storage.
func (d Dec) Float64() float64 {
	return float64(d/Scale) + float64(d%Scale)/Scale
}

// Rat returns the exact value as a new big.Rat.
func (d Dec) Rat() *big.Rat { return big.NewRat(int64(d), Scale) }

// String formats the value with no trailing zeros ("0.427", "75", "-1.5").
func (d Dec) String() string { return string(d.Append(nil)) }

// Append appends what String returns to b, without allocating (line protocol, hot path).
func (d Dec) Append(b []byte) []byte {
	v := uint64(d)
	if d < 0 {
		b = append(b, '-')
		v = -v // also right for the most negative value, as an unsigned magnitude
	}
	ip, fp := v/Scale, v%Scale
	b = strconv.AppendUint(b, ip, 10)
	if fp == 0 {
		return b
	}
	b = append(b, '.')
	digits := Places
	for fp%10 == 0 {
		fp /= 10
		digits--
	}
	var tmp [Places]byte
	for i := digits - 1; i >= 0; i-- {
		tmp[i] = byte('0' + fp%10)
		fp /= 10
	}
	return append(b, tmp[:digits]...)
}

// Round rounds half to even (GB/T 8170) to the given number of decimals (0…9).
func (d Dec) Round(places int) Dec {
	if places >= Places {
		return d
	}
	unit := pow10[Places-places]
	v := int64(d)
	q, r := v/unit, v%unit
	if r < 0 {
		r = -r
	}
	switch twice := 2 * r; {
	case twice > unit, twice == unit && q%2 != 0:
		if v < 0 {
			q--
		} else {
			q++
		}
	}
	return Dec(q * unit)
}

// Units returns the value in units of 10^-places after rounding half to even, e.g.
// Units(1) of 1.25 is 12. It is how a rounded concentration enters integer arithmetic.
func (d Dec) Units(places int) int64 {
	return int64(d.Round(places)) / pow10[Places-places]
}

// RoundRat rounds an exact rational half to even to the given number of decimals.
func RoundRat(r *big.Rat, places int) *big.Rat {
	q := roundRat(r, places)
	return new(big.Rat).SetFrac(q, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil))
}

// RoundRatDec rounds an exact rational half to even and returns it as a Dec.
func RoundRatDec(r *big.Rat, places int) (Dec, bool) {
	if places >= 0 && places <= Places && r.Num().IsInt64() && r.Denom().IsUint64() {
		if d, ok := roundFrac64(r.Num().Int64(), r.Denom().Uint64(), places); ok {
			return d, true
		}
	}
	return FromRat(RoundRat(r, places))
}

// roundFrac64 is RoundRatDec for num/den in 64 bits, computed exactly in 128: published
// values are means of a few dozen readings, and the big.Int path (powers of ten by Exp,
// a GCD per result) was a third of a backfill's derived series (docs/performance.md).
// ok is false when the result does not fit (the caller then takes the big.Int path).
func roundFrac64(num int64, den uint64, places int) (Dec, bool) {
	if num == math.MinInt64 || den == 0 {
		return 0, false
	}
	neg := num < 0
	a := uint64(num)
	if neg {
		a = uint64(-num)
	}
	hi, lo := bits.Mul64(a, uint64(pow10[places]))
	if hi >= den {
		return 0, false // the quotient would not fit in 64 bits
	}
	q, rem := bits.Div64(hi, lo, den)
	if half := den - rem; rem > half || (rem == half && q&1 == 1) { // half to even
		q++
	}
	hi, v := bits.Mul64(q, uint64(pow10[Places-places]))
	if hi != 0 || v > uint64(Max) {
		return 0, false
	}
	if neg {
		return -Dec(v), true
	}
	return Dec(v), true
}

// roundRat returns round_half_even(r × 10^places) as an integer.
func roundRat(r *big.Rat, places int) *big.Int {
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil)
	num := new(big.Int).Mul(r.Num(), scale)
	den := r.Denom()
	neg := num.Sign() < 0
	num.Abs(num)
	q, rem := new(big.Int).QuoRem(num, den, new(big.Int))
	rem.Lsh(rem, 1)
	switch c := rem.Cmp(den); {
	case c > 0, c == 0 && q.Bit(0) == 1:
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	return q
}

// FormatRat formats a rational rounded half to even with exactly `places` decimals.
func FormatRat(r *big.Rat, places int) string {
	return RoundRat(r, places).FloatString(places)
}

// Float64E returns the nearest float64 to d × 10^exp, correctly rounded (converting to a
// base unit: 40 µg/m³ is exactly the float nearest 4e-05 g/m³, not 40 × 1e-6).
func (d Dec) Float64E(exp int) float64 {
	f, _ := strconv.ParseFloat(d.String()+"e"+strconv.Itoa(exp), 64)
	return f
}
