// Package config holds envwatch's YAML configuration: its schema, defaults and
// validation. Unknown keys are errors and every error names the file, the line, the key
// and the offending value.
package config

import (
	"github.com/envwatch/envwatch/areas"
	"github.com/envwatch/envwatch/fixed"
)

// Config is the whole configuration file.
type Config struct {
	// TimeZone is the zone of natural days and schedules (default Asia/Shanghai).
	TimeZone string `yaml:"time_zone"`
	// StateDir holds the embedded state store (default ./var/state).
	StateDir             string                `yaml:"state_dir"`
	Standards            Standards             `yaml:"assessment"` // the standards' open choices (YAML key "assessment")
	Areas                []Area                `yaml:"areas"`
	Stations             []Station             `yaml:"air_stations"`
	Sections             []Section             `yaml:"water_sections"`
	DrinkingWaterSources []DrinkingWaterSource `yaml:"drinking_water_sources"`
	Sources              []Source              `yaml:"sources"`
	InfluxDB             *InfluxDB             `yaml:"influxdb"`
	Targets              []Target              `yaml:"targets"`
	// Assessments are the monthly rankings and eco-compensation schemes an area runs over
	// its units (docs/assessment.md).
	Assessments []Assessed `yaml:"assessments"`
}

// Assessed is one area's monthly assessment of its direct children (districts, counties;
// a province's cities).
type Assessed struct {
	Area string `yaml:"area"`
	// Units is the kind of area ranked: every area of that kind below Area ("city": a
	// country ranks its cities). Default: Area's children.
	Units string `yaml:"units"`
	// RankBy are the indicators units are ranked by each month (default: composite_index,
	// composite_index_yoy, pm2_5, good_day_ratio).
	RankBy  []string `yaml:"rank_by"`
	Schemes []Scheme `yaml:"schemes"`
}

// Scheme is an eco-compensation scheme: the unit's factor against a base, in tiers.
type Scheme struct {
	Name   string `yaml:"name"`
	Factor string `yaml:"factor"`
	// Scope is "units" (default: the area's children) or "sections" (each water section of
	// the area against its target class; amounts add up per unit).
	Scope  string `yaml:"scope"`
	Period string `yaml:"period"` // month (default), quarter, year_to_date
	// Base is units_average, target, fixed or last_year; BaseValue for fixed;
	// BaseDecimals rounds a units' average (default: the factor's published decimals).
	Base         string  `yaml:"base"`
	BaseValue    *Number `yaml:"base_value"`
	BaseDecimals *int    `yaml:"base_decimals"`
	// Difference is absolute (default) or multiple ((value − base)/base, water).
	Difference string `yaml:"difference"`
	// Pay tiers on how much worse than the base, Receive on how much better (absent: the
	// scheme only deducts).
	Pay     []SchemeTier `yaml:"pay"`
	Receive []SchemeTier `yaml:"receive"`
	// Cap bounds a unit's amount per period each way; MoneyStep rounds amounts (default
	// 0.01), half to even; MoneyUnit names them (default 万元).
	Cap       *Number `yaml:"cap"`
	MoneyStep *Number `yaml:"money_step"`
	MoneyUnit string  `yaml:"money_unit"`
	// AlertAbove raises EnvwatchUnitPaysMuch when a unit pays more in a month.
	AlertAbove *Number  `yaml:"alert_above"`
	Exclude    []string `yaml:"exclude"`
}

// SchemeTier is a band (from, to] of the difference: rate per unit of difference
// (linear), or amount × (1 + difference) (multiplier form). to absent: open-ended.
type SchemeTier struct {
	From   *Number `yaml:"from"`
	To     *Number `yaml:"to"`
	Rate   *Number `yaml:"rate"`
	Amount *Number `yaml:"amount"`
}

// Standards holds the switches where the standards leave a choice (docs/configuration.md
// lists each with its source).
type Standards struct {
	// AQIStandard is "auto" (by the date of the data), "2012" or "2026".
	AQIStandard string `yaml:"aqi_standard"`
	// O3OneHourDaily: "default" (2012 include, 2026 exclude), "include" or "exclude".
	O3OneHourDaily string `yaml:"o3_1h_in_daily_aqi"`
	// RealtimeAQIMissing is how the real-time AQI treats a missing pollutant: "platform"
	// (the national platform's practice, default) or "literal" (HJ 633-2026 §5.3.1).
	RealtimeAQIMissing string `yaml:"realtime_aqi_missing"`
	// MinStations is the number of valid stations a city value needs (R6, default 1).
	MinStations int `yaml:"min_stations"`
	// RoundStationValues rounds station daily values before the city mean (R7).
	RoundStationValues bool `yaml:"round_station_values"`
	// SandDustDay is "keep" (original AQI) or "recompute" (R20).
	SandDustDay string `yaml:"sand_dust_day"`
	// SandDustValidity is "excused" (deducted days do not count against the 324/27/25
	// minimums) or "missing" (they do); the sources leave it open (docs/standards.md).
	SandDustValidity string `yaml:"sand_dust_validity"`
	// Percentile is "interpolate" (HJ 663) or "nearest_rank" (R8).
	Percentile string `yaml:"percentile"`
	// O3Exceedance is "mda8", "primary" or "mda8_or_1h" (R17).
	O3Exceedance string `yaml:"o3_exceedance"`
	// EqualLimits is "best" or "not_i" (GB 3838 equal class limits, §3.2).
	EqualLimits string `yaml:"water_equal_limits"`
	// BelowDetection is the value a below-detection water result ("0.0003L", "ND") enters
	// means with: "half" the detection limit (default), the "limit", or "zero".
	BelowDetection string `yaml:"water_below_detection"`
	// SandDustFile lists sand-dust days to deduct (R19): CSV "area,date[,pollutants]" with
	// pollutants "pm10", "pm2_5" or "pm10+pm2_5" (default both), as the authority supplies them.
	SandDustFile string `yaml:"sand_dust_file"`
	// YoYDecimals is the decimals of published YoY percentages (R13, default 1).
	YoYDecimals int `yaml:"yoy_decimals"`
	// WaterMinMonthShare is the water comparison rule [U]: a site counts in a YoY change,
	// share or compliance change when it has samples in at least this share of the period's
	// whole months, rounded up (default 0.75: 9 of 12 monthly results), in both periods.
	WaterMinMonthShare float64 `yaml:"water_min_month_share"`
}

// Area is a city, district or county; districts name their city as parent.
type Area struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
	// NameEN is the name in English reports and pages (default: Name).
	NameEN string `yaml:"name_en"`
	Kind   string `yaml:"kind"` // province, city, district, county
	Parent string `yaml:"parent"`
}

// Station is an ambient-air monitoring station.
type Station struct {
	Code      string  `yaml:"code"`
	Name      string  `yaml:"name"`
	Area      string  `yaml:"area"`
	Latitude  float64 `yaml:"latitude"`
	Longitude float64 `yaml:"longitude"`
	// Assessment is set for urban assessment stations (城市点), the only ones that enter
	// city values (R1). Default true.
	Assessment *bool `yaml:"assessment"`
}

// Counts reports whether the station enters area assessments.
func (s *Station) Counts() bool { return s.Assessment == nil || *s.Assessment }

// Section is a surface-water assessment section.
type Section struct {
	Code        string `yaml:"code"`
	Name        string `yaml:"name"`
	WaterBody   string `yaml:"water_body"` // river or lake (lakes and reservoirs)
	River       string `yaml:"river"`      // river, lake or reservoir name, for grouping
	Level       string `yaml:"level"`      // national or provincial
	TargetClass string `yaml:"target_class"`
	Area        string `yaml:"area"`
	// Illustrative marks sections whose identity is not from an official list.
	Illustrative bool `yaml:"illustrative"`
}

// DrinkingWaterSource is a centralised drinking-water source.
type DrinkingWaterSource struct {
	Code        string  `yaml:"code"`
	Name        string  `yaml:"name"`
	WaterBody   string  `yaml:"water_body"`
	TargetClass string  `yaml:"target_class"`
	Area        string  `yaml:"area"`
	Volume      float64 `yaml:"annual_volume"` // 10⁴ m³ a year, for the volume-weighted rate
}

// Source is a scheduled or push data source. Exactly one kind section is set.
type Source struct {
	Name     string   `yaml:"name"`
	Kind     string   `yaml:"kind"`
	Enabled  *bool    `yaml:"enabled"`
	Schedule string   `yaml:"schedule"` // 5-field cron in the configured zone
	Timeout  Duration `yaml:"timeout"`
	// Retries per fetch (default 2; 0 = no retry).
	Retries  *int     `yaml:"retries"`
	Lookback Duration `yaml:"lookback"`
	// TimeZone is the zone of the source's timestamps when they carry no offset (default:
	// the top-level time_zone).
	TimeZone string `yaml:"time_zone"`
	// Timestamps says whether the source labels an hourly value by the "end" of its hour
	// (CNEMC, HJ 663) or its "start" (HJ 212 CN 2061). Default per kind.
	Timestamps string `yaml:"timestamps"`

	Simulate *Simulate `yaml:"simulate"`
	CNEMC    *CNEMCCSV `yaml:"cnemc_csv"`
	HJ212    *HJ212    `yaml:"hj212"`
	WaterCSV *WaterCSV `yaml:"water_csv"`
	HTTPJSON *HTTPJSON `yaml:"http_json"`
}

// HTTPJSON polls an HTTP JSON API ("latest" style) for the configured remote sites.
type HTTPJSON struct {
	// Preset is openaq_v3_latest, waqi_city or empty (generic mapping below).
	Preset string `yaml:"preset"`
	// URL is a Go template with {{.ID}} (the remote site id); presets supply one.
	URL string `yaml:"url"`
	// Stations maps remote site ids to envwatch station codes; only these are requested.
	Stations     map[string]string `yaml:"stations"`
	APIKeyEnv    string            `yaml:"api_key_env"`
	APIKeyFile   string            `yaml:"api_key_file"`
	APIKeyHeader string            `yaml:"api_key_header"`
	APIKeyParam  string            `yaml:"api_key_param"`
	// MinInterval between requests (API quotas), e.g. 10m.
	MinInterval Duration `yaml:"min_interval"`
	// Generic mapping (paths like "results", "datetime.utc", "data.iaqi.pm25.v").
	Records    string            `yaml:"records"`
	Time       string            `yaml:"time"`
	Values     map[string]string `yaml:"values"` // pollutant code → path (wide records)
	Value      string            `yaml:"value"`  // long records: the value path …
	Sensor     string            `yaml:"sensor"` // … and the sensor id path mapped by sensors
	Sensors    map[string]string `yaml:"sensors"`
	Pollutant  string            `yaml:"pollutant"` // … or the parameter name mapped by pollutants
	Pollutants map[string]string `yaml:"pollutants"`
	// Units overrides the unit a pollutant is sent in: {co: ug/m3} ("ug/m3" or "mg/m3").
	// Default: GB 3095's units (µg/m³; CO mg/m³).
	Units map[string]string `yaml:"units"`
}

// WaterCSV reads manual or laboratory section results (docs/configuration.md).
type WaterCSV struct {
	Dir  string `yaml:"dir"`
	File string `yaml:"file"`
}

// HJ212 is a TCP server receiving HJ 212-2017 packets from stations.
type HJ212 struct {
	Listen string `yaml:"listen"` // default :8212
	// Limits against misbehaving or hostile clients.
	MaxConnections        int      `yaml:"max_connections"`             // default 512
	MaxConnectionsPerAddr int      `yaml:"max_connections_per_address"` // default 16
	MaxSegmentBytes       int      `yaml:"max_segment_bytes"`           // default 1024 (the standard's limit)
	ReadTimeout           Duration `yaml:"read_timeout"`                // a started packet must arrive within it; default 10s
	IdleTimeout           Duration `yaml:"idle_timeout"`                // silence before the connection is closed; default 10m
	// FirstPacketTimeout closes a connection that has not sent an authenticated packet
	// within it (default 10s): idle sockets cannot hold the per-address slots.
	FirstPacketTimeout Duration `yaml:"first_packet_timeout"`
	// MaxAuthFailures wrong passwords close a connection; as many for one MN from one
	// address within AuthWindow throttle that pair: one attempt examined per AuthBackoff,
	// doubling with every further failure up to MaxAuthBackoff.
	MaxAuthFailures int      `yaml:"max_auth_failures"`
	AuthWindow      Duration `yaml:"auth_window"`
	AuthBackoff     Duration `yaml:"auth_backoff"`
	MaxAuthBackoff  Duration `yaml:"max_auth_backoff"`
	// AllowedAddresses restricts clients to these CIDRs (empty: any).
	AllowedAddresses []CIDR `yaml:"allowed_addresses"`
	// UnlimitedNetworks are CIDRs exempt from max_connections_per_address: a 4G router
	// or NAT in front of many stations.
	UnlimitedNetworks []CIDR `yaml:"unlimited_networks"`
	// TLSCertFile and TLSKeyFile enable TLS on the receiver (optional: most data loggers
	// speak plain TCP).
	TLSCertFile string `yaml:"tls_cert_file"`
	TLSKeyFile  string `yaml:"tls_key_file"`
	// ValidFlags are the data flags that count for statistics (default [N]).
	ValidFlags []string      `yaml:"valid_flags"`
	Devices    []HJ212Device `yaml:"devices"`
}

// HJ212Device maps one data logger (MN) to a station or section.
type HJ212Device struct {
	MN string `yaml:"mn"`
	// Password (PW) the device must send; from password_env or password_file, or
	// password (discouraged: it then sits in the file). One is required unless auth is
	// "none".
	Password     string `yaml:"password"`
	PasswordEnv  string `yaml:"password_env"`
	PasswordFile string `yaml:"password_file"`
	// Auth is "password" (default) or "none": a device that sends no usable PW must say
	// so here; it is then logged at start and shown by envwatch_hj212_auth_disabled.
	Auth string `yaml:"auth"`
	Site string `yaml:"site"` // station or section code
	Kind string `yaml:"kind"` // air or water
	// Codes maps HJ 212 pollutant codes to envwatch codes, overriding the defaults
	// (air: a34004 pm2_5, a34002 pm10, a21026 so2, a21004 no2, a21005 co, a05024 o3;
	// water: the HJ 212 Table B.1 codes).
	Codes map[string]string `yaml:"codes"`
	// Units overrides the unit a code is sent in: "ug/m3" or "mg/m3" (air), "mg/L" or
	// "ug/L" (water). Ambient stations send µg/m³ (CO mg/m³) whatever the code table says.
	Units map[string]string `yaml:"units"`
}

// CNEMCCSV reads the CNEMC national hourly CSV format from a directory or a URL per hour.
type CNEMCCSV struct {
	// Dir is an archive or drop folder; every *.csv below it is read once (again when
	// its content changes).
	Dir string `yaml:"dir"`
	// URL is a Go template of the file of one hour, e.g.
	// https://host/Archive/{{.Local.Format "2006-01-02"}}/{{.Local.Format "2006-01-02T15"}}.csv
	URL string `yaml:"url"`
	// Preset is "auto" (default: each file's layout is detected), "cnemc" (the live feed's
	// layout: o3 is the 1-h ozone) or "heqinwill_archive" (ozone columns mislabelled).
	Preset string `yaml:"preset"`
	// Columns overrides the column of a pollutant: {o3: o3_24h}. Also time, station.
	Columns map[string]string `yaml:"columns"`
	// Units overrides the unit of a pollutant column: {co: ug/m3} ("ug/m3" or "mg/m3").
	// Default: CNEMC's units (µg/m³; CO mg/m³).
	Units map[string]string `yaml:"units"`
}

// RetryCount returns the configured retries or the default.
func (c *Source) RetryCount() int {
	if c.Retries == nil {
		return DefaultSourceRetries
	}
	return *c.Retries
}

// On reports whether the collector is enabled (default true).
func (c *Source) On() bool { return c.Enabled == nil || *c.Enabled }

// Simulate configures the demo source: deterministic readings for every station and
// section.
type Simulate struct {
	Seed uint64 `yaml:"seed"`
	// BackfillDays is how many days before now are filled at start (default 400).
	BackfillDays int `yaml:"backfill_days"`
}

// InfluxDB is the sink. Use bucket (+ org) for 2.x and 3.x, database (+ retention policy)
// for 1.8.
type InfluxDB struct {
	URL             string   `yaml:"url"`
	Org             string   `yaml:"org"`
	Bucket          string   `yaml:"bucket"`
	Database        string   `yaml:"database"`
	RetentionPolicy string   `yaml:"retention_policy"`
	TokenEnv        string   `yaml:"token_env"`
	TokenFile       string   `yaml:"token_file"`
	Timeout         Duration `yaml:"timeout"`
	BatchSize       int      `yaml:"batch_size"`
	// WriteConcurrency is the number of write requests in flight (default 2).
	WriteConcurrency int `yaml:"write_concurrency"`
	// Gzip compresses write requests: worth it over a slow link, a waste of CPU next to
	// the database (it cost a fifth of a national backfill's CPU on loopback).
	Gzip bool `yaml:"gzip"`
	// SpoolMaxBytes bounds the on-disk spool of batches InfluxDB did not take (default
	// 1 GiB). When full, new data is refused (counted, alerted); spooled data is kept.
	SpoolMaxBytes int64 `yaml:"spool_max_bytes"`
}

// WriteBucket is the bucket name the v2 write API takes: the bucket, or "db/rp" for 1.8.
func (c *InfluxDB) WriteBucket() string {
	if c.Bucket != "" {
		return c.Bucket
	}
	if c.RetentionPolicy != "" {
		return c.Database + "/" + c.RetentionPolicy
	}
	return c.Database
}

// Target holds an area's binding annual targets for one year. Every target is optional.
type Target struct {
	Area string `yaml:"area"`
	Year int    `yaml:"year"`
	// Annual means not to exceed, µg/m³.
	PM25 *Number `yaml:"pm25_target"`
	PM10 *Number `yaml:"pm10_target"`
	// Good days (AQI ≤ 100) at least, or good-day ratio (percent) at least.
	GoodDays     *int    `yaml:"good_days_target"`
	GoodDayRatio *Number `yaml:"good_day_ratio_target"`
	// Ozone exceedance days at most within the season (default May–September, Henan).
	O3ExceedanceDays *int    `yaml:"o3_exceedance_days_target"`
	O3Season         *Season `yaml:"o3_season"`
	// Heavy-pollution days (AQI > 200) at most; composite index at most.
	HeavyDays      *int    `yaml:"heavy_pollution_days_target"`
	CompositeIndex *Number `yaml:"composite_index_target"`
	// Year-over-year change at most, percent (−5 = fall by at least 5 %).
	PM25YoY *Number `yaml:"pm25_yoy_target"`
	PM10YoY *Number `yaml:"pm10_yoy_target"`
	// Water: share of compliant assessment sections and drinking-water sources, percent.
	SectionsCompliance *Number `yaml:"sections_compliance_target"`
	DrinkingWater      *Number `yaml:"drinking_water_compliance_target"`
	// Reported indicators come from a file, for the report lines envwatch does not measure.
	Reported []Reported `yaml:"reported"`
}

// Season is a recurring window "MM-DD".."MM-DD".
type Season struct {
	From string `yaml:"from"`
	To   string `yaml:"to"`
}

// Reported is an indicator whose value is supplied in a file (e.g. soil safe-use rate).
type Reported struct {
	Name      string  `yaml:"name"`
	Unit      string  `yaml:"unit"`
	Target    *Number `yaml:"target"`
	Direction string  `yaml:"direction"` // at_least or at_most
	File      string  `yaml:"file"`
}

// Number is an exact decimal read from YAML.
type Number struct{ fixed.Dec }

// AreaTree is the hierarchy of the configured areas.
func (c *Config) AreaTree() *areas.Tree {
	nodes := make([]areas.Node, 0, len(c.Areas))
	for _, a := range c.Areas {
		nodes = append(nodes, areas.Node{ID: a.ID, Parent: a.Parent})
	}
	return areas.New(nodes)
}
