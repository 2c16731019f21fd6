package config

import (
	"net/url"
	"strconv"
)

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
