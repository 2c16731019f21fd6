// Package indicator computes what a bureau is judged on: each indicator's year-to-date value,
// the same period last year, the year-over-year change as bureaus publish it, the targets,
// what the rest of the year may still use, and a status (met, on track, at risk, missed).
// The Prometheus exposition and `envwatch report` render the same Snapshot.
package indicator

import (
	"math/big"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/waterquality"
)

// Status of a target.
type Status int

// Statuses, documented with their rules in docs/targets.md: met and missed are certain
// (decided by arithmetic); on_track, at_risk and unlikely are forecasts (decided by the
// probability of meeting the target where the area's history gives one, docs/targets.md
// "Outlook").
const (
	NoTarget Status = iota
	OnTrack
	AtRisk
	Missed // can no longer be met, whatever the rest of the year brings (or the year ended unmet)
	Met    // certain: the year ended met, or the target is reached whatever comes
	// InsufficientData: the statistic does not meet the validity rules, so no status can
	// be claimed (docs/targets.md).
	InsufficientData
	Unlikely // not yet certain, but the probability of meeting it is low
)

var statusNames = [...]string{"none", "on_track", "at_risk", "missed", "met", "insufficient_data", "unlikely"}

func (s Status) String() string { return statusNames[s] }

// Statuses lists the statuses that are exposed (one series each), from best to worst.
var Statuses = []Status{Met, OnTrack, AtRisk, Unlikely, Missed, InsufficientData}

// Outlook is the probability of meeting a target by the year's end, from simulated rests
// of the year (package outlook).
type Outlook struct {
	// P is the probability of meeting the target, in [0, 1].
	P float64
	// Low, Mid and High are the 10th, 50th and 90th percentiles of the year-end value.
	Low, Mid, High *Num
	// Years are the past years resampled, Sims the simulated years.
	Years, Sims int
}

// Indicator names (label values of the exposition, keys of the report).
const (
	PM25Mean           = "pm2_5_mean"
	PM10Mean           = "pm10_mean"
	GoodDays           = "good_days"
	GoodDayRatio       = "good_day_ratio"
	O3ExceedanceDays   = "o3_exceedance_days"
	HeavyPollutionDays = "heavy_pollution_days"
	CompositeIndex     = "composite_index"
	PM25YoY            = "pm2_5_yoy"
	PM10YoY            = "pm10_yoy"
	SectionsCompliance = "sections_compliance"
	// SectionsGoodShare and SectionsWorseThanVShare are the shares of Class I–III and 劣V
	// sections.
	SectionsGoodShare       = "sections_class_i_iii_share"
	SectionsWorseThanVShare = "sections_worse_than_v_share"
	DrinkingWater           = "drinking_water_compliance"
	// DrinkingWaterVolume is the volume-weighted rate: water taken from compliant sources
	// over all water taken (every source needs annual_volume).
	DrinkingWaterVolume = "drinking_water_volume_compliance"
	// SectionsTrend is the 2011 method's trend: ΔG − ΔD in percentage points (G the Class
	// I–III share, D the 劣V share), with its direction and degree.
	SectionsTrend = "sections_trend"
	// The composite index's other parts and the day counts behind the ratio.
	SO2Mean        = "so2_mean"
	NO2Mean        = "no2_mean"
	COP95          = "co_p95"
	O3P90          = "o3_p90"
	ValidDays      = "valid_days"
	ExceedanceDays = "exceedance_days" // AQI > 100
)

// Why a year-over-year change (or a comparison on the comparable basis) is withheld.
const (
	NoLastYear       = "no_data_last_year"
	CurrentInvalid   = "current_period_invalid"
	LastYearInvalid  = "same_period_last_year_invalid"
	ComparableAbsent = "comparable_basis_invalid"
	// WaterSamplesShort: a site has samples in too few months of a period (WaterBasis).
	WaterSamplesShort = "water_samples_short"
)

// Coverage is the data behind a statistic over one period: the days with a valid value of
// it (per pollutant for a concentration, days with a valid daily AQI for day counts and
// ratios), the calendar days of the period, the days after the data end (not yet reported:
// missing, not NA), and whether the validity rules hold (docs/targets.md).
type Coverage struct {
	ValidDays, CalendarDays, NotReported int
	Valid                                bool
	Reason                               string
}

// Direction of a target.
type Direction int

// Directions.
const (
	AtMost Direction = iota
	AtLeast
)

// Num is an exact value with its published text (rounded as published).
type Num struct {
	Exact *big.Rat
	Text  string
}

// OK reports whether the number is set.
func (n *Num) OK() bool { return n != nil && n.Exact != nil }

// Float returns the published (rounded) value as a float.
func (n *Num) Float() float64 {
	d, _ := fixed.Parse(n.Text)
	return d.Float64()
}

func num(r *big.Rat, places int) *Num {
	if r == nil {
		return nil
	}
	return &Num{Exact: r, Text: fixed.FormatRat(r, places)}
}

// Result is one indicator of one area and year.
type Result struct {
	Area, Indicator string
	// Pollutant is set for concentration indicators (pm2_5, pm10).
	Pollutant string
	Unit      string // µg/m³, days, %, index
	// Current is the year-to-date value (official: each day under its own standard).
	Current *Num
	// LastYear is the same calendar period last year (official).
	LastYear *Num
	// Comparable is last year recomputed under this year's standards; set only where the
	// 2026 editions make it differ from LastYear.
	Comparable *Num
	// Change is the YoY change: percent for concentrations and indices (from the rounded
	// published values, R13), percentage points for ratios, days for counts.
	Change, ComparableChange *Num
	// Target and its direction; nil without a target.
	Target    *Num
	Direction Direction
	// RequiredRemaining is, for an annual-mean target, the mean the rest of the year must
	// not exceed for the annual mean to stay within the target.
	RequiredRemaining *Num
	// BudgetUsed and BudgetLeft are, for day-count targets, the days used and left.
	BudgetUsed, BudgetLeft *int
	Status                 Status
	// WithoutSandDeduction is the value computed without the sand-dust deduction, when a
	// deduction applied.
	WithoutSandDeduction *Num
	// Compliant and Total count the sites behind a compliance rate.
	Compliant, Total int
	// Valid is false when the statistic does not yet meet GB 3095 Table 4 (Reason says why).
	Valid  bool
	Reason string
	// Coverage of this year to date, the same period last year and last year in full.
	Coverage, LastYearCoverage, LastYearFullCoverage Coverage
	// LastYearFull is last year's whole-year value (official).
	LastYearFull *Num
	// Season is the window of a seasonal count (ozone exceedance days).
	Season *airquality.Season
	// Trend is the 2011 method's verdict for SectionsTrend.
	Trend *waterquality.Trend
	// Outlook is the probability of meeting the target (nil: no target, no simulation, or
	// the outcome is certain); OutlookReason says why there is none when there is a target.
	Outlook       *Outlook
	OutlookReason string
	// WaterBasis is the sample basis of a water comparison (shares, compliance, trend).
	WaterBasis *WaterBasis
	// BestOnRecord is, without an outlook, the best any stretch as long as the rest of the
	// year has done in the area's record (the lowest mean, the most good days); a remainder
	// asking for better makes the target unlikely (docs/targets.md, "Outlook").
	BestOnRecord *Num
	// ChangeReason says why Change is nil (NoLastYear, CurrentInvalid, LastYearInvalid);
	// ComparableReason likewise for ComparableChange where the bases differ.
	ChangeReason, ComparableReason string
}

// AreaInfo is through which day an area was evaluated and what its data cover.
type AreaInfo struct {
	Area string
	// AsOf is the last day counted; DataEnd the newest day with a determinable daily AQI
	// (zero: none within a year). Days after DataEnd up to AsOf are not yet reported.
	AsOf, DataEnd airquality.Day
	// Explicit is set when AsOf was asked for rather than taken from the data end.
	Explicit bool
	// NADays are this year's days up to the data end without a valid daily AQI.
	NADays []airquality.Day
	// WaterSites are the codes of the sections and sources in the area or below it.
	WaterSites []string
	// NoAir is set for an area without air stations: DataEnd is then its newest water
	// sample's day, and no air day counts as unreported.
	NoAir bool
}

// SectionResult is a water section's year-to-date evaluation.
type SectionResult struct {
	Code, Name, Area, River, Level string
	Class, Target                  waterquality.Class
	Compliant                      bool
	Samples                        int
	// Months are the calendar months (Asia/Shanghai) with a sample in the period.
	Months int
	Main   []waterquality.Exceedance
	Source bool // a drinking-water source rather than a section
	// LastYear is the same site over the same period last year (nil in that result).
	LastYear *SectionResult
}

// WaterBasis is the sample basis of an area's water comparison (docs/targets.md, "Water
// comparisons"): a site counts when it has samples in at least NeedMonths months of each
// period; a change is published only when every site with samples in either period does.
type WaterBasis struct {
	NeedMonths int
	// Sites have samples in either period; ShortNow and ShortLast of them fall short this
	// year and in the same period last year, the shortest with FewestNow and FewestLast
	// months.
	Sites, ShortNow, ShortLast int
	FewestNow, FewestLast      int
}

// Comparable: no site falls short in either period.
func (b *WaterBasis) Comparable() bool { return b == nil || (b.ShortNow == 0 && b.ShortLast == 0) }

// Snapshot is every area's indicators at one moment.
type Snapshot struct {
	// AsOf is the day asked for (yesterday by default); each area's own is in Areas.
	AsOf    airquality.Day
	Year    int
	Results []Result
	Water   []SectionResult
	Areas   []AreaInfo
	// Computed is when the snapshot was made.
	Computed time.Time
}

// Area returns an area's evaluation window (nil when the area is not in the snapshot).
func (s *Snapshot) Area(area string) *AreaInfo {
	for i := range s.Areas {
		if s.Areas[i].Area == area {
			return &s.Areas[i]
		}
	}
	return nil
}

// Find returns the result of an area and indicator.
func (s *Snapshot) Find(area, indicator string) *Result {
	for i := range s.Results {
		if s.Results[i].Area == area && s.Results[i].Indicator == indicator {
			return &s.Results[i]
		}
	}
	return nil
}
