package config

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"text/template"
	"time"

	"github.com/envwatch/envwatch/airquality"
)

// SourceKind is a source kind: its name (the value of `kind:` and the key of its option
// section) and whether a source sets that section.
type SourceKind struct {
	Name string
	Set  func(*Source) bool
}

// Kinds is every source kind this build knows, in the order messages list them. Adding a
// kind adds a row here (docs/design.md, "Adding things").
var Kinds = []SourceKind{
	{"cnemc_csv", func(s *Source) bool { return s.CNEMC != nil }},
	{"hj212", func(s *Source) bool { return s.HJ212 != nil }},
	{"http_json", func(s *Source) bool { return s.HTTPJSON != nil }},
	{"simulate", func(s *Source) bool { return s.Simulate != nil }},
	{"water_csv", func(s *Source) bool { return s.WaterCSV != nil }},
}

// knownKind reports whether name is a kind of Kinds.
func knownKind(name string) bool {
	for _, k := range Kinds {
		if k.Name == name {
			return true
		}
	}
	return false
}

func knownKinds() string {
	names := make([]string, 0, len(Kinds))
	for _, k := range Kinds {
		names = append(names, k.Name)
	}
	return strings.Join(names, ", ")
}

// kindSections reports which kind sections a source sets.
func (c *Source) kindSections() []string {
	var out []string
	for _, k := range Kinds {
		if k.Set(c) {
			out = append(out, k.Name)
		}
	}
	return out
}

func (c *Config) validateSources(v *validator) {
	names := map[string]bool{}
	for i, s := range c.Sources {
		p := path{"sources", i}
		if v.required(p, "name", s.Name) {
			if !identRe.MatchString(s.Name) {
				v.invalid(p.with("name"), "use letters, digits, '_', '-' and '.'")
			}
			v.unique(names, p, "name", s.Name, "duplicate source name")
		}
		if !v.required(p, "kind", s.Kind) {
			continue
		}
		if !knownKind(s.Kind) {
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
				v.oneOf(kp.with("preset"), k.Preset, "auto", "cnemc", "heqinwill_archive")
			}
			validateAirUnits(v, kp, k.Units)
			for key := range k.Columns {
				if key != "time" && key != "station" && !airquality.IsPollutantCode(key) {
					n, _ := v.node(kp.with("columns", key))
					v.errs = append(v.errs, &Error{File: v.file, Line: n.Line, Msg: fmt.Sprintf("%s: unknown field %q (want time, station, pm2_5, pm10, so2, no2, co or o3)", kp.with("columns"), key)})
				}
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
		{"auth_window", k.AuthWindow}, {"auth_backoff", k.AuthBackoff}, {"max_auth_backoff", k.MaxAuthBackoff}} {
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
			v.unique(mns, dp, "mn", d.MN, "duplicate MN")
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
		if !airquality.IsPollutantCode(code) {
			v.invalid(pp, "not a pollutant code (%s)", strings.Join(airquality.PollutantCodes(), ", "))
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
