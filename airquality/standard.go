// Package airquality implements the national ambient-air computations: HJ 633 IAQI and
// AQI (2012 and 2026 editions), GB 3095 limits and data-validity rules, HJ 663 station and
// city statistics, and the period indicators a bureau is assessed on. It is pure: no I/O,
// no clock, no configuration types; callers pass plain values and times.
package airquality

import (
	"fmt"
	"time"
)

// Version identifies an edition of HJ 633 (AQI) and GB 3095 (limits). The two standards
// were replaced together on 2026-03-01.
type Version int

const (
	// Auto selects the edition by the date of the data.
	Auto Version = iota
	// V2012 is HJ 633-2012 with GB 3095-2012 (and its 2018 amendment).
	V2012
	// V2026 is HJ 633-2026 with GB 3095-2026.
	V2026
)

// Shanghai is the time zone in which Chinese monitoring days are natural days.
var Shanghai = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// time/tzdata is linked by the binary; a fixed zone keeps tests honest without it.
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}

// Effective2026 is the first instant of the 2026 editions, 2026-03-01 00:00 Asia/Shanghai.
var Effective2026 = time.Date(2026, 3, 1, 0, 0, 0, 0, Shanghai)

// ForDay returns the edition in force on the natural day that starts at dayStart
// (any instant of the day works).
func ForDay(day time.Time) Version {
	if day.Before(Effective2026) {
		return V2012
	}
	return V2026
}

// ForHourEnding returns the edition for an hourly value labelled by the end of its hour:
// the 00:00 value of 1 March belongs to the last hour of 28 February.
func ForHourEnding(end time.Time) Version { return ForDay(end.Add(-time.Hour)) }

// Resolve returns v, or the edition for the day when v is Auto.
func (v Version) Resolve(day time.Time) Version {
	if v == Auto {
		return ForDay(day)
	}
	return v
}

func (v Version) String() string {
	switch v {
	case V2012:
		return "2012"
	case V2026:
		return "2026"
	default:
		return "auto"
	}
}

// ParseVersion reads "2012", "2026" or "auto".
func ParseVersion(s string) (Version, error) {
	switch s {
	case "2012":
		return V2012, nil
	case "2026":
		return V2026, nil
	case "auto", "":
		return Auto, nil
	}
	return Auto, fmt.Errorf("unknown standard %q (want 2012, 2026 or auto)", s)
}

// LimitEdition identifies a GB 3095 limit table. GB 3095-2026 has transitional limits
// until 2030-12-31 and final limits from 2031-01-01.
type LimitEdition int

const (
	// Limits2012 is GB 3095-2012 Table 1.
	Limits2012 LimitEdition = iota + 1
	// Limits2026Transitional is GB 3095-2026 Table 1, transitional column.
	Limits2026Transitional
	// Limits2026Final is GB 3095-2026 Table 1, final column.
	Limits2026Final
)

var final2026 = time.Date(2031, 1, 1, 0, 0, 0, 0, Shanghai)

// LimitsForDay returns the limit table in force on a day.
func LimitsForDay(day time.Time) LimitEdition {
	switch {
	case day.Before(Effective2026):
		return Limits2012
	case day.Before(final2026):
		return Limits2026Transitional
	default:
		return Limits2026Final
	}
}
