package airquality

import (
	"time"

	"github.com/envwatch/envwatch/fixed"
)

// Averaging is the averaging time of a GB 3095 limit.
type Averaging uint8

// Averaging times of GB 3095 Table 1.
const (
	Annual Averaging = iota
	Daily24h
	Hourly1h
	MDA8h // daily maximum 8-h mean (O3)
)

// Grade is the GB 3095 grade: I for nature reserves, II for everything else.
type Grade uint8

// Grades.
const (
	GradeI Grade = iota
	GradeII
)

type limitKey struct {
	p Pollutant
	a Averaging
}

// limits[edition][key] = {Grade I, Grade II}, µg/m³ (CO mg/m³), docs/standards.md §2.1.
var limits = map[LimitEdition]map[limitKey][2]int64{
	Limits2012: {
		{SO2, Annual}: {20, 60}, {SO2, Daily24h}: {50, 150}, {SO2, Hourly1h}: {150, 500},
		{NO2, Annual}: {40, 40}, {NO2, Daily24h}: {80, 80}, {NO2, Hourly1h}: {200, 200},
		{CO, Daily24h}: {4, 4}, {CO, Hourly1h}: {10, 10},
		{O3, MDA8h}: {100, 160}, {O3, Hourly1h}: {160, 200},
		{PM10, Annual}: {40, 70}, {PM10, Daily24h}: {50, 150},
		{PM25, Annual}: {15, 35}, {PM25, Daily24h}: {35, 75},
	},
	Limits2026Transitional: {
		{SO2, Annual}: {20, 60}, {SO2, Daily24h}: {50, 150}, {SO2, Hourly1h}: {150, 500},
		{NO2, Annual}: {40, 40}, {NO2, Daily24h}: {80, 80}, {NO2, Hourly1h}: {200, 200},
		{CO, Daily24h}: {4, 4}, {CO, Hourly1h}: {10, 10},
		{O3, MDA8h}: {100, 160}, {O3, Hourly1h}: {160, 200},
		{PM10, Annual}: {40, 60}, {PM10, Daily24h}: {50, 120},
		{PM25, Annual}: {15, 30}, {PM25, Daily24h}: {35, 60},
	},
	Limits2026Final: {
		{SO2, Annual}: {20, 20}, {SO2, Daily24h}: {50, 50}, {SO2, Hourly1h}: {150, 150},
		{NO2, Annual}: {30, 30}, {NO2, Daily24h}: {50, 50}, {NO2, Hourly1h}: {200, 200},
		{CO, Daily24h}: {4, 4}, {CO, Hourly1h}: {10, 10},
		{O3, MDA8h}: {100, 160}, {O3, Hourly1h}: {160, 200},
		{PM10, Annual}: {20, 50}, {PM10, Daily24h}: {50, 100},
		{PM25, Annual}: {10, 25}, {PM25, Daily24h}: {25, 50},
	},
}

// Limit returns the GB 3095 concentration limit (µg/m³, CO mg/m³) of a pollutant for an
// averaging time, grade and edition; false when the standard sets none (CO annual).
func Limit(e LimitEdition, p Pollutant, a Averaging, g Grade) (fixed.Dec, bool) {
	v, ok := limits[e][limitKey{p, a}]
	if !ok {
		return 0, false
	}
	return fixed.Int(v[g]), true
}

// HourEndFromStart converts the label of a source that stamps hourly values with the start
// of the hour (HJ 212 CN 2061: DataTime 08:00 = 08:00–09:00) to envwatch's hour-ending label.
func HourEndFromStart(start time.Time) time.Time { return start.Add(time.Hour) }
