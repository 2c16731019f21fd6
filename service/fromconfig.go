package service

// A configuration translated into envwatch's domain values: the indicator calculator with
// its areas, water sites, standards options, targets and monthly assessments, reading the
// files a configuration names (sand-dust days, reported indicators). The configuration
// has been validated; what can still fail here is a file.

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math/big"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/assessment"
	"github.com/envwatch/envwatch/config"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/indicator"
	"github.com/envwatch/envwatch/waterquality"
)

// calculatorFor builds the indicator calculator of a configuration over the engines' data.
// It reads the files the configuration names (sand-dust days, reported indicators).
func calculatorFor(cfg *config.Config, air indicator.AirData, water indicator.WaterData) (*indicator.Calculator, error) {
	c := &indicator.Calculator{Air: air, Water: water}
	for _, a := range cfg.Areas {
		c.Areas = append(c.Areas, indicator.Area{ID: a.ID, Name: a.Name, Parent: a.Parent, Kind: a.Kind})
	}
	for _, sec := range cfg.Sections {
		body, _ := waterquality.ParseBody(sec.WaterBody)
		cls, _ := waterquality.ParseClass(sec.TargetClass)
		c.Sites = append(c.Sites, indicator.WaterSite{Code: sec.Code, Name: sec.Name, Area: sec.Area, River: sec.River, Level: sec.Level, Body: body, Target: cls})
	}
	for _, src := range cfg.DrinkingWaterSources {
		body, _ := waterquality.ParseBody(src.WaterBody)
		var vol *big.Rat
		if src.Volume > 0 {
			vol = new(big.Rat).SetFloat64(src.Volume)
		}
		c.Sites = append(c.Sites, indicator.WaterSite{Code: src.Code, Name: src.Name, Area: src.Area, Body: body, Target: waterquality.ClassIII, Source: true, Volume: vol})
	}
	opt, err := indicatorOptions(cfg)
	if err != nil {
		return nil, err
	}
	c.Opt = opt
	for _, t := range cfg.Targets {
		spec, err := specOf(t)
		if err != nil {
			return nil, err
		}
		c.Specs = append(c.Specs, spec)
	}
	for _, as := range cfg.Assessments {
		c.Assessments = append(c.Assessments, assessSpec(as))
	}
	return c, nil
}

// assessSpec translates a configured assessment into the calculator's terms.
func assessSpec(as config.Assessed) indicator.AssessSpec {
	spec := indicator.AssessSpec{Area: as.Area, UnitKind: as.Units}
	rankBy := as.RankBy
	if len(rankBy) == 0 {
		rankBy = config.DefaultRankBy
	}
	for _, f := range rankBy {
		spec.RankBy = append(spec.RankBy, assessment.Factor(f))
	}
	num := func(n *config.Number) *big.Rat {
		if n == nil {
			return nil
		}
		return n.Dec.Rat()
	}
	tiers := func(ts []config.SchemeTier) []assessment.Tier {
		var out []assessment.Tier
		for _, t := range ts {
			out = append(out, assessment.Tier{From: num(t.From), To: num(t.To), Rate: num(t.Rate), Amount: num(t.Amount)})
		}
		return out
	}
	for _, sc := range as.Schemes {
		s := indicator.SchemeSpec{Period: sc.Period, Sections: sc.Scope == "sections", MoneyUnit: sc.MoneyUnit, AlertAbove: num(sc.AlertAbove)}
		if s.Period == "" {
			s.Period = "month"
		}
		if s.MoneyUnit == "" {
			s.MoneyUnit = "万元"
		}
		s.Scheme = assessment.Scheme{Name: sc.Name, Factor: assessment.Factor(sc.Factor), Base: assessment.BaseKind(sc.Base),
			BaseValue: num(sc.BaseValue), BaseDecimals: sc.BaseDecimals, Difference: assessment.DiffAbsolute,
			Pay: tiers(sc.Pay), Receive: tiers(sc.Receive), Cap: num(sc.Cap), Step: num(sc.MoneyStep), Exclude: map[string]bool{}}
		if sc.Difference == "multiple" {
			s.Difference = assessment.DiffMultiple
		}
		s.Multiplier = len(sc.Pay) > 0 && sc.Pay[0].Amount != nil
		for _, u := range sc.Exclude {
			s.Exclude[u] = true
		}
		spec.Schemes = append(spec.Schemes, s)
	}
	return spec
}

// indicatorOptions are the standards choices of the configuration's assessment section, with the
// sand-dust days of its sand_dust_file.
func indicatorOptions(cfg *config.Config) (indicator.Options, error) {
	a := cfg.Standards
	var o indicator.Options
	v, _ := airquality.ParseVersion(a.AQIStandard)
	o.Period.AQI = airquality.AQIOptions{Version: v, O3OneHour: map[string]airquality.O3OneHourRule{"default": airquality.O3OneHourDefault,
		"include": airquality.O3OneHourInclude, "exclude": airquality.O3OneHourExclude}[a.O3OneHourDaily],
		HourlyNA: airquality.HourlyNARules[a.RealtimeAQIMissing]}
	o.Period.SandMissing = a.SandDustValidity == "missing"
	if a.SandDustDay == "recompute" {
		o.Period.SandDay = airquality.SandRecompute
	}
	if a.Percentile == "nearest_rank" {
		o.Period.Percentile = airquality.PercentileNearestRank
	}
	o.Period.O3Exceed = map[string]airquality.O3ExceedanceRule{"mda8": airquality.O3ExceedMDA8, "primary": airquality.O3ExceedPrimary,
		"mda8_or_1h": airquality.O3ExceedMDA8Or1h}[a.O3Exceedance]
	o.Water.BelowDetection, _ = waterquality.ParseDetectionRule(a.BelowDetection)
	if a.EqualLimits == "not_i" {
		o.Water.EqualLimits = waterquality.EqualLimitsNotI
	}
	o.YoYDecimals = a.YoYDecimals
	o.WaterMinMonthShare = a.WaterMinMonthShare
	if a.SandDustFile != "" {
		sd, err := readSandDust(a.SandDustFile)
		if err != nil {
			return o, err
		}
		o.SandDust = sd
	}
	return o, nil
}

// readSandDust reads "area,date[,pollutants]" rows.
func readSandDust(path string) (map[string]map[airquality.Day]airquality.SandMask, error) {
	b, err := readSmall(path)
	if err != nil {
		return nil, fmt.Errorf("sand-dust file: %w", err)
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	r.Comment = '#'
	out := map[string]map[airquality.Day]airquality.SandMask{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		line, _ := r.FieldPos(0) // only after a successful Read: it panics otherwise
		if len(rec) < 2 || rec[0] == "area" {
			continue
		}
		d, err := airquality.ParseDay(strings.TrimSpace(rec[1]))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: column \"date\": invalid value %q: want YYYY-MM-DD", path, line, rec[1])
		}
		mask := airquality.SandBoth
		if len(rec) > 2 && strings.TrimSpace(rec[2]) != "" {
			mask = 0
			for _, p := range strings.Split(rec[2], "+") {
				switch strings.TrimSpace(p) {
				case "pm10":
					mask |= airquality.SandPM10
				case "pm2_5":
					mask |= airquality.SandPM25
				default:
					return nil, fmt.Errorf("%s:%d: column \"pollutants\": invalid value %q: want pm10, pm2_5 or pm10+pm2_5", path, line, rec[2])
				}
			}
		}
		area := strings.TrimSpace(rec[0])
		if out[area] == nil {
			out[area] = map[airquality.Day]airquality.SandMask{}
		}
		out[area][d] |= mask
	}
	return out, nil
}

// decPtr is a configured number as the calculator takes it (nil: not configured).
func decPtr(n *config.Number) *fixed.Dec {
	if n == nil {
		return nil
	}
	d := n.Dec
	return &d
}

// specOf translates a year's targets, reading the values of reported indicators.
func specOf(t config.Target) (indicator.Spec, error) {
	s := indicator.Spec{Area: t.Area, Year: t.Year, PM25: decPtr(t.PM25), PM10: decPtr(t.PM10), GoodDays: t.GoodDays,
		GoodDayRatio: decPtr(t.GoodDayRatio), O3ExceedanceDays: t.O3ExceedanceDays, HeavyDays: t.HeavyDays,
		Composite: decPtr(t.CompositeIndex), PM25YoY: decPtr(t.PM25YoY), PM10YoY: decPtr(t.PM10YoY),
		SectionsCompliance: decPtr(t.SectionsCompliance), DrinkingWater: decPtr(t.DrinkingWater)}
	if t.O3Season != nil {
		fm, fd, _ := parseMonthDay(t.O3Season.From)
		tm, td, _ := parseMonthDay(t.O3Season.To)
		s.O3Season = &airquality.Season{FromMonth: fm, FromDay: fd, ToMonth: tm, ToDay: td}
	}
	for _, r := range t.Reported {
		rep := indicator.Reported{Name: r.Name, Unit: r.Unit, Target: decPtr(r.Target)}
		if r.Direction == "at_least" {
			rep.Direction = indicator.AtLeast
		}
		if r.File != "" {
			v, err := readReported(r.File, t.Year)
			if err != nil {
				return s, fmt.Errorf("reported indicator %q: %w", r.Name, err)
			}
			rep.Value = v
		}
		s.Reported = append(s.Reported, rep)
	}
	return s, nil
}

func parseMonthDay(s string) (time.Month, int, error) {
	t, err := time.Parse("01-02", s)
	return t.Month(), t.Day(), err
}

// readReported reads the value of a year from a "year,value" CSV (nil when absent).
func readReported(path string, year int) (*fixed.Dec, error) {
	b, err := readSmall(path)
	if err != nil {
		return nil, err
	}
	for i, line := range strings.Split(string(b), "\n") {
		y, v, ok := strings.Cut(strings.TrimSpace(line), ",")
		if !ok || y == "year" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(y))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: column \"year\": invalid value %q", path, i+1, y)
		}
		if n != year {
			continue
		}
		d, err := fixed.Parse(strings.TrimSpace(v))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: column \"value\": invalid value %q", path, i+1, v)
		}
		return &d, nil
	}
	return nil, nil
}

// maxReferenced bounds a file the configuration refers to: a year per line, or a day per
// area and line, is far below it; anything larger is a wrong path, refused before reading.
const maxReferenced = 8 << 20

// readSmall reads a referenced file after checking its size.
func readSmall(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > maxReferenced {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d a referenced file may hold", path, st.Size(), maxReferenced)
	}
	return os.ReadFile(path)
}
