package airquality

import (
	"math/big"
	"time"
)

// DayValues are the daily concentrations of one station or area for one natural day:
// 24-h means of SO2, NO2, PM10, CO and PM2.5, the O3 MDA8 in Conc[O3], and the daily
// maximum 1-h O3 (needed by the HJ 633-2012 daily report).
type DayValues struct {
	Day     Day
	Conc    [NumPollutants]Stat
	O3Max1h Stat
}

// StationDayValues computes a station's daily statistics from its hours.
func StationDayValues(day Day, d *StationDay) DayValues {
	v := DayValues{Day: day}
	for p := Pollutant(0); p < NumPollutants; p++ {
		if p == O3 {
			v.Conc[p] = d.MDA8()
		} else {
			v.Conc[p] = d.DailyMean(p)
		}
	}
	v.O3Max1h = d.MaxHour(O3)
	return v
}

// CityOptions tune the station → city aggregation (docs/standards.md R1–R7).
type CityOptions struct {
	// MinStations is the number of stations with a valid statistic a city value needs
	// (R6 [U], default 1).
	MinStations int
	// RoundStationValues rounds each station's daily value (GB/T 8170) before averaging,
	// to reproduce platforms that publish from rounded station values (R7 switch). The
	// default keeps exact values and rounds once at output.
	RoundStationValues bool
}

// CityDay aggregates the days of a city's assessment stations (HJ 663 Table A.2): each
// city daily concentration is the mean of the stations' valid daily means, the city MDA8
// the mean of the stations' valid MDA8; invalid station values are left out (R5). The
// city's maximum 1-h O3 is the maximum of the city hourly series (the mean of the
// stations' valid values each hour). Conc[p].N is the number of stations used.
func CityDay(day Day, stations []*StationDay, opt CityOptions) DayValues {
	return cityDay(day, stations, opt, false)
}

// ProvisionalDay is the running day of an area from the hours so far ("today so far"):
// CityDay with the validity minimums waived — each station's mean of whatever hours it
// has, its largest 8-h mean of the windows it has (none before 08:00) — and hours, the
// number of the day's hours with a value from any station. Never used for assessment.
func ProvisionalDay(day Day, stations []*StationDay, opt CityOptions) (DayValues, int) {
	v := cityDay(day, stations, opt, true)
	for p := range v.Conc {
		if v.Conc[p].Value != nil {
			v.Conc[p].Reason = Valid
		}
	}
	if v.O3Max1h.Value != nil {
		v.O3Max1h.Reason = Valid
	}
	var any uint32
	for _, s := range stations {
		for p := range s.mask {
			any |= s.mask[p]
		}
	}
	return v, popcount(any)
}

// ProvisionalAQI is the daily AQI of a provisional day: from the pollutants it has so far,
// a pollutant without a value yet (O3-8h before 08:00) being not yet due rather than
// missing.
func ProvisionalAQI(v *DayValues, opt AQIOptions) Result {
	r := DailyAQI(v, opt)
	r.Excuse(r.Missing)
	return r
}

// cityDay averages the stations' day values; waived takes a station's value whatever its
// validity (the provisional day).
func cityDay(day Day, stations []*StationDay, opt CityOptions, waived bool) DayValues {
	if opt.MinStations < 1 {
		opt.MinStations = 1
	}
	out := DayValues{Day: day}
	per := make([]DayValues, len(stations))
	for i, s := range stations {
		per[i] = StationDayValues(day, s)
	}
	for p := Pollutant(0); p < NumPollutants; p++ {
		sum := new(big.Rat)
		n := 0
		for i := range per {
			st := per[i].Conc[p]
			if !st.OK() && (!waived || st.Value == nil) {
				continue
			}
			if opt.RoundStationValues {
				sum.Add(sum, st.Rounded(p).Rat())
			} else {
				sum.Add(sum, st.Value)
			}
			n++
		}
		out.Conc[p] = meanStat(sum, n, opt.MinStations)
	}
	out.O3Max1h = cityMaxHour(stations, opt.MinStations)
	return out
}

func meanStat(sum *big.Rat, n, min int) Stat {
	if n == 0 {
		return Stat{Reason: NoStations}
	}
	s := Stat{Value: sum.Quo(sum, big.NewRat(int64(n), 1)), N: n}
	if n < min {
		s.Reason = NoStations
	}
	return s
}

func cityMaxHour(stations []*StationDay, min int) Stat {
	var best *big.Rat
	hours := 0
	for slot := 0; slot < hoursPerDay; slot++ {
		var sum int64
		n := 0
		for _, s := range stations {
			if s.mask[O3]&(1<<slot) != 0 {
				sum += int64(s.hours[O3][slot])
				n++
			}
		}
		if n < min || n == 0 {
			continue
		}
		v := big.NewRat(sum, int64(n)*milliPerUnit)
		if best == nil || v.Cmp(best) > 0 {
			best = v
		}
		hours++
	}
	if best == nil {
		return Stat{Reason: TooFewHours}
	}
	s := Stat{Value: best, N: hours}
	if hours < MinHoursPerDay {
		s.Reason = TooFewHours
	}
	return s
}

// AQIOptions select the edition and the switches of the daily and real-time AQI.
type AQIOptions struct {
	Version   Version // Auto: by the day
	O3OneHour O3OneHourRule
	// ShiftYears, with Auto, judges each day under the edition in force that many years
	// later: last year recomputed under this year's standards (a comparable YoY basis).
	ShiftYears int
	// HourlyNA is how the real-time AQI treats a missing pollutant (default: the
	// platform's practice).
	HourlyNA HourlyNARule
}

// Hourly computes the real-time AQI of the hour ending at end under these options: the
// edition of the hour's day and the missing-pollutant rule.
func (o AQIOptions) Hourly(end time.Time, in *HourlyInput) Result {
	return HourlyUnder(o.VersionFor(DayOf(end.Add(-time.Hour))), in, o.HourlyNA)
}

// VersionFor returns the edition a day is judged under.
func (o AQIOptions) VersionFor(d Day) Version {
	if o.Version != Auto {
		return o.Version
	}
	if o.ShiftYears != 0 {
		return ForDay(d.Start().AddDate(o.ShiftYears, 0, 0))
	}
	return ForDay(d.Start())
}

// DailyAQI computes the daily AQI of a day from its rounded daily concentrations
// (HJ 633 with HJ 663 concentrations, R9). Invalid statistics enter as missing, so the
// NA rule decides whether the day is valid (R10): a day is valid iff !Result.NA.
func DailyAQI(v *DayValues, opt AQIOptions) Result {
	in := DailyInput{
		PM25: statValue(v.Conc[PM25], PM25), PM10: statValue(v.Conc[PM10], PM10),
		SO2: statValue(v.Conc[SO2], SO2), NO2: statValue(v.Conc[NO2], NO2), CO: statValue(v.Conc[CO], CO),
		O3_8h: statValue(v.Conc[O3], O3), O3_1hMax: statValue(v.O3Max1h, O3),
	}
	return Daily(opt.VersionFor(v.Day), &in, opt.O3OneHour)
}

func statValue(s Stat, p Pollutant) Value {
	if !s.OK() {
		return Value{}
	}
	return Some(s.Rounded(p))
}
