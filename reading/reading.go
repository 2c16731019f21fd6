// Package reading defines what flows through envwatch: a reading is one site (air station
// or water section), one period end, and the values measured there with their data flags.
package reading

import (
	"time"

	"github.com/envwatch/envwatch/fixed"
)

// SiteKind tells air stations from water sections.
type SiteKind uint8

// Site kinds.
const (
	Air SiteKind = iota + 1
	Water
)

func (k SiteKind) String() string {
	switch k {
	case Air:
		return "air"
	case Water:
		return "water"
	}
	return "unknown"
}

// Value is one measured quantity of a reading: an air pollutant code (pm2_5, pm10, so2,
// no2, co, o3) or a water item code (ph, do, nh3n, …), in the unit envwatch stores it in
// (µg/m³, CO mg/m³; mg/L, fecal coliform 个/L), with its HJ 212 data flag ("N" = normal).
type Value struct {
	Code string
	V    fixed.Dec
	Flag string
	// Counts lets a value with another flag enter statistics (a source configured to
	// trust that flag).
	Counts bool
}

// FlagNotMonitored marks a pollutant the station reports it does not monitor in the period
// (CNEMC publishes "/"). Such a value carries no number: it is stored only in the point's
// flags (docs/storage.md) and never enters a statistic, but unlike a missing value it
// does not make the real-time AQI NA under the platform's practice (docs/standards.md §1.7).
const FlagNotMonitored = "/"

// Valid reports whether the value enters statistics. Only N (instrument normal) does by
// default (docs/standards.md §4.7); mapping other flags is a bureau's policy.
func (v Value) Valid() bool { return v.Normal() || (v.Counts && v.Flag != FlagNotMonitored) }

// NotMonitored reports whether the value says the pollutant is not monitored.
func (v Value) NotMonitored() bool { return v.Flag == FlagNotMonitored }

// Normal reports whether the value carries flag N (or none): stored without a flag.
func (v Value) Normal() bool { return v.Flag == "" || v.Flag == "N" }

// Period is what a reading's values average over.
type Period uint8

// Periods. Only hourly air readings enter the air statistics; instantaneous and minute
// values (HJ 212 CN 2011, 2051) are stored for inspection.
const (
	Hour    Period = iota // hourly mean, labelled by the end of the hour
	Instant               // a real-time value at End
	Minute                // a minute-data mean ending at End
)

// Reading is one site at one period end.
type Reading struct {
	Kind   SiteKind
	Period Period
	Site   string
	// End is the end of the averaging period (hour-ending for hourly air data), in UTC.
	End    time.Time
	Values []Value
}

// Batch is what a source hands over after one fetch.
type Batch struct {
	Source   string
	Readings []Reading
	// Rejects are input records the source could not turn into readings (a malformed row,
	// an unknown pollutant code); the pipeline counts them by reason.
	Rejects []Reject
	// Parts, when set, are the indices in Readings where each part of a merged batch
	// starts (a backfill groups files: Parts[k] is the first reading of the k-th file).
	// A repeat of a site and period end within a part is a duplicate; in a later part it
	// is a revision and replaces the earlier reading.
	Parts []int
	// Mark, when set, is the source's new high-water mark: the pipeline stores it in the
	// same transaction as the batch's effects.
	Mark time.Time
	// OutsideWindow counts readings a source read but left out because they lie outside
	// a backfill's window: nothing read is dropped without a count.
	OutsideWindow int
}

// Reject describes one input record that was refused, with where and why.
type Reject struct {
	Reason string // label value, e.g. "parse_error"
	Detail string // "file.csv:12: column \"pm2_5\": invalid value \"x\""
}

// Count returns the number of values in the batch.
func (b *Batch) Count() int {
	n := 0
	for i := range b.Readings {
		n += len(b.Readings[i].Values)
	}
	return n
}
