package config

import "time"

// Defaults: what an absent key (or a configured zero) means, declared beside the types they
// fill and applied in one place, before validation (docs/configuration.md lists them).
const (
	DefaultTimeZone       = "Asia/Shanghai"
	DefaultStateDir       = "./var/state"
	DefaultInfluxTimeout  = 10 * time.Second
	DefaultBatchSize      = 5000
	DefaultSourceTimeout  = 2 * time.Minute
	DefaultSourceRetries  = 2
	DefaultSourceLookback = 6 * time.Hour
	DefaultBackfillDays   = 400
	DefaultSimulateSeed   = 2022
	// DefaultSpoolMaxBytes bounds the InfluxDB spool in the state store (1 GiB).
	DefaultSpoolMaxBytes = 1 << 30
)

// DefaultStandards is the assessment section of a configuration that sets none: the
// standards' own rules where they leave no choice, their first reading where they do
// (docs/standards.md, "Choices").
var DefaultStandards = Standards{
	AQIStandard:        "auto",
	O3OneHourDaily:     "default",
	RealtimeAQIMissing: "platform",
	MinStations:        1,
	SandDustDay:        "keep",
	SandDustValidity:   "excused",
	Percentile:         "interpolate",
	O3Exceedance:       "mda8",
	EqualLimits:        "best",
	BelowDetection:     "half",
	WaterMinMonthShare: 0.75,
}

// DefaultHJ212 holds the receiver's defaults; a configured zero takes the default.
var DefaultHJ212 = HJ212{
	Listen:                ":8212",
	MaxConnections:        512,
	MaxConnectionsPerAddr: 16,
	MaxSegmentBytes:       1024, // the standard's limit
	ReadTimeout:           Duration(10 * time.Second),
	IdleTimeout:           Duration(10 * time.Minute),
	FirstPacketTimeout:    Duration(10 * time.Second),
	MaxAuthFailures:       3,
	AuthWindow:            Duration(time.Hour),
	AuthBackoff:           Duration(10 * time.Second),
	MaxAuthBackoff:        Duration(time.Minute),
	ValidFlags:            []string{"N"},
}

// defaults fills the zero fields of k from DefaultHJ212.
func (k *HJ212) defaults() {
	d := DefaultHJ212
	str := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	num := func(n *int, v int) {
		if *n == 0 {
			*n = v
		}
	}
	dur := func(x *Duration, v Duration) {
		if *x == 0 {
			*x = v
		}
	}
	str(&k.Listen, d.Listen)
	num(&k.MaxConnections, d.MaxConnections)
	num(&k.MaxConnectionsPerAddr, d.MaxConnectionsPerAddr)
	num(&k.MaxSegmentBytes, d.MaxSegmentBytes)
	num(&k.MaxAuthFailures, d.MaxAuthFailures)
	dur(&k.ReadTimeout, d.ReadTimeout)
	dur(&k.IdleTimeout, d.IdleTimeout)
	dur(&k.FirstPacketTimeout, d.FirstPacketTimeout)
	dur(&k.AuthWindow, d.AuthWindow)
	dur(&k.AuthBackoff, d.AuthBackoff)
	dur(&k.MaxAuthBackoff, d.MaxAuthBackoff)
	if len(k.ValidFlags) == 0 {
		k.ValidFlags = append([]string(nil), d.ValidFlags...)
	}
}
func (c *Config) applyDefaults() {
	if c.TimeZone == "" {
		c.TimeZone = DefaultTimeZone
	}
	if c.StateDir == "" {
		c.StateDir = DefaultStateDir
	}
	a, d := &c.Standards, DefaultStandards
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&a.AQIStandard, d.AQIStandard)
	def(&a.O3OneHourDaily, d.O3OneHourDaily)
	def(&a.RealtimeAQIMissing, d.RealtimeAQIMissing)
	def(&a.SandDustDay, d.SandDustDay)
	def(&a.SandDustValidity, d.SandDustValidity)
	def(&a.Percentile, d.Percentile)
	def(&a.O3Exceedance, d.O3Exceedance)
	def(&a.EqualLimits, d.EqualLimits)
	def(&a.BelowDetection, d.BelowDetection)
	if a.MinStations == 0 {
		a.MinStations = d.MinStations
	}
	if a.WaterMinMonthShare == 0 {
		a.WaterMinMonthShare = d.WaterMinMonthShare
	}
	for i := range c.Sources {
		s := &c.Sources[i]
		if s.HJ212 != nil {
			s.HJ212.defaults()
		}
		if s.Timeout == 0 {
			s.Timeout = Duration(DefaultSourceTimeout)
		}
		if s.Lookback == 0 {
			s.Lookback = Duration(DefaultSourceLookback)
		}
		if s.Kind == "simulate" && s.Simulate == nil {
			s.Simulate = &Simulate{}
		}
		if s.Simulate != nil {
			if s.Simulate.BackfillDays == 0 {
				s.Simulate.BackfillDays = DefaultBackfillDays
			}
			if s.Simulate.Seed == 0 {
				s.Simulate.Seed = DefaultSimulateSeed
			}
		}
	}
	if c.InfluxDB != nil {
		if c.InfluxDB.Timeout == 0 {
			c.InfluxDB.Timeout = Duration(DefaultInfluxTimeout)
		}
		if c.InfluxDB.BatchSize == 0 {
			c.InfluxDB.BatchSize = DefaultBatchSize
		}
		if c.InfluxDB.SpoolMaxBytes == 0 {
			c.InfluxDB.SpoolMaxBytes = DefaultSpoolMaxBytes
		}
	}
}
