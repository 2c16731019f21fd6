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
// with a few weeks of data costs a few KB, not a whole year's arrays.
type seriesYear struct {
	first  Day
	n      int // days in the year
	blocks [(daysPerLeapYear + blockDays - 1) / blockDays]*dayBlock
}

const blockDays = 32

type dayBlock struct {
	days  [blockDays]StationDay
	gen   [blockDays]uint32 // bumped on every change; caches compare it
	has   uint32
	cache [blockDays]cachedDay
}

// block returns the block of day index i (allocating it when create is set) and the
// index within it.
func (y *seriesYear) block(i int, create bool) (*dayBlock, int) {
	b := y.blocks[i/blockDays]
	if b == nil && create {
		b = &dayBlock{}
		y.blocks[i/blockDays] = b
	}
	return b, i % blockDays
}

type cachedDay struct {
	gen uint32
	ok  bool
	v   DayValues
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
	if b.days[i].set(p, slot, int32(milli)) {
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
	b, i := y.block(int(day-y.first), false)
	if b != nil && p < NumPollutants && b.days[i].clear(p, slot) {
		b.gen[i]++
	}
	return nil
}

// Day returns the station's hours of a day and a generation number that changes whenever
// they do; nil when the series has nothing for the day.
func (s *Series) Day(d Day) (*StationDay, uint32) {
	y := s.year(d, false)
	if y == nil {
		return nil, 0
	}
	b, i := y.block(int(d-y.first), false)
	if b == nil || b.has&(1<<i) == 0 {
		return nil, 0
	}
	return &b.days[i], b.gen[i]
}

// DayValues returns the station's daily statistics of a day (cached until the day changes).
func (s *Series) DayValues(d Day) (DayValues, bool) {
	sd, gen := s.Day(d)
	if sd == nil {
		return DayValues{}, false
	}
	y := s.year(d, false)
	b, i := y.block(int(d-y.first), false)
	c := &b.cache[i]
	if !c.ok || c.gen != gen {
		c.v, c.gen, c.ok = StationDayValues(d, sd), gen, true
	}
	return c.v, true
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
	b.days[i] = *sd
	b.gen[i]++
	b.has |= 1 << i
}
