package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"math/big"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/assessment"
	"github.com/envwatch/envwatch/config"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/indicator"
	"github.com/envwatch/envwatch/metrics"
	"github.com/envwatch/envwatch/waterquality"
)

// calculator builds the target calculator of a configuration.
func (s *stack) calculator() (*indicator.Calculator, error) {
	cfg := s.cfg
	c := &indicator.Calculator{Air: s.pl, Water: s.pl}
	for _, a := range cfg.Areas {
		c.Areas = append(c.Areas, indicator.Area{ID: a.ID, Name: a.Name, Parent: a.Parent})
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
	opt, err := assessmentOptions(cfg)
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
	spec := indicator.AssessSpec{Area: as.Area}
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

func assessmentOptions(cfg *config.Config) (indicator.Options, error) {
	a := cfg.Assessment
	var o indicator.Options
	v, _ := airquality.ParseVersion(a.AQIStandard)
	o.Period.AQI = airquality.AQIOptions{Version: v, O3OneHour: map[string]airquality.O3OneHourRule{"default": airquality.O3OneHourDefault,
		"include": airquality.O3OneHourInclude, "exclude": airquality.O3OneHourExclude}[a.O3OneHourDaily]}
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
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sand-dust file: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
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

func decPtr(n *config.Number) *fixed.Dec {
	if n == nil {
		return nil
	}
	d := n.Dec
	return &d
}

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
	b, err := os.ReadFile(path)
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

// snapshotCache computes the target snapshot at most once per ttl, so one scrape renders
// one consistent snapshot and frequent scrapes stay cheap.
type snapshotCache struct {
	mu   sync.Mutex
	calc *indicator.Calculator
	ttl  time.Duration
	now  func() time.Time
	last indicator.Snapshot
	at   time.Time
}

func (c *snapshotCache) get() indicator.Snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if c.at.IsZero() || now.Sub(c.at) >= c.ttl {
		// Through the data end, at most yesterday: today's daily values are not complete.
		asOf := airquality.DayOf(now) - 1
		c.last, c.at = c.calc.ComputeLatest(asOf, now), now
	}
	return c.last
}

// domainCollectors are the collectors of the domain exposition: station and area air,
// water freshness, and the target snapshot (cached 15 s, computed through yesterday).
// warm computes the first snapshot: at national scale a year takes seconds, which the
// first scrape would otherwise spend (Prometheus' default scrape timeout is 10 s).
func (s *stack) domainCollectors(now func() time.Time) (cs []prometheus.Collector, warm func(), err error) {
	calc, err := s.calculator()
	if err != nil {
		return nil, nil, err
	}
	cache := &snapshotCache{calc: calc, ttl: 15 * time.Second, now: now}
	var areas []string
	for _, a := range s.cfg.Areas {
		areas = append(areas, a.ID)
	}
	return []prometheus.Collector{metrics.NewAirCollector(s.pl, s.stations), metrics.NewWaterCollector(s.pl, s.sections),
		metrics.NewAreaCollector(s.pl, areas), metrics.NewTargetCollector(cache.get), s.infoCollector(),
		metrics.NewAssessmentCollector((&assessmentCache{calc: calc, ttl: 5 * time.Minute, now: now}).get)}, func() { cache.get() }, nil
}

// infoCollector describes every configured site for the info metrics.
func (s *stack) infoCollector() *metrics.InfoCollector {
	var areas []metrics.AreaInfo
	for _, a := range s.cfg.Areas {
		areas = append(areas, metrics.AreaInfo{ID: a.ID, Name: a.Name, NameEN: a.NameEN, Kind: a.Kind, Parent: a.Parent})
	}
	var stations []metrics.StationInfo
	for _, st := range s.cfg.Stations {
		stations = append(stations, metrics.StationInfo{Code: st.Code, Name: st.Name, Area: st.Area, Latitude: st.Latitude, Longitude: st.Longitude, Assessment: st.Counts()})
	}
	var sections []metrics.SectionInfo
	for _, sec := range s.cfg.Sections {
		sections = append(sections, metrics.SectionInfo{Code: sec.Code, Name: sec.Name, Area: sec.Area, River: sec.River, Level: sec.Level, WaterBody: sec.WaterBody, TargetClass: sec.TargetClass})
	}
	for _, src := range s.cfg.DrinkingWaterSources {
		sections = append(sections, metrics.SectionInfo{Code: src.Code, Name: src.Name, Area: src.Area, WaterBody: src.WaterBody, Source: true})
	}
	return metrics.NewInfoCollector(areas, stations, sections)
}

// assessmentCache computes the assessments' exposition at most every ttl: a month's
// figures change with each new day, not with each scrape.
type assessmentCache struct {
	mu   sync.Mutex
	calc *indicator.Calculator
	ttl  time.Duration
	now  func() time.Time
	last metrics.AssessmentView
	at   time.Time
}

// maxStreak bounds how far back the last-place streak is looked for.
const maxStreak = 12

func (c *assessmentCache) get() metrics.AssessmentView {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if !c.at.IsZero() && now.Sub(c.at) < c.ttl {
		return c.last
	}
	v := metrics.AssessmentView{LastPlaceStreak: map[string]map[string]int{}, Parents: map[string]string{}, AlertAbove: map[string]float64{}}
	yesterday := airquality.DayOf(now) - 1
	y, m, _ := yesterday.Date()
	prev := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
	for i := range c.calc.Assessments {
		spec := &c.calc.Assessments[i]
		if airquality.Month(y, m).From <= yesterday {
			v.MonthToDate = append(v.MonthToDate, c.calc.Assess(spec, y, m, yesterday))
		}
		v.LastMonth = append(v.LastMonth, c.calc.Assess(spec, prev.Year(), prev.Month(), yesterday))
		for _, ch := range c.calc.Children(spec.Area) {
			v.Parents[ch.ID] = spec.Area
		}
		for _, s := range spec.Schemes {
			if s.AlertAbove != nil {
				f, _ := s.AlertAbove.Float64()
				v.AlertAbove[s.Name] = f
			}
		}
		for _, f := range spec.RankBy {
			done := map[string]bool{}
			for back := 0; back < maxStreak; back++ {
				mm := prev.AddDate(0, -back, 0)
				rows := assessment.Rank(c.calc.Units(spec.Area, airquality.Month(mm.Year(), mm.Month())), f)
				n := 0
				for _, r := range rows {
					if r.Rank > 0 {
						n++
					}
				}
				any := false
				for _, r := range rows {
					if done[r.Unit] {
						continue
					}
					if v.LastPlaceStreak[r.Unit] == nil {
						v.LastPlaceStreak[r.Unit] = map[string]int{}
					}
					if n >= 2 && r.Rank == rowsMax(rows) {
						v.LastPlaceStreak[r.Unit][string(f)]++
						any = true
					} else {
						if _, ok := v.LastPlaceStreak[r.Unit][string(f)]; !ok {
							v.LastPlaceStreak[r.Unit][string(f)] = 0
						}
						done[r.Unit] = true
					}
				}
				if !any {
					break
				}
			}
		}
	}
	c.last, c.at = v, now
	return v
}

// rowsMax is the worst rank given (the last place, shared by ties).
func rowsMax(rows []assessment.Ranked) int {
	m := 0
	for _, r := range rows {
		m = max(m, r.Rank)
	}
	return m
}
