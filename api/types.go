package api

import "encoding/json"

// The JSON answers of the API (docs/api.md; the schemas are in openapi.yaml, which the
// service's tests validate real answers against). Published figures are json.RawMessage:
// written with their published decimals ("35.0" stays 35.0), null where withheld.

// Sites is GET /api/v1/sites: every configured site with its name and place.
type Sites struct {
	Areas    []SiteArea    `json:"areas"`
	Stations []SiteStation `json:"stations"`
	Sections []SiteSection `json:"sections"`
	Sources  []SiteSection `json:"drinking_water_sources"`
}

// SiteArea is a configured area.
type SiteArea struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	NameEN string `json:"name_en,omitempty"`
	Kind   string `json:"kind"`
	Parent string `json:"parent,omitempty"`
}

// SiteStation is an air station.
type SiteStation struct {
	Code       string  `json:"code"`
	Name       string  `json:"name"`
	Area       string  `json:"area"`
	Latitude   float64 `json:"latitude"`
	Longitude  float64 `json:"longitude"`
	Assessment bool    `json:"assessment"`
}

// SiteSection is a water assessment section or a drinking-water source.
type SiteSection struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Area        string `json:"area"`
	WaterBody   string `json:"water_body"`
	River       string `json:"river,omitempty"`
	Level       string `json:"level,omitempty"`
	TargetClass string `json:"target_class,omitempty"`
}

// DailyRow is one day of GET /api/v1/daily?format=json.
type DailyRow struct {
	Site      string                     `json:"site"`
	Date      string                     `json:"date"`
	Values    map[string]json.RawMessage `json:"values"`
	AQI       *int                       `json:"aqi"`
	Level     *int                       `json:"level"`
	Primary   []string                   `json:"primary"`
	AQI2026   *int                       `json:"aqi_2026"`
	Valid     bool                       `json:"valid"`
	NAReason  string                     `json:"na_reason,omitempty"`
	HasData   bool                       `json:"has_data"`
	Edition   string                     `json:"edition"`
	Edition26 string                     `json:"edition_2026"`
}

// Index is a real-time or provisional AQI with its level and primary pollutants.
type Index struct {
	AQI      *int     `json:"aqi"`
	Level    *int     `json:"level"`
	Category string   `json:"category,omitempty"`
	Primary  []string `json:"primary"`
	// IAQI is each computed item's individual index: what drives the AQI.
	IAQI    map[string]int `json:"iaqi"`
	Edition string         `json:"edition"`
}

// NowStation is a station's newest hour.
type NowStation struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Area       string `json:"area"`
	Assessment bool   `json:"assessment"`
	// End is the end of the station's newest hour; null when it has none.
	End        *string `json:"end"`
	AgeSeconds *int64  `json:"age_seconds"`
	Stale      bool    `json:"stale"`
	Index
}

// NowHour is the area's newest hour: stale once older than stale_after_seconds, when a
// page greys it and says how old it is.
type NowHour struct {
	End        string `json:"end"`
	AgeSeconds int64  `json:"age_seconds"`
	Stale      bool   `json:"stale"`
	Stations   int    `json:"stations"`
	Index
}

// NowToday is the provisional AQI of today from the hours so far.
type NowToday struct {
	Date        string `json:"date"`
	Provisional bool   `json:"provisional"`
	Hours       int    `json:"hours"`
	Index
}

// NowRejected counts a source's rejected readings by reason.
type NowRejected struct {
	Source string `json:"source"`
	Reason string `json:"reason"`
	Count  int64  `json:"count"`
}

// Now is GET /api/v1/now: an area's real-time AQI, its provisional day and the state of
// its stations, at one moment.
type Now struct {
	Area     string `json:"area"`
	Name     string `json:"name"`
	Computed string `json:"computed"`
	// Hour is the area's newest hour (null without any), with its age; Today the
	// provisional day so far (null before today's first hour).
	Hour              *NowHour      `json:"hour"`
	Today             *NowToday     `json:"today"`
	StaleAfterSeconds int64         `json:"stale_after_seconds"`
	Stations          []NowStation  `json:"stations"`
	StaleStations     []string      `json:"stale_stations"`
	Rejected          []NowRejected `json:"rejected_readings"`
}

// Report is GET /api/v1/report?format=json (and `envwatch report --format json`).
type Report struct {
	Area        string       `json:"area"`
	Name        string       `json:"name"`
	Year        int          `json:"year"`
	AsOf        string       `json:"as_of"`
	DataEnd     *string      `json:"data_end"`
	Explicit    bool         `json:"as_of_explicit"`
	NotReported int          `json:"not_reported_days"`
	NADays      []string     `json:"na_days"`
	Results     []Indicator  `json:"indicators"`
	Sites       []*WaterSite `json:"water_sites"`
	WaterNote   string       `json:"water_note,omitempty"`
	Monthly     *Monthly     `json:"monthly,omitempty"`
}

// Coverage is the data basis of a statistic.
type Coverage struct {
	ValidDays    int    `json:"valid_days"`
	CalendarDays int    `json:"calendar_days"`
	NotReported  int    `json:"not_reported_days,omitempty"`
	Valid        bool   `json:"valid"`
	Reason       string `json:"reason,omitempty"`
}

// Indicator is one indicator of a report. Comparisons are always present: null with a
// reason when the data do not support them.
type Indicator struct {
	Indicator            string          `json:"indicator"`
	Name                 string          `json:"name"`
	Unit                 string          `json:"unit"`
	Value                json.RawMessage `json:"value"`
	Valid                bool            `json:"valid"`
	Reason               string          `json:"reason,omitempty"`
	Coverage             *Coverage       `json:"coverage,omitempty"`
	SamePeriodLastYear   json.RawMessage `json:"same_period_last_year"`
	SamePeriodCoverage   *Coverage       `json:"same_period_last_year_coverage,omitempty"`
	LastYear             json.RawMessage `json:"last_year,omitempty"`
	LastYearCoverage     *Coverage       `json:"last_year_coverage,omitempty"`
	YoY                  json.RawMessage `json:"yoy_change"`
	YoYReason            string          `json:"yoy_reason,omitempty"`
	WaterBasis           *WaterBasis     `json:"water_basis,omitempty"`
	Comparable           json.RawMessage `json:"comparable_last_year,omitempty"`
	ComparableYoY        json.RawMessage `json:"comparable_yoy_change,omitempty"`
	ComparableYoYReason  string          `json:"comparable_yoy_reason,omitempty"`
	WithoutSandDeduction json.RawMessage `json:"without_sand_deduction,omitempty"`
	Target               json.RawMessage `json:"target,omitempty"`
	Direction            string          `json:"direction,omitempty"`
	RequiredRemaining    json.RawMessage `json:"required_remaining_mean,omitempty"`
	BestOnRecord         json.RawMessage `json:"best_on_record,omitempty"`
	BudgetUsed           *int            `json:"budget_used_days,omitempty"`
	BudgetLeft           *int            `json:"budget_left_days,omitempty"`
	Status               string          `json:"status,omitempty"`
	StatusText           string          `json:"status_text,omitempty"`
	Outlook              *Outlook        `json:"outlook,omitempty"`
	OutlookReason        string          `json:"outlook_reason,omitempty"`
	Compliant            *int            `json:"compliant,omitempty"`
	Total                *int            `json:"total,omitempty"`
}

// WaterBasis is the sample basis of a water comparison: sites with samples in either
// period, those with samples in fewer than need_months months this year and last year.
type WaterBasis struct {
	NeedMonths    int `json:"need_months"`
	Sites         int `json:"sites"`
	ShortThisYear int `json:"short_this_year"`
	ShortLastYear int `json:"short_last_year"`
}

// Outlook is a target's probability and the simulated year-end value's quantiles.
type Outlook struct {
	Probability float64         `json:"probability"`
	Low         json.RawMessage `json:"p10"`
	Mid         json.RawMessage `json:"p50"`
	High        json.RawMessage `json:"p90"`
	PastYears   int             `json:"past_years"`
	Simulations int             `json:"simulations"`
	Basis       string          `json:"basis"`
}

// Exceedance is a main pollutant of a water site with its multiple of the target limit.
type Exceedance struct {
	Item     string          `json:"item"`
	Multiple json.RawMessage `json:"multiple"`
}

// WaterSite is a section's or drinking-water source's class and compliance.
type WaterSite struct {
	Code      string       `json:"code"`
	Name      string       `json:"name"`
	Kind      string       `json:"kind"` // section or drinking_water_source
	River     string       `json:"river,omitempty"`
	Level     string       `json:"level,omitempty"`
	Target    string       `json:"target_class"`
	Samples   int          `json:"samples"`
	Months    int          `json:"months_with_samples"`
	Class     *string      `json:"class"`
	Compliant *bool        `json:"compliant"`
	Main      []Exceedance `json:"main_pollutants"`
	LastYear  *WaterSite   `json:"same_period_last_year,omitempty"`
}

// Monthly is the report's monthly table, this year and last.
type Monthly struct {
	ThisYear []Month `json:"this_year"`
	LastYear []Month `json:"last_year"`
}

// Month is one month's air figures.
type Month struct {
	Month        string          `json:"month"`
	CalendarDays int             `json:"calendar_days"`
	ValidDays    int             `json:"valid_days"`
	DaysValid    bool            `json:"days_valid"`
	PM25         json.RawMessage `json:"pm2_5"`
	PM25Valid    bool            `json:"pm2_5_valid"`
	PM10         json.RawMessage `json:"pm10"`
	PM10Valid    bool            `json:"pm10_valid"`
	O3P90        json.RawMessage `json:"o3_p90"`
	O3P90Valid   bool            `json:"o3_p90_valid"`
	// The day counts are null in a month without a valid day.
	GoodDays         *int `json:"good_days"`
	Over100Days      *int `json:"exceedance_days"`
	O3ExceedanceDays *int `json:"o3_exceedance_days"`
}

// Assessment is GET /api/v1/assessment?format=json: the monthly ranking and
// eco-compensation of an area's units.
type Assessment struct {
	Area        string               `json:"area"`
	Name        string               `json:"name"`
	Month       string               `json:"month,omitempty"`
	From        string               `json:"from"`
	To          string               `json:"data_to"`
	Provisional bool                 `json:"provisional"`
	Rankings    map[string][]RankRow `json:"rankings"`
	Schemes     []Scheme             `json:"schemes"`
	Totals      []Total              `json:"totals"`
}

// RankRow is a unit's place in a ranking (rank null: not ranked, with the reason).
type RankRow struct {
	Unit   string          `json:"unit"`
	Name   string          `json:"name"`
	Rank   *int            `json:"rank"`
	Value  json.RawMessage `json:"value"`
	Reason string          `json:"reason,omitempty"`
}

// Scheme is one eco-compensation scheme's outcome.
type Scheme struct {
	Name      string          `json:"name"`
	Factor    string          `json:"factor"`
	Period    string          `json:"period"`
	From      string          `json:"from"`
	To        string          `json:"to"`
	Base      string          `json:"base"`
	MoneyUnit string          `json:"money_unit"`
	BaseValue json.RawMessage `json:"base_value"`
	Lines     []SchemeLine    `json:"lines"`
	Pay       json.RawMessage `json:"pay"`
	Receive   json.RawMessage `json:"receive"`
	Balance   json.RawMessage `json:"balance"`
}

// SchemeLine is a unit's line in a scheme.
type SchemeLine struct {
	Unit       string          `json:"unit"`
	Name       string          `json:"name"`
	InUnit     string          `json:"in_unit,omitempty"`
	Value      json.RawMessage `json:"value"`
	Base       json.RawMessage `json:"base"`
	Difference json.RawMessage `json:"difference"`
	Amount     json.RawMessage `json:"amount"`
	Direction  string          `json:"direction,omitempty"` // pay, receive
	Excluded   string          `json:"excluded,omitempty"`
}

// Total is a unit's net amount in one money unit (positive: pays).
type Total struct {
	Unit      string          `json:"unit"`
	Name      string          `json:"name"`
	MoneyUnit string          `json:"money_unit"`
	Net       json.RawMessage `json:"net"`
}
