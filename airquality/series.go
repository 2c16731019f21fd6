package airquality

import (
	"fmt"
	"time"

	"github.com/envwatch/envwatch/fixed"
)

// Series holds one station's hourly concentrations, year by year, and caches its daily
// values. Hours may arrive in any order and be revised: Set overwrites, Clear withdraws,
// and only the days touched are recomputed. A Series is not safe for concurrent use; the
// pipeline serialises writes.
type Series struct {
	years map[int]*seriesYear
	last  *seriesYear // the year of the previous write: consecutive hours rarely change year
}

// seriesYear stores a year in blocks of 32 days allocated on first use, so a station
// with a few weeks of data costs a few KB, not a whole year's arrays. Blocks of closed
// days can be frozen (Compact): kept encoded, about a quarter of the size, and thawed
// transparently when a late revision writes into them.
type seriesYear struct {
	first  Day
	n      int // days in the year
	blocks [blocksPerYear]*dayBlock
	cold   [blocksPerYear]*coldBlock
}

const (
	blockDays     = 32
	blocksPerYear = (daysPerLeapYear + blockDays - 1) / blockDays
)

type dayBlock struct {
	// days are allocated on first write: a block holding a few days (a backfill's first
	// days, a station started mid-month) costs those days, not 32 × 600 B.
	days  [blockDays]*StationDay
	gen   [blockDays]uint32     // bumped on every change; caches compare it
	has   uint32                // bit i set: days[i] holds data (and is not nil)
	cache [blockDays]*cachedDay // allocated when a day's values are first asked for
	// restored are days' encodings as read from the state store (PutDayEncoded), reused
	// when the block is frozen; any write to the block drops them.
	restored *[blockDays][]byte
}

// day returns day i of the block, allocating it.
func (b *dayBlock) day(i int) *StationDay {
	if b.days[i] == nil {
		b.days[i] = &StationDay{}
	}
	return b.days[i]
}

type cachedDay struct {
	gen uint32
	ok  bool
	v   DayValues
}

// coldBlock is a frozen dayBlock: each day's compact encoding, back to back.
type coldBlock struct {
	buf []byte
	off [blockDays + 1]uint32
	gen [blockDays]uint32
	has uint32
}

func freeze(b *dayBlock) *coldBlock {
	c := &coldBlock{gen: b.gen, has: b.has}
	var buf []byte
	for i := 0; i < blockDays; i++ {
		switch {
		case b.has&(1<<i) == 0:
		case b.restored != nil && b.restored[i] != nil:
			buf = append(buf, b.restored[i]...)
		default:
			buf = b.days[i].AppendCompact(buf)
		}
		c.off[i+1] = uint32(len(buf))
	}
	c.buf = append(make([]byte, 0, len(buf)), buf...) // exactly sized
	return c
}

// day decodes day i (encoded by this process, so it cannot fail).
func (c *coldBlock) day(i int) *StationDay {
	sd := &StationDay{}
	_ = sd.decodeCompact(c.buf[c.off[i]:c.off[i+1]])
	return sd
}

func (c *coldBlock) thaw() *dayBlock {
	b := &dayBlock{gen: c.gen, has: c.has}
	for i := 0; i < blockDays; i++ {
		if c.has&(1<<i) != 0 {
			_ = b.day(i).decodeCompact(c.buf[c.off[i]:c.off[i+1]])
		}
	}
	return b
}

// block returns the hot block of day index i and the index within it: with write set it
// thaws a frozen block or allocates a new one, otherwise it may return nil.
func (y *seriesYear) block(i int, write bool) (*dayBlock, int) {
	j := i / blockDays
	b := y.blocks[j]
	if b == nil && write {
		if c := y.cold[j]; c != nil {
			b, y.cold[j] = c.thaw(), nil
		} else {
			b = &dayBlock{}
		}
		y.blocks[j] = b
	}
	return b, i % blockDays
}

// compact freezes the hot blocks whose days all lie before d.
func (y *seriesYear) compact(before Day) {
	for j, b := range y.blocks {
		if b != nil && y.first+Day((j+1)*blockDays) <= before {
			y.cold[j], y.blocks[j] = freeze(b), nil
		}
	}
}

// NewSeries returns an empty series.
func NewSeries() *Series { return &Series{years: map[int]*seriesYear{}} }

func (s *Series) year(d Day, create bool) *seriesYear {
	if y := s.last; y != nil && d >= y.first && int(d-y.first) < y.n {
		return y
	}
	yr := d.Year()
	y := s.years[yr]
	if y == nil {
		if !create {
			return nil
		}
		r := Year(yr)
		y = &seriesYear{first: r.From, n: r.Days()}
		s.years[yr] = y
	}
	s.last = y
	return y
}

// Set stores the hourly value of pollutant p for the hour ending at end (Unix seconds),
// replacing any earlier value. The value is kept to 0.001 (rounded half to even).
func (s *Series) Set(end int64, p Pollutant, v fixed.Dec) error {
	if p >= NumPollutants {
		return fmt.Errorf("unknown pollutant %d", p)
	}
	if v < 0 {
		return ErrNegative
	}
	milli := int64(v.Round(3)) / milliToDecMultiplier
	if milli > maxMilli {
		return fmt.Errorf("value %s: %w", v, fixed.ErrRange)
	}
	day, slot, err := hourSlotUnix(end)
	if err != nil {
		return err
	}
	y := s.year(day, true)
	b, i := y.block(int(day-y.first), true)
	b.restored = nil
	if b.day(i).set(p, slot, int32(milli)) {
		b.gen[i]++
		b.has |= 1 << i
	}
	return nil
}

// Clear withdraws the value of an hour (a revision that invalidated it).
func (s *Series) Clear(end int64, p Pollutant) error {
	day, slot, err := hourSlotUnix(end)
	if err != nil {
		return err
	}
	y := s.year(day, false)
	if y == nil {
		return nil
	}
	if p >= NumPollutants || !y.holds(int(day-y.first)) {
		return nil
	}
	b, i := y.block(int(day-y.first), true)
	b.restored = nil
	if d := b.days[i]; d != nil && d.clear(p, slot) {
		b.gen[i]++
	}
	return nil
}

// SetNotMonitored records that the station does not monitor p in the hour ending at end
// (CNEMC "/"): any value of the hour is withdrawn.
func (s *Series) SetNotMonitored(end int64, p Pollutant) error {
	if p >= NumPollutants {
		return fmt.Errorf("unknown pollutant %d", p)
	}
	day, slot, err := hourSlotUnix(end)
	if err != nil {
		return err
	}
	y := s.year(day, true)
	b, i := y.block(int(day-y.first), true)
	b.restored = nil
	if b.day(i).setUnmonitored(p, slot) {
		b.gen[i]++
		b.has |= 1 << i
	}
	return nil
}

// holds reports whether day index i has data, hot or frozen.
func (y *seriesYear) holds(i int) bool {
	j, k := i/blockDays, uint32(1)<<(i%blockDays)
	if b := y.blocks[j]; b != nil {
		return b.has&k != 0
	}
	c := y.cold[j]
	return c != nil && c.has&k != 0
}

// Day returns the station's hours of a day and a generation number that changes whenever
// they do; nil when the series has nothing for the day. A frozen day is decoded into a
// new StationDay.
func (s *Series) Day(d Day) (*StationDay, uint32) {
	y := s.year(d, false)
	if y == nil || !y.holds(int(d-y.first)) {
		return nil, 0
	}
	i := int(d - y.first)
	if b := y.blocks[i/blockDays]; b != nil {
		return b.days[i%blockDays], b.gen[i%blockDays]
	}
	c := y.cold[i/blockDays]
	return c.day(i % blockDays), c.gen[i%blockDays]
}

// Gen returns the generation of a day and whether it has data, without decoding it.
func (s *Series) Gen(d Day) (uint32, bool) {
	y := s.year(d, false)
	if y == nil || !y.holds(int(d-y.first)) {
		return 0, false
	}
	i := int(d - y.first)
	if b := y.blocks[i/blockDays]; b != nil {
		return b.gen[i%blockDays], true
	}
	return y.cold[i/blockDays].gen[i%blockDays], true
}

// DayValues returns the station's daily statistics of a day (cached until the day
// changes, while the day is not frozen).
func (s *Series) DayValues(d Day) (DayValues, bool) {
	sd, gen := s.Day(d)
	if sd == nil {
		return DayValues{}, false
	}
	y := s.year(d, false)
	b, i := y.block(int(d-y.first), false)
	if b == nil {
		return StationDayValues(d, sd), true
	}
	c := b.cache[i]
	if c == nil {
		c = &cachedDay{}
		b.cache[i] = c
	}
	if !c.ok || c.gen != gen {
		c.v, c.gen, c.ok = StationDayValues(d, sd), gen, true
	}
	return c.v, true
}

// Compact freezes the blocks of days before d (see seriesYear).
func (s *Series) Compact(before Day) {
	for _, y := range s.years {
		y.compact(before)
	}
}

// Days returns the daily values of every day of r that has data.
func (s *Series) Days(r Range) []DayValues {
	var out []DayValues
	for d := r.From; d <= r.To; d++ {
		if v, ok := s.DayValues(d); ok {
			out = append(out, v)
		}
	}
	return out
}

// Years lists the years the series holds data for.
func (s *Series) Years() []int {
	out := make([]int, 0, len(s.years))
	for y := range s.years {
		out = append(out, y)
	}
	return out
}

// HourEndUnix is a helper for callers holding a time.Time.
func HourEndUnix(t time.Time) int64 { return t.Unix() }

// PutDay replaces a whole day (restoring persisted state).
func (s *Series) PutDay(d Day, sd *StationDay) {
	y := s.year(d, true)
	b, i := y.block(int(d-y.first), true)
	*b.day(i) = *sd
	b.gen[i]++
	b.has |= 1 << i
	if b.restored != nil {
		b.restored[i] = nil
	}
}

// PutDayEncoded is PutDay for a day read from the state store together with its stored
// encoding (StationDay.MarshalBinary), which enc must own. Freezing the block reuses it
// instead of encoding the day again: restoring a national year spent 42 % of its time
// re-encoding what it had just decoded (docs/performance.md).
func (s *Series) PutDayEncoded(d Day, sd *StationDay, enc []byte) {
	s.PutDay(d, sd)
	if len(enc) == stationDayBytes {
		return // the fixed form (MarshalBinary's guard against an ambiguous length)
	}
	y := s.year(d, false)
	b, i := y.block(int(d-y.first), false)
	if b.restored == nil {
		b.restored = new([blockDays][]byte)
	}
	b.restored[i] = enc
}
