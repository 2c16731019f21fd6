package config

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"
)

// CronParser is the parser schedules are validated with and run by: five fields or a
// descriptor (@hourly), optionally prefixed by CRON_TZ=.
var CronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Defaults documented in docs/configuration.md.
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
)

// DefaultHJ212 holds the receiver's defaults; a configured zero takes the default.
var DefaultHJ212 = HJ212{
	Listen:                ":8212",
	MaxConnections:        512,
	MaxConnectionsPerAddr: 16,
	MaxSegmentBytes:       1024, // the standard's limit
	ReadTimeout:           Duration(10 * time.Second),
	IdleTimeout:           Duration(10 * time.Minute),
	FirstPacketTimeout:    Duration(30 * time.Second),
	MaxAuthFailures:       3,
	AuthBackoff:           Duration(10 * time.Second),
	MaxAuthBackoff:        Duration(10 * time.Minute),
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
	dur(&k.AuthBackoff, d.AuthBackoff)
	dur(&k.MaxAuthBackoff, d.MaxAuthBackoff)
	if len(k.ValidFlags) == 0 {
		k.ValidFlags = append([]string(nil), d.ValidFlags...)
	}
}

// validateListen checks a host:port to listen on.
func validateListen(v *validator, p path, addr string) {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		v.invalid(p, "want host:port, e.g. :8212 or 10.0.0.5:8212")
		return
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		v.invalid(p, "port must be a number between 0 and 65535")
	}
}

// minEvery is the shortest "@every" schedule: robfig/cron silently runs anything
// shorter (even 0s) every second, a loop against the source rather than a schedule.
const minEvery = time.Second

// validateSchedule checks a schedule the way the scheduler will parse it.
func validateSchedule(v *validator, p path, spec string) {
	if _, err := CronParser.Parse(spec); err != nil {
		v.invalid(p, "%v", err)
		return
	}
	if rest, ok := strings.CutPrefix(strings.TrimSpace(spec), "@every "); ok {
		if d, err := time.ParseDuration(strings.TrimSpace(rest)); err != nil || d < minEvery {
			v.invalid(p, "@every needs an interval of at least %s", minEvery)
		}
	}
}

func (c *Config) applyDefaults() {
	if c.TimeZone == "" {
		c.TimeZone = DefaultTimeZone
	}
	if c.StateDir == "" {
		c.StateDir = DefaultStateDir
	}
	a := &c.Assessment
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&a.AQIStandard, "auto")
	def(&a.O3OneHourDaily, "default")
	def(&a.SandDustDay, "keep")
	def(&a.SandDustValidity, "excused")
	def(&a.Percentile, "interpolate")
	def(&a.O3Exceedance, "mda8")
	def(&a.EqualLimits, "best")
	def(&a.BelowDetection, "half")
	if a.MinStations == 0 {
		a.MinStations = 1
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
			c.InfluxDB.SpoolMaxBytes = 1 << 30
		}
	}
}

type validator struct {
	file string
	root *yaml.Node
	errs Errors
}

// path is a position in the document: keys (string) and list indices (int).
type path []any

func (p path) String() string {
	var b strings.Builder
	for _, e := range p {
		switch e := e.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", e)
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			fmt.Fprint(&b, e)
		}
	}
	return b.String()
}

func (p path) with(e ...any) path { return append(append(path(nil), p...), e...) }

// node finds the value node at p, or the deepest node found on the way.
func (v *validator) node(p path) (*yaml.Node, bool) {
	n := v.root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for _, e := range p {
		next := (*yaml.Node)(nil)
		switch e := e.(type) {
		case int:
			if n.Kind == yaml.SequenceNode && e < len(n.Content) {
				next = n.Content[e]
			}
		case string:
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == e {
						next = n.Content[i+1]
					}
				}
			}
		}
		if next == nil {
			return n, false
		}
		n = next
	}
	return n, true
}

// invalid reports an invalid value at p, quoting the value as written in the file.
func (v *validator) invalid(p path, why string, args ...any) {
	n, found := v.node(p)
	val := ""
	if found && n.Kind == yaml.ScalarNode {
		val = n.Value
	}
	v.errs = append(v.errs, &Error{File: v.file, Line: n.Line,
		Msg: fmt.Sprintf("%s: invalid value %q: %s", p, val, fmt.Sprintf(why, args...))})
}

// hasUserinfo reports whether a URL (or URL template) carries "user[:password]@" in its
// authority.
func hasUserinfo(s string) bool {
	_, rest, ok := strings.Cut(s, "://")
	if !ok {
		return false
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	return strings.Contains(rest, "@")
}

// secretInURL reports credentials written into a URL. The value is not quoted: the
// error would carry the password into logs and terminals.
func (v *validator) secretInURL(p path, instead string) {
	n, _ := v.node(p)
	v.errs = append(v.errs, &Error{File: v.file, Line: n.Line,
		Msg: fmt.Sprintf("%s: credentials in the URL are refused (they would reach logs and process lists); use %s", p, instead)})
}

// missing reports a required key that is absent.
func (v *validator) missing(p path, key string) {
	n, _ := v.node(p)
	v.errs = append(v.errs, &Error{File: v.file, Line: n.Line, Msg: fmt.Sprintf("%s: missing required key %q", p, key)})
}

func (v *validator) required(p path, key, val string) bool {
	if strings.TrimSpace(val) == "" {
		if n, found := v.node(p.with(key)); found && n.Kind == yaml.ScalarNode {
			v.invalid(p.with(key), "must not be empty")
		} else {
			v.missing(p, key)
		}
		return false
	}
	return true
}

func (v *validator) oneOf(p path, val string, allowed ...string) {
	for _, a := range allowed {
		if val == a {
			return
		}
	}
	v.invalid(p, "want one of %s", strings.Join(allowed, ", "))
}

var (
	identRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)
	dayRe   = regexp.MustCompile(`^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$`)
)

func (c *Config) validate(v *validator) {
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		v.invalid(path{"time_zone"}, "unknown time zone")
	}
	a := c.Assessment
	ap := path{"assessment"}
	v.oneOf(ap.with("aqi_standard"), a.AQIStandard, "auto", "2012", "2026")
	v.oneOf(ap.with("o3_1h_in_daily_aqi"), a.O3OneHourDaily, "default", "include", "exclude")
	v.oneOf(ap.with("sand_dust_day"), a.SandDustDay, "keep", "recompute")
	v.oneOf(ap.with("sand_dust_validity"), a.SandDustValidity, "excused", "missing")
	v.oneOf(ap.with("percentile"), a.Percentile, "interpolate", "nearest_rank")
	v.oneOf(ap.with("o3_exceedance"), a.O3Exceedance, "mda8", "primary", "mda8_or_1h")
	v.oneOf(ap.with("water_equal_limits"), a.EqualLimits, "best", "not_i")
	v.oneOf(ap.with("water_below_detection"), a.BelowDetection, "half", "limit", "zero")
	if a.MinStations < 1 {
		v.invalid(ap.with("min_stations"), "must be at least 1")
	}
	if a.YoYDecimals < 0 || a.YoYDecimals > 4 {
		v.invalid(ap.with("yoy_decimals"), "must be between 0 and 4")
	}

	areas := map[string]bool{}
	for i, ar := range c.Areas {
		p := path{"areas", i}
		if !v.required(p, "id", ar.ID) {
			continue
		}
		if !identRe.MatchString(ar.ID) {
			v.invalid(p.with("id"), "use letters, digits, '_', '-' and '.'")
		}
		if areas[ar.ID] {
			v.invalid(p.with("id"), "duplicate area id")
		}
		areas[ar.ID] = true
		v.required(p, "name", ar.Name)
		v.oneOf(p.with("kind"), ar.Kind, "province", "city", "district", "county")
	}
	for i, ar := range c.Areas {
		if ar.Parent != "" && !areas[ar.Parent] {
			v.invalid(path{"areas", i, "parent"}, "no area with this id")
		}
		if ar.Parent == ar.ID && ar.ID != "" {
			v.invalid(path{"areas", i, "parent"}, "an area cannot be its own parent")
		}
	}
	areaRef := func(p path, id string) {
		if v.required(p, "area", id) && !areas[id] {
			v.invalid(p.with("area"), "no area with this id")
		}
	}

	codes := map[string]bool{}
	for i, s := range c.Stations {
		p := path{"air_stations", i}
		if v.required(p, "code", s.Code) {
			if codes[s.Code] {
				v.invalid(p.with("code"), "duplicate station code")
			}
			codes[s.Code] = true
		}
		v.required(p, "name", s.Name)
		areaRef(p, s.Area)
		if s.Latitude < -90 || s.Latitude > 90 {
			v.invalid(p.with("latitude"), "must be between -90 and 90")
		}
		if s.Longitude < -180 || s.Longitude > 180 {
			v.invalid(p.with("longitude"), "must be between -180 and 180")
		}
	}
	codes = map[string]bool{}
	for i, s := range c.Sections {
		p := path{"water_sections", i}
		if v.required(p, "code", s.Code) {
			if codes[s.Code] {
				v.invalid(p.with("code"), "duplicate section code")
			}
			codes[s.Code] = true
		}
		v.required(p, "name", s.Name)
		areaRef(p, s.Area)
		v.oneOf(p.with("water_body"), s.WaterBody, "river", "lake")
		v.oneOf(p.with("level"), s.Level, "national", "provincial")
		if v.required(p, "target_class", s.TargetClass) {
			v.oneOf(p.with("target_class"), s.TargetClass, "I", "II", "III", "IV", "V")
		}
	}
	// Sources share the water site namespace with sections: samples name one or the other.
	for i, s := range c.DrinkingWaterSources {
		p := path{"drinking_water_sources", i}
		if v.required(p, "code", s.Code) {
			if codes[s.Code] {
				v.invalid(p.with("code"), "duplicate code (sections and sources share codes)")
			}
			codes[s.Code] = true
		}
		v.required(p, "name", s.Name)
		areaRef(p, s.Area)
		v.oneOf(p.with("water_body"), s.WaterBody, "river", "lake")
		if s.TargetClass != "" {
			v.oneOf(p.with("target_class"), s.TargetClass, "I", "II", "III")
		}
		if s.Volume < 0 {
			v.invalid(p.with("annual_volume"), "must not be negative")
		}
	}
	c.validateCollectors(v)
	c.validateInflux(v)
	c.validateTargets(v, areas)
	c.validateAssessments(v, areas)
}

// Kinds lists the collector kinds this build knows and their option keys.
var Kinds = map[string]string{"simulate": "simulate", "cnemc_csv": "cnemc_csv", "hj212": "hj212", "water_csv": "water_csv", "http_json": "http_json"}

func knownKinds() string {
	names := make([]string, 0, len(Kinds))
	for k := range Kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// kindSections reports which kind sections a collector sets.
func (c *Source) kindSections() []string {
	var out []string
	if c.Simulate != nil {
		out = append(out, "simulate")
	}
	if c.CNEMC != nil {
		out = append(out, "cnemc_csv")
	}
	if c.HJ212 != nil {
		out = append(out, "hj212")
	}
	if c.WaterCSV != nil {
		out = append(out, "water_csv")
	}
	if c.HTTPJSON != nil {
		out = append(out, "http_json")
	}
	return out
}

func (c *Config) validateCollectors(v *validator) {
	names := map[string]bool{}
	for i, s := range c.Sources {
		p := path{"sources", i}
		if v.required(p, "name", s.Name) {
			if !identRe.MatchString(s.Name) {
				v.invalid(p.with("name"), "use letters, digits, '_', '-' and '.'")
			}
			if names[s.Name] {
				v.invalid(p.with("name"), "duplicate source name")
			}
			names[s.Name] = true
		}
		if !v.required(p, "kind", s.Kind) {
			continue
		}
		if _, ok := Kinds[s.Kind]; !ok {
			v.invalid(p.with("kind"), "unknown source kind (known: %s)", knownKinds())
			continue
		}
		for _, k := range s.kindSections() {
			if k != s.Kind {
				n, _ := v.node(p.with(k))
				v.errs = append(v.errs, &Error{File: v.file, Line: n.Line, Msg: fmt.Sprintf("%s: section %q does not belong to kind %q", p.with(k), k, s.Kind)})
			}
		}
		if s.TimeZone != "" {
			if _, err := time.LoadLocation(s.TimeZone); err != nil {
				v.invalid(p.with("time_zone"), "unknown time zone")
			}
		}
		if s.Timestamps != "" {
			v.oneOf(p.with("timestamps"), s.Timestamps, "end", "start")
		}
		if s.Schedule != "" {
			validateSchedule(v, p.with("schedule"), s.Schedule)
		}
		if r := s.RetryCount(); r < 0 || r > 10 {
			v.invalid(p.with("retries"), "must be between 0 and 10")
		}
		switch s.Kind {
		case "simulate":
			if s.Simulate == nil {
				s.Simulate = &Simulate{Seed: DefaultSimulateSeed, BackfillDays: DefaultBackfillDays}
				c.Sources[i].Simulate = s.Simulate
			}
			if s.Simulate.BackfillDays < 0 || s.Simulate.BackfillDays > 3660 {
				v.invalid(p.with("simulate", "backfill_days"), "must be between 0 and 3660")
			}
		case "hj212":
			c.validateHJ212(v, p.with("hj212"), s.HJ212, p)
		case "http_json":
			validateHTTPJSON(v, p, s.HTTPJSON, c.Stations)
		case "water_csv":
			k := s.WaterCSV
			switch {
			case k == nil:
				v.missing(p, "water_csv")
			case k.Dir == "" && k.File == "":
				v.missing(p.with("water_csv"), "dir")
			case k.Dir != "" && k.File != "":
				v.invalid(p.with("water_csv", "file"), "set either dir or file, not both")
			}
		case "cnemc_csv":
			k := s.CNEMC
			kp := p.with("cnemc_csv")
			if k == nil {
				v.missing(p, "cnemc_csv")
				continue
			}
			switch {
			case k.Dir == "" && k.URL == "":
				v.missing(kp, "dir")
			case k.Dir != "" && k.URL != "":
				v.invalid(kp.with("url"), "set either dir or url, not both")
			}
			if k.URL != "" {
				if _, err := template.New("url").Parse(k.URL); err != nil {
					v.invalid(kp.with("url"), "not a valid template: %v", err)
				}
				if hasUserinfo(k.URL) {
					v.secretInURL(kp.with("url"), "a file source or an HTTP proxy that authenticates")
				}
			}
			if k.Preset != "" {
				v.oneOf(kp.with("preset"), k.Preset, "cnemc", "heqinwill_archive")
			}
			validateAirUnits(v, kp, k.Units)
			for key := range k.Columns {
				switch key {
				case "time", "station", "pm2_5", "pm10", "so2", "no2", "co", "o3":
				default:
					n, _ := v.node(kp.with("columns", key))
					v.errs = append(v.errs, &Error{File: v.file, Line: n.Line, Msg: fmt.Sprintf("%s: unknown field %q (want time, station, pm2_5, pm10, so2, no2, co or o3)", kp.with("columns"), key)})
				}
			}
		}
	}
}

func (c *Config) validateInflux(v *validator) {
	in := c.InfluxDB
	if in == nil {
		return
	}
	p := path{"influxdb"}
	if v.required(p, "url", in.URL) {
		u, err := url.Parse(in.URL)
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			v.invalid(p.with("url"), "want an http:// or https:// URL")
		case u.User != nil:
			v.secretInURL(p.with("url"), "token_env or token_file (an API token, or \"user:password\" for InfluxDB 1.8)")
		}
	}
	switch {
	case in.Bucket == "" && in.Database == "":
		v.missing(p, "bucket")
	case in.Bucket != "" && in.Database != "":
		v.invalid(p.with("database"), "set either bucket (2.x/3.x) or database (1.8), not both")
	case in.RetentionPolicy != "" && in.Database == "":
		v.invalid(p.with("retention_policy"), "retention_policy goes with database (1.8)")
	}
	if in.TokenEnv != "" && in.TokenFile != "" {
		v.invalid(p.with("token_file"), "set either token_env or token_file, not both")
	}
	if in.BatchSize < 1 || in.BatchSize > 100000 {
		v.invalid(p.with("batch_size"), "must be between 1 and 100000")
	}
	if in.Timeout < 0 {
		v.invalid(p.with("timeout"), "must not be negative")
	}
	if in.WriteConcurrency < 0 || in.WriteConcurrency > 16 {
		v.invalid(p.with("write_concurrency"), "must be between 0 and 16")
	}
	if in.SpoolMaxBytes < 1<<20 {
		v.invalid(p.with("spool_max_bytes"), "must be at least 1048576 (1 MiB)")
	}
}

func (c *Config) validateTargets(v *validator, areas map[string]bool) {
	seen := map[string]bool{}
	for i, t := range c.Targets {
		p := path{"targets", i}
		if v.required(p, "area", t.Area) && !areas[t.Area] {
			v.invalid(p.with("area"), "no area with this id")
		}
		if t.Year < 2013 || t.Year > 2100 {
			if _, found := v.node(p.with("year")); found {
				v.invalid(p.with("year"), "must be between 2013 and 2100")
			} else {
				v.missing(p, "year")
			}
		}
		key := t.Area + "/" + strconv.Itoa(t.Year)
		if seen[key] {
			v.invalid(p.with("year"), "a second target set for area %q and year %d", t.Area, t.Year)
		}
		seen[key] = true
		nonNeg := func(key string, n *Number) {
			if n != nil && n.Dec < 0 {
				v.invalid(p.with(key), "must not be negative")
			}
		}
		percent := func(key string, n *Number) {
			if n != nil && (n.Dec < 0 || n.Dec > 100*1e9) {
				v.invalid(p.with(key), "a percentage between 0 and 100")
			}
		}
		days := func(key string, n *int) {
			if n != nil && (*n < 0 || *n > 366) {
				v.invalid(p.with(key), "a number of days between 0 and 366")
			}
		}
		nonNeg("pm25_target", t.PM25)
		nonNeg("pm10_target", t.PM10)
		nonNeg("composite_index_target", t.CompositeIndex)
		percent("good_day_ratio_target", t.GoodDayRatio)
		percent("sections_compliance_target", t.SectionsCompliance)
		percent("drinking_water_compliance_target", t.DrinkingWater)
		days("good_days_target", t.GoodDays)
		days("o3_exceedance_days_target", t.O3ExceedanceDays)
		days("heavy_pollution_days_target", t.HeavyDays)
		if s := t.O3Season; s != nil {
			if !dayRe.MatchString(s.From) {
				v.invalid(p.with("o3_season", "from"), "want MM-DD")
			}
			if !dayRe.MatchString(s.To) {
				v.invalid(p.with("o3_season", "to"), "want MM-DD")
			}
		}
		for j, r := range t.Reported {
			rp := p.with("reported", j)
			v.required(rp, "name", r.Name)
			if r.Direction != "" {
				v.oneOf(rp.with("direction"), r.Direction, "at_least", "at_most")
			}
		}
	}
}

func (c *Config) validateHJ212(v *validator, kp path, k *HJ212, p path) {
	if k == nil {
		v.missing(p, "hj212")
		return
	}
	validateListen(v, kp.with("listen"), k.Listen)
	if k.MaxConnections < 1 {
		v.invalid(kp.with("max_connections"), "must be at least 1")
	}
	if k.MaxConnectionsPerAddr < 1 {
		v.invalid(kp.with("max_connections_per_address"), "must be at least 1")
	}
	if k.MaxAuthFailures < 1 || k.MaxAuthFailures > 100 {
		v.invalid(kp.with("max_auth_failures"), "must be between 1 and 100")
	}
	for _, d := range []struct {
		key string
		d   Duration
	}{{"read_timeout", k.ReadTimeout}, {"idle_timeout", k.IdleTimeout}, {"first_packet_timeout", k.FirstPacketTimeout},
		{"auth_backoff", k.AuthBackoff}, {"max_auth_backoff", k.MaxAuthBackoff}} {
		if d.d < Duration(time.Second) {
			v.invalid(kp.with(d.key), "must be at least 1s")
		}
	}
	if k.MaxAuthBackoff < k.AuthBackoff {
		v.invalid(kp.with("max_auth_backoff"), "must not be shorter than auth_backoff (%s)", k.AuthBackoff)
	}
	if k.MaxSegmentBytes < 64 || k.MaxSegmentBytes > 65536 {
		v.invalid(kp.with("max_segment_bytes"), "must be between 64 and 65536")
	}
	if (k.TLSCertFile == "") != (k.TLSKeyFile == "") {
		v.invalid(kp.with("tls_key_file"), "set both tls_cert_file and tls_key_file, or neither")
	}
	for i, a := range k.AllowedAddresses {
		if _, _, err := net.ParseCIDR(a); err != nil {
			v.invalid(kp.with("allowed_addresses", i), "want a CIDR such as 10.0.0.0/8")
		}
	}
	for i, a := range k.UnlimitedNetworks {
		if _, _, err := net.ParseCIDR(a); err != nil {
			v.invalid(kp.with("unlimited_networks", i), "want a CIDR such as 10.0.0.0/8")
		}
	}
	sites := map[string]string{}
	for _, s := range c.Stations {
		sites[s.Code] = "air"
	}
	for _, s := range c.Sections {
		sites[s.Code] = "water"
	}
	mns := map[string]bool{}
	for i, d := range k.Devices {
		dp := kp.with("devices", i)
		if v.required(dp, "mn", d.MN) {
			if mns[d.MN] {
				v.invalid(dp.with("mn"), "duplicate MN")
			}
			mns[d.MN] = true
		}
		set := 0
		for _, x := range []string{d.Password, d.PasswordEnv, d.PasswordFile} {
			if x != "" {
				set++
			}
		}
		if set > 1 {
			v.invalid(dp.with("password_file"), "set one of password, password_env and password_file")
		}
		switch d.Auth {
		case "", "password":
			// Authentication is never off by omission: a device without a password is a
			// configuration error unless it says auth: none.
			switch {
			case set == 0:
				v.invalid(dp.with("mn"), "no password: set password_env or password_file (or auth: none for a logger that sends no usable PW)")
			case d.PasswordEnv != "" && os.Getenv(d.PasswordEnv) == "":
				v.invalid(dp.with("password_env"), "the environment variable is not set or empty")
			case d.PasswordFile != "":
				if b, err := os.ReadFile(d.PasswordFile); err != nil {
					v.invalid(dp.with("password_file"), "cannot read the file: %v", err)
				} else if strings.TrimSpace(string(b)) == "" {
					v.invalid(dp.with("password_file"), "the file is empty")
				}
			}
		case "none":
			if set > 0 {
				v.invalid(dp.with("auth"), "auth: none with a password configured; remove one of them")
			}
		default:
			v.oneOf(dp.with("auth"), d.Auth, "password", "none")
		}
		v.oneOf(dp.with("kind"), d.Kind, "air", "water")
		if v.required(dp, "site", d.Site) {
			if kind, ok := sites[d.Site]; !ok {
				v.invalid(dp.with("site"), "no air station or water section with this code")
			} else if d.Kind != "" && kind != d.Kind {
				v.invalid(dp.with("site"), "is a %s site, the device is %s", kind, d.Kind)
			}
		}
		for code, u := range d.Units {
			u = CanonicalUnit(u)
			if d.Kind == "air" && u != "ug/m3" && u != "mg/m3" || d.Kind == "water" && u != "mg/L" && u != "ug/L" {
				v.invalid(dp.with("units", code), "unsupported unit")
			}
		}
	}
}

var pathRe = regexp.MustCompile(`^([A-Za-z0-9_$@-]+(\[\d+\])*)(\.[A-Za-z0-9_$@-]+(\[\d+\])*)*$`)

func validateHTTPJSON(v *validator, p path, k *HTTPJSON, stations []Station) {
	kp := p.with("http_json")
	if k == nil {
		v.missing(p, "http_json")
		return
	}
	known := map[string]bool{}
	for _, s := range stations {
		known[s.Code] = true
	}
	if len(k.Stations) == 0 {
		v.missing(kp, "stations")
	}
	for id, code := range k.Stations {
		if !known[code] {
			v.invalid(kp.with("stations", id), "no air station with this code")
		}
	}
	if k.APIKeyEnv != "" && k.APIKeyFile != "" {
		v.invalid(kp.with("api_key_file"), "set either api_key_env or api_key_file, not both")
	}
	validateAirUnits(v, kp, k.Units)
	if k.Preset == "waqi_city" && len(k.Units) > 0 {
		n, _ := v.node(kp.with("units"))
		v.errs = append(v.errs, &Error{File: v.file, Line: n.Line, Msg: fmt.Sprintf("%s: not with preset waqi_city (it reads US AQI sub-indices, not concentrations)", kp.with("units"))})
	}
	pollutant := func(pp path, code string) {
		switch code {
		case "pm2_5", "pm10", "so2", "no2", "co", "o3":
		default:
			v.invalid(pp, "not a pollutant code (pm2_5, pm10, so2, no2, co, o3)")
		}
	}
	checkPath := func(key, val string) {
		if val != "" && !pathRe.MatchString(val) {
			v.invalid(kp.with(key), "not a path (keys separated by '.', indices in [])")
		}
	}
	switch k.Preset {
	case "openaq_v3_latest":
		if len(k.Sensors) == 0 {
			v.missing(kp, "sensors")
		}
	case "waqi_city":
	case "":
		if k.URL == "" {
			v.missing(kp, "url")
		}
		if k.Time == "" {
			v.missing(kp, "time")
		}
		if len(k.Values) == 0 && k.Value == "" {
			v.missing(kp, "values")
		}
		if k.Value != "" && k.Sensor == "" && k.Pollutant == "" {
			v.missing(kp, "pollutant")
		}
		for key, val := range map[string]string{"records": k.Records, "time": k.Time, "value": k.Value, "sensor": k.Sensor, "pollutant": k.Pollutant} {
			checkPath(key, val)
		}
		for code, val := range k.Values {
			pollutant(kp.with("values", code), code)
			if !pathRe.MatchString(val) {
				v.invalid(kp.with("values", code), "not a path")
			}
		}
	default:
		v.oneOf(kp.with("preset"), k.Preset, "openaq_v3_latest", "waqi_city")
	}
	if k.URL != "" {
		if _, err := template.New("url").Parse(k.URL); err != nil {
			v.invalid(kp.with("url"), "not a valid template: %v", err)
		}
		if hasUserinfo(k.URL) {
			v.secretInURL(kp.with("url"), "api_key_env or api_key_file with api_key_header or api_key_param")
		}
	}
	for id, code := range k.Sensors {
		pollutant(kp.with("sensors", id), code)
	}
	for name, code := range k.Pollutants {
		pollutant(kp.with("pollutants", name), code)
	}
}

// validateAirUnits checks a pollutant → unit map. Units are explicit so that a feed in
// mg/m³ is converted rather than read as a thousand times cleaner air.
func validateAirUnits(v *validator, p path, units map[string]string) {
	for code, unit := range units {
		pol, ok := airquality.ParsePollutant(code)
		if !ok || code == "pm25" {
			n, _ := v.node(p.with("units", code))
			v.errs = append(v.errs, &Error{File: v.file, Line: n.Line, Msg: fmt.Sprintf("%s: unknown pollutant %q (want pm2_5, pm10, so2, no2, co or o3)", p.with("units"), code)})
			continue
		}
		if _, err := airquality.NewUnitConverter(pol, unit); err != nil {
			v.invalid(p.with("units", code), "unsupported unit (want ug/m3 or mg/m3)")
		}
	}
}

var unitSpellings = strings.NewReplacer("µ", "u", "μ", "u", "³", "3")

// CanonicalUnit writes a concentration unit in ASCII ("µg/m³" → "ug/m3"): configuration
// files and instrument manuals use both.
func CanonicalUnit(u string) string { return unitSpellings.Replace(u) }
