package airquality

import (
	"encoding/binary"
	"fmt"
	"math/big"

	"github.com/envwatch/envwatch/fixed"
)

// Validity minimums of GB 3095 Table 4 and HJ 663 (docs/standards.md §2.2).
const (
	MinHoursPerDay       = 20 // 24-h mean
	MinHoursPer8h        = 6  // 8-h mean
	MinMDA8Windows       = 14 // of the 17 windows ending 08:00…24:00
	MinDaysPerYear       = 324
	MinDaysPerMonth      = 27
	MinDaysPerFebruary   = 25
	mda8FirstWindowSlot  = 7 // window ending 08:00 = slots 0…7
	milliPerUnit         = 1000
	o3LimitMDA8          = 160 // µg/m³, Grade II, both editions
	hoursPerDay          = 24
	daysPerLeapYear      = 366
	noValue              = int32(-1 << 31)
	maxMilli             = int64(1<<31 - 1)
	minMilli             = int64(-1<<31 + 1)
	milliToDecMultiplier = fixed.Scale / milliPerUnit
)

// StationDay holds one station's hourly concentrations for one natural day, in units of
// 0.001 µg/m³ (CO 0.001 mg/m³) — more precision than any source publishes.
type StationDay struct {
	hours [NumPollutants][hoursPerDay]int32
	mask  [NumPollutants]uint32 // bit h set when slot h holds a valid value
	// unmonitored has bit h set when the station reported that it does not monitor the
	// pollutant in slot h (CNEMC "/"): no value, and under the platform's practice not a
	// missing one for the real-time AQI (docs/standards.md §1.7).
	unmonitored [NumPollutants]uint32
}

// set stores a value; it reports whether the slot changed.
func (d *StationDay) set(p Pollutant, slot int, milli int32) bool {
	bit := uint32(1) << slot
	if d.mask[p]&bit != 0 && d.hours[p][slot] == milli {
		return false
	}
	d.hours[p][slot] = milli
	d.mask[p] |= bit
	d.unmonitored[p] &^= bit
	return true
}

// clear withdraws a slot's value; a slot the station said it does not monitor becomes
// plainly missing too (a flagged value says the analyser is there).
func (d *StationDay) clear(p Pollutant, slot int) bool {
	bit := uint32(1) << slot
	if (d.mask[p]|d.unmonitored[p])&bit == 0 {
		return false
	}
	d.mask[p] &^= bit
	d.unmonitored[p] &^= bit
	return true
}

// setUnmonitored records that the pollutant is not monitored in the slot.
func (d *StationDay) setUnmonitored(p Pollutant, slot int) bool {
	bit := uint32(1) << slot
	if d.unmonitored[p]&bit != 0 && d.mask[p]&bit == 0 {
		return false
	}
	d.mask[p] &^= bit
	d.unmonitored[p] |= bit
	return true
}

// NotMonitored reports whether the station said it does not monitor p in the slot.
func (d *StationDay) NotMonitored(p Pollutant, slot int) bool { return d.unmonitored[p]&(1<<slot) != 0 }

// Hour returns the value of a slot and whether it is valid.
func (d *StationDay) Hour(p Pollutant, slot int) (fixed.Dec, bool) {
	if d.mask[p]&(1<<slot) == 0 {
		return 0, false
	}
	return fixed.Dec(int64(d.hours[p][slot]) * milliToDecMultiplier), true
}

// Count returns the number of valid hours of a pollutant.
func (d *StationDay) Count(p Pollutant) int { return popcount(d.mask[p]) }

func popcount(x uint32) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

// Validity is Valid (the zero value) or the reason a statistic is not valid.
type Validity string

// Reasons a statistic can be invalid.
const (
	Valid            Validity = ""
	TooFewHours      Validity = "fewer than 20 valid hours"
	TooFewWindows    Validity = "fewer than 14 valid 8-h windows and not above the limit"
	NoStations       Validity = "no station with a valid value"
	TooFewDays       Validity = "fewer valid days than GB 3095 Table 4 requires"
	TooFewMonthDays  Validity = "a month has fewer valid days than GB 3095 Table 4 requires"
	NoDays           Validity = "no valid day in the period"
	SandDustDeducted Validity = "deducted as a sand-dust day"
)

// Stat is a statistic with its validity. Value is exact (nil when nothing was computed).
type Stat struct {
	Value *big.Rat
	// N is the number of values the statistic was computed from (hours, windows, stations
	// or days depending on the statistic).
	N      int
	Reason Validity
}

// OK reports whether the statistic is valid.
func (s Stat) OK() bool { return s.Reason == Valid && s.Value != nil }

// Rounded returns the value rounded per GB/T 8170 to the pollutant's published decimals.
func (s Stat) Rounded(p Pollutant) fixed.Dec {
	d, _ := fixed.RoundRatDec(s.Value, p.Decimals())
	return d
}

// DailyMean is the 24-h mean of a pollutant, valid with ≥ 20 valid hours.
func (d *StationDay) DailyMean(p Pollutant) Stat {
	var sum int64
	n := 0
	for m := d.mask[p]; m != 0; m &= m - 1 {
		slot := trailingZeros(m)
		sum += int64(d.hours[p][slot])
		n++
	}
	if n == 0 {
		return Stat{Reason: TooFewHours}
	}
	s := Stat{Value: big.NewRat(sum, int64(n)*milliPerUnit), N: n}
	if n < MinHoursPerDay {
		s.Reason = TooFewHours
	}
	return s
}

// MaxHour is the daily maximum 1-h value, required to come from a day with ≥ 20 valid
// hours like every other daily statistic (GB 3095 sets no separate rule [U]).
func (d *StationDay) MaxHour(p Pollutant) Stat {
	n := 0
	best := int32(0)
	for m := d.mask[p]; m != 0; m &= m - 1 {
		v := d.hours[p][trailingZeros(m)]
		if n == 0 || v > best {
			best = v
		}
		n++
	}
	if n == 0 {
		return Stat{Reason: TooFewHours}
	}
	s := Stat{Value: big.NewRat(int64(best), milliPerUnit), N: n}
	if n < MinHoursPerDay {
		s.Reason = TooFewHours
	}
	return s
}

func trailingZeros(x uint32) int {
	n := 0
	for x&1 == 0 {
		x >>= 1
		n++
	}
	return n
}

// MDA8 is the daily maximum 8-h mean of O3 (日最大8小时平均): the largest of the valid 8-h
// means whose windows end at 08:00 … 24:00. A window is valid with ≥ 6 hours; the day is
// valid with ≥ 14 valid windows, or with fewer when the maximum (rounded) exceeds the
// 160 µg/m³ limit, because missing data cannot cancel an exceedance (HJ 663).
// N is the number of valid windows.
func (d *StationDay) MDA8() Stat {
	var bestSum, bestN int64
	windows := 0
	for end := mda8FirstWindowSlot; end < hoursPerDay; end++ {
		sum, n := d.window8(end)
		if n < MinHoursPer8h {
			continue
		}
		// compare sum/n > bestSum/bestN exactly
		if windows == 0 || sum*bestN > bestSum*n {
			bestSum, bestN = sum, n
		}
		windows++
	}
	if windows == 0 {
		return Stat{Reason: TooFewWindows}
	}
	s := Stat{Value: big.NewRat(bestSum, bestN*milliPerUnit), N: windows}
	if windows < MinMDA8Windows && s.Rounded(O3) <= fixed.Int(o3LimitMDA8) {
		s.Reason = TooFewWindows
	}
	return s
}

// Mean8h is the 8-h mean of O3 over the window ending at slot end (hours end-7 … end of
// this day; windows ending before 08:00 hold fewer hours), valid with ≥ 6 hours. This is
// the day-bounded moving mean CNEMC publishes; N is the number of hours.
func (d *StationDay) Mean8h(end int) Stat {
	lo := end - 7
	if lo < 0 {
		lo = 0
	}
	var sum, n int64
	for h := lo; h <= end; h++ {
		if d.mask[O3]&(1<<h) != 0 {
			sum += int64(d.hours[O3][h])
			n++
		}
	}
	if n == 0 {
		return Stat{Reason: TooFewHours}
	}
	s := Stat{Value: big.NewRat(sum, n*milliPerUnit), N: int(n)}
	if n < MinHoursPer8h {
		s.Reason = TooFewHours
	}
	return s
}

// window8 sums the O3 hours of the window ending at slot end (slots end-7 … end).
func (d *StationDay) window8(end int) (sum, n int64) {
	for h := end - 7; h <= end; h++ {
		if d.mask[O3]&(1<<h) != 0 {
			sum += int64(d.hours[O3][h])
			n++
		}
	}
	return sum, n
}

// stationDayBytes is the size of the fixed encoding of a StationDay (the first schema): a
// mask (4 bytes) and 24 values (4 bytes each) per pollutant.
const stationDayBytes = NumPollutants * (4 + hoursPerDay*4)

// MarshalBinary encodes the day compactly: per pollutant the validity mask, a power of
// ten dividing every value (published values are whole µg/m³ or tenths of mg/m³, so
// usually 10³ or 10²), then the scaled values as a first value and zig-zag deltas, all
// varints. A typical day takes about 100 bytes instead of 600. An encoding that would be
// exactly stationDayBytes long is written in the fixed form instead, so the length alone
// tells the two apart and days stored by earlier versions still load.
func (d *StationDay) MarshalBinary() ([]byte, error) {
	b := d.AppendCompact(make([]byte, 0, 128))
	if len(b) == stationDayBytes {
		if d.hasUnmonitored() { // the fixed form has no room for it: pad instead
			return append(b, 0), nil
		}
		return d.appendFixed(b[:0]), nil
	}
	return b, nil
}

func (d *StationDay) hasUnmonitored() bool {
	for _, m := range d.unmonitored {
		if m != 0 {
			return true
		}
	}
	return false
}

// AppendCompact appends the compact encoding (see MarshalBinary) to b. The masks of
// pollutants not monitored follow as a trailer of one uvarint per pollutant, only when
// some is set, so that days without any encode as before.
func (d *StationDay) AppendCompact(b []byte) []byte {
	for p := 0; p < NumPollutants; p++ {
		m := d.mask[p]
		b = binary.AppendUvarint(b, uint64(m))
		if m == 0 {
			continue
		}
		k := 3
		for x := m; x != 0 && k > 0; x &= x - 1 {
			for k > 0 && d.hours[p][trailingZeros(x)]%pow10[k] != 0 {
				k--
			}
		}
		b = append(b, byte(k))
		prev := int64(0)
		for x := m; x != 0; x &= x - 1 {
			v := int64(d.hours[p][trailingZeros(x)] / pow10[k])
			b = binary.AppendVarint(b, v-prev)
			prev = v
		}
	}
	if d.hasUnmonitored() {
		for _, m := range d.unmonitored {
			b = binary.AppendUvarint(b, uint64(m))
		}
	}
	return b
}

var pow10 = [4]int32{1, 10, 100, 1000}

func (d *StationDay) appendFixed(b []byte) []byte {
	for p := 0; p < NumPollutants; p++ {
		b = binary.LittleEndian.AppendUint32(b, d.mask[p])
		for h := 0; h < hoursPerDay; h++ {
			b = binary.LittleEndian.AppendUint32(b, uint32(d.hours[p][h]))
		}
	}
	return b
}

// UnmarshalBinary decodes what MarshalBinary wrote (either form); on error d is unchanged.
func (d *StationDay) UnmarshalBinary(b []byte) error {
	var out StationDay
	var err error
	if len(b) == stationDayBytes {
		err = out.decodeFixed(b)
	} else {
		err = out.decodeCompact(b)
	}
	if err == nil {
		*d = out
	}
	return err
}

func (d *StationDay) decodeCompact(b []byte) error {
	for p := 0; p < NumPollutants; p++ {
		m, n := binary.Uvarint(b)
		if n <= 0 || m >= 1<<hoursPerDay {
			return fmt.Errorf("station day: pollutant %d: bad mask", p)
		}
		b = b[n:]
		d.mask[p] = uint32(m)
		if m == 0 {
			continue
		}
		if len(b) == 0 || b[0] > 3 {
			return fmt.Errorf("station day: pollutant %d: bad scale", p)
		}
		k := b[0]
		b = b[1:]
		prev := int64(0)
		for x := uint32(m); x != 0; x &= x - 1 {
			delta, n := binary.Varint(b)
			if n <= 0 {
				return fmt.Errorf("station day: pollutant %d: truncated", p)
			}
			b = b[n:]
			prev += delta
			v := prev * int64(pow10[k])
			if v < 0 || v > maxMilli {
				return fmt.Errorf("station day: pollutant %d: value out of range", p)
			}
			d.hours[p][trailingZeros(x)] = int32(v)
		}
	}
	if len(b) == 0 {
		return nil
	}
	for p := 0; p < NumPollutants; p++ {
		m, n := binary.Uvarint(b)
		if n <= 0 || m >= 1<<hoursPerDay {
			return fmt.Errorf("station day: pollutant %d: bad not-monitored mask", p)
		}
		d.unmonitored[p] = uint32(m) &^ d.mask[p]
		b = b[n:]
	}
	if len(b) == 1 && b[0] == 0 {
		return nil // MarshalBinary's padding
	}
	if len(b) != 0 {
		return fmt.Errorf("station day: %d trailing bytes", len(b))
	}
	return nil
}

func (d *StationDay) decodeFixed(b []byte) error {
	for p := 0; p < NumPollutants; p++ {
		d.mask[p] = binary.LittleEndian.Uint32(b) & (1<<hoursPerDay - 1)
		b = b[4:]
		for h := 0; h < hoursPerDay; h++ {
			v := int32(binary.LittleEndian.Uint32(b))
			if v < 0 {
				return fmt.Errorf("station day: negative value")
			}
			d.hours[p][h] = v
			b = b[4:]
		}
	}
	return nil
}
