package airquality

import (
	"errors"
	"time"
)

// Day is a natural day in Asia/Shanghai, counted from 1970-01-01. Monitoring days run
// 00:00–24:00 Beijing time; with hour-ending labels they hold the hours labelled 01:00 …
// 24:00 (the 00:00 value of the next calendar date).
//
// China has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact for
// all monitoring data (the national network dates from 2013) and keeps the hot path free
// of zone look-ups.
type Day int32

const shanghaiOffset = 8 * 3600

// ErrNotOnHour reports an hourly timestamp that is not on a whole hour.
var ErrNotOnHour = errors.New("hourly timestamp is not on a whole hour")

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// DayOf returns the natural day containing the instant t.
func DayOf(t time.Time) Day { return Day(floorDiv(t.Unix()+shanghaiOffset, 86400)) }

// DayFromDate returns the day of a calendar date.
func DayFromDate(y int, m time.Month, d int) Day {
	return Day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// HourSlot maps the end of an hourly averaging period to its day and slot 0…23, where
// slot h holds the hour labelled h+1 (HJ 663 hour-ending convention).
func HourSlot(end time.Time) (Day, int, error) {
	return hourSlotUnix(end.Unix())
}

func hourSlotUnix(end int64) (Day, int, error) {
	start := end + shanghaiOffset - 3600
	if floorDiv(start, 3600)*3600 != start {
		return 0, 0, ErrNotOnHour
	}
	d := floorDiv(start, 86400)
	return Day(d), int((start - d*86400) / 3600), nil
}

// Date returns the calendar date of the day.
func (d Day) Date() (year int, month time.Month, day int) {
	return time.Unix(int64(d)*86400, 0).UTC().Date()
}

// Start returns 00:00 Asia/Shanghai of the day.
func (d Day) Start() time.Time { return time.Unix(int64(d)*86400-shanghaiOffset, 0).In(Shanghai) }

// HourEnd returns the end instant of slot h (0…23) of the day.
func (d Day) HourEnd(slot int) time.Time { return d.Start().Add(time.Duration(slot+1) * time.Hour) }

// String formats the day as YYYY-MM-DD.
func (d Day) String() string { return time.Unix(int64(d)*86400, 0).UTC().Format(time.DateOnly) }

// Year returns the calendar year of the day.
func (d Day) Year() int { y, _, _ := d.Date(); return y }

// YearStart returns the first day of a calendar year.
func YearStart(y int) Day { return DayFromDate(y, time.January, 1) }

// ParseDay reads YYYY-MM-DD.
func ParseDay(s string) (Day, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, err
	}
	return Day(t.Unix() / 86400), nil
}

// DayRuns groups ascending days into runs of consecutive days, each as its first and last:
// a year of NA days is one run to write, not 305 days.
func DayRuns(days []Day) [][2]Day {
	var out [][2]Day
	for i := 0; i < len(days); {
		j := i
		for j+1 < len(days) && days[j+1] == days[j]+1 {
			j++
		}
		out = append(out, [2]Day{days[i], days[j]})
		i = j + 1
	}
	return out
}
