package config

import (
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"
)

// CronParser is the parser schedules are validated with and run by: five fields or a
// descriptor (@hourly), optionally prefixed by CRON_TZ=.
var CronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

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

// unique reports val at p.key as a duplicate (msg) when seen already holds it, and adds it.
func (v *validator) unique(seen map[string]bool, p path, key, val, msg string) {
	if seen[val] {
		v.invalid(p.with(key), "%s", msg)
	}
	seen[val] = true
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
	a := c.Standards
	ap := path{"assessment"}
	v.oneOf(ap.with("aqi_standard"), a.AQIStandard, "auto", "2012", "2026")
	v.oneOf(ap.with("o3_1h_in_daily_aqi"), a.O3OneHourDaily, "default", "include", "exclude")
	v.oneOf(ap.with("realtime_aqi_missing"), a.RealtimeAQIMissing, "platform", "literal")
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
	if a.WaterMinMonthShare < 0 || a.WaterMinMonthShare > 1 {
		v.invalid(ap.with("water_min_month_share"), "must be a share between 0 and 1 (0.75: 9 of 12 months)")
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
		v.unique(areas, p, "id", ar.ID, "duplicate area id")
		v.required(p, "name", ar.Name)
		v.oneOf(p.with("kind"), ar.Kind, "country", "province", "city", "district", "county")
	}
	for i, ar := range c.Areas {
		if ar.Parent != "" && !areas[ar.Parent] {
			v.invalid(path{"areas", i, "parent"}, "no area with this id")
		}
		if ar.Parent == ar.ID && ar.ID != "" {
			v.invalid(path{"areas", i, "parent"}, "an area cannot be its own parent")
		}
	}
	if cycle := c.AreaTree().Cycle(); len(cycle) > 1 {
		for i, ar := range c.Areas {
			if ar.ID == cycle[0] {
				v.invalid(path{"areas", i, "parent"}, "the parents go round: %s", strings.Join(append(cycle, cycle[0]), " → "))
			}
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
			v.unique(codes, p, "code", s.Code, "duplicate station code")
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
			v.unique(codes, p, "code", s.Code, "duplicate section code")
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
			v.unique(codes, p, "code", s.Code, "duplicate code (sections and sources share codes)")
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
	c.validateSources(v)
	c.validateInflux(v)
	c.validateTargets(v, areas)
	c.validateAssessments(v, areas)
}
