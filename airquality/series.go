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

type seriesYear struct {
	first Day
	n     int // days in the year
	days  [daysPerLeapYear]StationDay
	gen   [daysPerLeapYear]uint32 // bumped on every change; caches compare it
	has   [daysPerLeapYear/64 + 1]uint64
	cache [daysPerLeapYear]cachedDay
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
	i := int(day - y.first)
	if y.days[i].set(p, slot, int32(milli)) {
		y.gen[i]++
		y.has[i/64] |= 1 << (i % 64)
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
	i := int(day - y.first)
	if p < NumPollutants && y.days[i].clear(p, slot) {
		y.gen[i]++
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
	i := int(d - y.first)
	if y.has[i/64]&(1<<(i%64)) == 0 {
		return nil, 0
	}
	return &y.days[i], y.gen[i]
}

// DayValues returns the station's daily statistics of a day (cached until the day changes).
func (s *Series) DayValues(d Day) (DayValues, bool) {
	sd, gen := s.Day(d)
	if sd == nil {
		return DayValues{}, false
	}
	y := s.year(d, false)
	c := &y.cache[d-y.first]
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
	i := int(d - y.first)
	y.days[i] = *sd
	y.gen[i]++
	y.has[i/64] |= 1 << (i % 64)
}
