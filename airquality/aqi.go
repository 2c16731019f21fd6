package airquality

import (
	"strings"

	"github.com/envwatch/envwatch/fixed"
)

// Item is one input of an AQI computation, named like the CSV columns of `envwatch calc aqi`.
type Item uint8

// Items of the real-time (hourly) and daily reports.
const (
	ItemPM25     Item = iota // PM2.5: 1-h (hourly) or 24-h mean (daily), 24-h table
	ItemPM10                 // PM10: as PM2.5
	ItemSO2                  // SO2: 1-h table (hourly) or 24-h table (daily)
	ItemNO2                  // NO2: as SO2
	ItemCO                   // CO: as SO2, mg/m³
	ItemO3                   // O3 1-h (hourly report)
	ItemO3_8h                // O3 8-h: MDA8 (daily) or the 8-h moving mean (hourly, not in the AQI)
	ItemO3_1hMax             // O3 daily maximum 1-h (daily report, 2012)
	NumItems
)

var itemCodes = [NumItems]string{"pm2_5", "pm10", "so2", "no2", "co", "o3", "o3_8h", "o3_1h_max"}
var itemPollutant = [NumItems]Pollutant{PM25, PM10, SO2, NO2, CO, O3, O3, O3}

// Code is the item's column name.
func (it Item) Code() string { return itemCodes[it] }

func (it Item) String() string { return itemCodes[it] }

// Pollutant is the pollutant the item measures.
func (it Item) Pollutant() Pollutant { return itemPollutant[it] }

// ItemSet is a set of items.
type ItemSet uint16

// Has reports whether it is in the set.
func (s ItemSet) Has(it Item) bool { return s&(1<<it) != 0 }

func (s *ItemSet) add(it Item) { *s |= 1 << it }

// Items lists the set in item order.
func (s ItemSet) Items() []Item {
	var out []Item
	for it := Item(0); it < NumItems; it++ {
		if s.Has(it) {
			out = append(out, it)
		}
	}
	return out
}

// Join formats the set as codes joined by sep ("pm10+pm2_5").
func (s ItemSet) Join(sep string) string {
	var b strings.Builder
	for _, it := range s.Items() {
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(it.Code())
	}
	return b.String()
}

// Value is an optional concentration: OK is false when the value is missing or invalid.
type Value struct {
	C  fixed.Dec
	OK bool
	// NotMonitored, with OK false, says the station reported that it does not monitor the
	// pollutant (CNEMC "/") rather than that a value is missing.
	NotMonitored bool
}

// Some returns a present value.
func Some(c fixed.Dec) Value { return Value{C: c, OK: true} }

// Result is an AQI with everything HJ 633 publishes beside it.
type Result struct {
	Version Version
	// IAQI holds the sub-index of each item that was computed (see Computed).
	IAQI     [NumItems]SubIndex
	Computed ItemSet
	// Missing lists the items the report needs that were missing or could not be computed.
	Missing ItemSet
	// AQI is the maximum of the counted sub-indices; meaningless when NA.
	AQI int
	// NA is set when the AQI may not be published (HJ 633-2026 §5.3.1): an item is missing
	// and the AQI of the others is ≤ 100, or nothing could be computed.
	NA bool
	// Primary lists the primary pollutant(s) (首要污染物): the items at the maximum when
	// AQI > 50, ties all listed.
	Primary ItemSet
	// Exceeding lists items with IAQI > 100 (超标污染物, HJ 633-2012 only).
	Exceeding ItemSet
	// Capped is set when a concentration lay above the top of its table (AQI capped at 500).
	Capped bool
	// Excused lists the items taken out of Missing by Excuse: not monitored, presumed
	// hidden, or deducted (sand-dust), with the reason in the caller's terms.
	Excused ItemSet

	counted ItemSet // items the AQI is the maximum of
}

// Level returns the AQI level, 0 when NA.
func (r *Result) Level() Level {
	if r.NA {
		return 0
	}
	return LevelOf(r.AQI)
}

// HourlyInput holds 1-hour concentrations for the real-time report (实时报).
type HourlyInput struct {
	PM25, PM10, SO2, NO2, CO, O3 Value
	// SO2_24h is the 24-h moving mean, used under HJ 633-2012 when SO2 1 h > 800 µg/m³.
	SO2_24h Value
	// O3_8h is the 8-h moving mean; its IAQI is reported but does not enter the real-time
	// AQI (the CNEMC-published AQIs in the refdata confirm this).
	O3_8h Value
}

// HourlyNARule is how the real-time AQI treats a missing pollutant (docs/standards.md
// §1.7, "The real-time AQI when a pollutant is missing").
type HourlyNARule uint8

const (
	// HourlyNAPlatform is the national platform's practice, read from its published files:
	// a pollutant the station reports as not monitored ("/") is not missing, nor is a PM10
	// left out while PM2.5 is present — the platform hides a PM10 below its PM2.5 (倒挂),
	// whose IAQI cannot exceed PM2.5's; any other missing pollutant makes an AQI ≤ 100 NA.
	HourlyNAPlatform HourlyNARule = iota
	// HourlyNALiteral reads HJ 633-2026 §5.3.1 literally: any missing pollutant makes an
	// AQI ≤ 100 NA.
	HourlyNALiteral
)

// HourlyNARules names the rules as configured (realtime_aqi_missing).
var HourlyNARules = map[string]HourlyNARule{"platform": HourlyNAPlatform, "literal": HourlyNALiteral}

// HourlyUnder computes the real-time AQI under a missing-pollutant rule.
func HourlyUnder(v Version, in *HourlyInput, rule HourlyNARule) Result {
	r := Hourly(v, in)
	if rule != HourlyNAPlatform || r.Missing == 0 {
		return r
	}
	var excused ItemSet
	vals := [...]struct {
		it  Item
		val *Value
	}{{ItemPM25, &in.PM25}, {ItemPM10, &in.PM10}, {ItemSO2, &in.SO2}, {ItemNO2, &in.NO2}, {ItemCO, &in.CO}, {ItemO3, &in.O3}}
	for _, x := range vals {
		if !x.val.OK && x.val.NotMonitored && r.Missing.Has(x.it) {
			excused.add(x.it)
		}
	}
	if r.Missing.Has(ItemPM10) && r.Computed.Has(ItemPM25) {
		excused.add(ItemPM10)
	}
	if excused != 0 {
		r.Excuse(excused)
	}
	return r
}

// HourlyFrom is the input of Hourly from the six hourly values of a station or area,
// indexed by Pollutant.
func HourlyFrom(v *[NumPollutants]Value) HourlyInput {
	return HourlyInput{PM25: v[PM25], PM10: v[PM10], SO2: v[SO2], NO2: v[NO2], CO: v[CO], O3: v[O3]}
}

// Hourly computes the real-time AQI. PM2.5 and PM10 use the 1-h concentration on the 24-h
// breakpoints (HJ 633-2026, and the national platform from 2014); SO2, NO2, CO and O3 the
// 1-h breakpoints. Concentrations are rounded per GB/T 8170 first.
func Hourly(v Version, in *HourlyInput) Result {
	r := Result{Version: v}
	r.term(ItemPM25, PM25_24h, in.PM25, true)
	r.term(ItemPM10, PM10_24h, in.PM10, true)
	if in.SO2.OK && v == V2012 && RoundConcentration(SO2, in.SO2.C) > fixed.Int(800) {
		// HJ 633-2012 note 2: report the SO2 IAQI of the 24-h mean instead.
		if in.SO2_24h.OK {
			r.termAs(ItemSO2, SO2_24h, in.SO2_24h)
		} else {
			r.Missing.add(ItemSO2)
		}
	} else {
		r.term(ItemSO2, SO2_1h, in.SO2, true)
	}
	r.term(ItemNO2, NO2_1h, in.NO2, true)
	r.term(ItemCO, CO_1h, in.CO, true)
	r.term(ItemO3, O3_1h, in.O3, true)
	r.term(ItemO3_8h, O3_8h, in.O3_8h, false)
	r.finish(ItemSet(1<<ItemPM25 | 1<<ItemPM10 | 1<<ItemSO2 | 1<<ItemNO2 | 1<<ItemCO | 1<<ItemO3))
	return r
}

// O3OneHourRule chooses whether the daily maximum 1-h O3 enters the daily AQI.
type O3OneHourRule int

const (
	// O3OneHourDefault includes it under HJ 633-2012 (the text lists seven daily
	// indicators) and excludes it under HJ 633-2026 (six indicators). docs/standards.md §1.7.
	O3OneHourDefault O3OneHourRule = iota
	// O3OneHourInclude always includes it when present.
	O3OneHourInclude
	// O3OneHourExclude never includes it (the reading of most 2012-era platforms).
	O3OneHourExclude
)

// DailyInput holds the daily values of one natural day (日报).
type DailyInput struct {
	PM25, PM10, SO2, NO2, CO Value // 24-h means
	O3_8h                    Value // daily maximum 8-h mean (MDA8)
	O3_1hMax                 Value // daily maximum 1-h, optional
}

// Daily computes the daily AQI on the 24-h breakpoints and the O3 8-h breakpoints.
func Daily(v Version, in *DailyInput, o3rule O3OneHourRule) Result {
	r := Result{Version: v}
	r.term(ItemPM25, PM25_24h, in.PM25, true)
	r.term(ItemPM10, PM10_24h, in.PM10, true)
	r.term(ItemSO2, SO2_24h, in.SO2, true)
	r.term(ItemNO2, NO2_24h, in.NO2, true)
	r.term(ItemCO, CO_24h, in.CO, true)
	include1h := o3rule == O3OneHourInclude || (o3rule == O3OneHourDefault && v == V2012)
	if in.O3_8h.OK && v == V2012 && RoundConcentration(O3, in.O3_8h.C) > fixed.Int(800) {
		// HJ 633-2012 note 3: the O3 IAQI comes from the 1-h value.
		if in.O3_1hMax.OK {
			r.termAs(ItemO3_8h, O3_1h, in.O3_1hMax)
		} else {
			r.Missing.add(ItemO3_8h)
		}
	} else {
		r.term(ItemO3_8h, O3_8h, in.O3_8h, true)
	}
	r.term(ItemO3_1hMax, O3_1h, in.O3_1hMax, false)
	counted := ItemSet(1<<ItemPM25 | 1<<ItemPM10 | 1<<ItemSO2 | 1<<ItemNO2 | 1<<ItemCO | 1<<ItemO3_8h)
	if include1h && r.Computed.Has(ItemO3_1hMax) {
		counted.add(ItemO3_1hMax)
	}
	r.finish(counted)
	return r
}

// term computes one item's IAQI; required items that are missing are recorded.
func (r *Result) term(it Item, ind Indicator, val Value, required bool) {
	if !val.OK {
		if required {
			r.Missing.add(it)
		}
		return
	}
	r.termAs(it, ind, val)
}

func (r *Result) termAs(it Item, ind Indicator, val Value) {
	si, err := IAQI(r.Version, ind, RoundConcentration(ind.Pollutant(), val.C))
	if err != nil {
		r.Missing.add(it)
		return
	}
	r.IAQI[it] = si
	r.Computed.add(it)
}

// finish takes the maximum over the counted items and applies the publication rules.
func (r *Result) finish(counted ItemSet) {
	counted &= r.Computed | r.Missing
	r.counted = counted
	have := counted & r.Computed
	if have == 0 {
		r.NA = true
		return
	}
	max := -1
	for it := Item(0); it < NumItems; it++ {
		if have.Has(it) && r.IAQI[it].Value > max {
			max = r.IAQI[it].Value
		}
	}
	r.AQI = max
	if r.Version == V2026 && r.AQI < 1 {
		r.AQI = 1 // HJ 633-2026 §4.1.1: the AQI ranges over 1–500
	}
	for it := Item(0); it < NumItems; it++ {
		if !have.Has(it) {
			continue
		}
		si := r.IAQI[it]
		r.Capped = r.Capped || si.Capped
		if si.Value == max && max > 50 {
			r.Primary.add(it)
		}
		if r.Version == V2012 && si.Value > 100 {
			r.Exceeding.add(it)
		}
	}
	// One pollutant is listed once: when both O3 daily indicators tie, name the 8-h one.
	if r.Primary.Has(ItemO3_8h) && r.Primary.Has(ItemO3_1hMax) {
		r.Primary &^= 1 << ItemO3_1hMax
	}
	if r.Missing&counted != 0 && r.AQI <= 100 {
		r.NA = true
	}
}

// Excuse treats missing items as deliberately excluded rather than missing (sand-dust
// deduction with the `recompute` rule, docs/standards.md R20): they no longer make a
// day NA.
func (r *Result) Excuse(items ItemSet) {
	r.Excused |= r.Missing & items
	r.Missing &^= items
	r.NA = r.counted&r.Computed == 0 || (r.Missing&r.counted != 0 && r.AQI <= 100)
}
