package airquality

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/envwatch/envwatch/fixed"
)

// Pollutant is one of the six basic ambient-air pollutants.
type Pollutant uint8

// The six basic pollutants of GB 3095, in the order reports list them.
const (
	SO2 Pollutant = iota
	NO2
	PM10
	CO
	O3
	PM25
	NumPollutants = 6
)

var pollutantCodes = [NumPollutants]string{"so2", "no2", "pm10", "co", "o3", "pm2_5"}

// Code is the lower-case identifier used in CSV headers, metrics labels and InfluxDB fields.
func (p Pollutant) Code() string { return pollutantCodes[p] }

func (p Pollutant) String() string { return p.Code() }

// Decimals is the number of decimals a concentration is rounded to before it is compared
// or published (HJ 633-2026 §4.2.2): integers in µg/m³, CO one decimal in mg/m³.
func (p Pollutant) Decimals() int {
	if p == CO {
		return 1
	}
	return 0
}

// ParsePollutant maps a code (as returned by Code, also "pm25") to a Pollutant.
func ParsePollutant(s string) (Pollutant, bool) {
	if s == "pm25" {
		return PM25, true
	}
	for i, c := range pollutantCodes {
		if c == s {
			return Pollutant(i), true
		}
	}
	return 0, false
}

// Indicator is a pollutant with an averaging time: the unit an IAQI is computed for.
type Indicator uint8

// Indicators of HJ 633 Table 1.
const (
	SO2_24h Indicator = iota
	SO2_1h
	NO2_24h
	NO2_1h
	PM10_24h
	CO_24h
	CO_1h
	O3_1h
	O3_8h
	PM25_24h
	NumIndicators = 10
)

var indicatorInfo = [NumIndicators]struct {
	code      string
	pollutant Pollutant
}{
	SO2_24h:  {"so2_24h", SO2},
	SO2_1h:   {"so2_1h", SO2},
	NO2_24h:  {"no2_24h", NO2},
	NO2_1h:   {"no2_1h", NO2},
	PM10_24h: {"pm10_24h", PM10},
	CO_24h:   {"co_24h", CO},
	CO_1h:    {"co_1h", CO},
	O3_1h:    {"o3_1h", O3},
	O3_8h:    {"o3_8h", O3},
	PM25_24h: {"pm2_5_24h", PM25},
}

// Code is a stable identifier such as "o3_8h".
func (i Indicator) Code() string { return indicatorInfo[i].code }

func (i Indicator) String() string { return i.Code() }

// Pollutant is the pollutant the indicator measures.
func (i Indicator) Pollutant() Pollutant { return indicatorInfo[i].pollutant }

// Unit is the unit envwatch keeps a pollutant in (GB 3095-2012 Table 1): mg/m³ for CO,
// µg/m³ for the others. Written in ASCII as configuration files spell it.
func (p Pollutant) Unit() string {
	if p == CO {
		return "mg/m3"
	}
	return "ug/m3"
}

// UnitConverter turns values a source sends in another unit into the pollutant's own
// unit. The zero value leaves values unchanged.
type UnitConverter struct {
	mul, div int64
	from     string
}

// NewUnitConverter returns the converter from unit ("ug/m3" or "mg/m3"; "µg/m³" and the
// Greek-mu spelling are accepted) to p.Unit().
func NewUnitConverter(p Pollutant, unit string) (UnitConverter, error) {
	var micro bool
	switch strings.ReplaceAll(strings.ReplaceAll(unit, "³", "3"), "μ", "µ") {
	case "ug/m3", "µg/m3":
		micro = true
	case "mg/m3":
	default:
		return UnitConverter{}, fmt.Errorf("unit %q: want ug/m3 or mg/m3", unit)
	}
	switch {
	case micro == (p != CO):
		return UnitConverter{}, nil
	case micro: // CO sent in µg/m³
		return UnitConverter{div: 1000, from: unit}, nil
	default: // a gas or particles sent in mg/m³
		return UnitConverter{mul: 1000, from: unit}, nil
	}
}

// Convert converts one value. It fails only when the result leaves fixed.Dec's range.
func (u UnitConverter) Convert(v fixed.Dec) (fixed.Dec, error) {
	switch {
	case u.mul != 0:
		if v > fixed.Max/fixed.Dec(u.mul) || v < -fixed.Max/fixed.Dec(u.mul) {
			return 0, fmt.Errorf("%s %s: %w", v, u.from, fixed.ErrRange)
		}
		return v * fixed.Dec(u.mul), nil
	case u.div != 0:
		d, _ := fixed.FromRat(big.NewRat(int64(v), fixed.Scale*u.div)) // smaller: always in range
		return d, nil
	}
	return v, nil
}

// Published is the order bulletins, CNEMC files and envwatch's tables list the pollutants in.
var Published = [NumPollutants]Pollutant{PM25, PM10, SO2, NO2, CO, O3}

// IsPollutantCode reports whether s is a pollutant's code exactly (pm2_5, not the alias pm25):
// the spelling configuration keys must use.
func IsPollutantCode(s string) bool {
	p, ok := ParsePollutant(s)
	return ok && p.Code() == s
}

// PollutantCodes lists the codes in published order, for messages ("pm2_5, pm10, …").
func PollutantCodes() []string {
	out := make([]string, NumPollutants)
	for i, p := range Published {
		out[i] = p.Code()
	}
	return out
}
