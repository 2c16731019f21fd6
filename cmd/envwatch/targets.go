package main

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/assessment"
	"github.com/envwatch/envwatch/fromconfig"
	"github.com/envwatch/envwatch/indicator"
	"github.com/envwatch/envwatch/metrics"
)

// calculator builds the indicator calculator of the configuration over the pipeline.
func (s *stack) calculator() (*indicator.Calculator, error) {
	return fromconfig.Calculator(s.cfg, s.pl, s.pl)
}

// snapshotCache computes the target snapshot at most once per ttl, so one scrape renders
// one consistent snapshot and frequent scrapes stay cheap.
type snapshotCache struct {
	mu      sync.Mutex
	calc    *indicator.Calculator
	version func() uint64 // the pipeline's data version
	now     func() time.Time
	last    indicator.Snapshot
	key     dataKey
	ok      bool
}

// dataKey is what the domain exposition is a function of: the pipeline's data and the day.
type dataKey struct {
	version uint64
	day     airquality.Day
}

func (c *snapshotCache) get() indicator.Snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	k := dataKey{c.version(), airquality.DayOf(now)}
	if !c.ok || k != c.key {
		// Through the data end, at most yesterday: today's daily values are not complete.
		c.last, c.key, c.ok = c.calc.ComputeLatest(k.day-1, now), k, true
	}
	return c.last
}

// domainCollectors are the collectors of the domain exposition: station and area air,
// water freshness, and the target snapshot (computed through yesterday, again when the
// data or the day changed).
// warm computes the first snapshot: at national scale a year takes seconds, which the
// first scrape would otherwise spend (Prometheus' default scrape timeout is 10 s).
func (s *stack) domainCollectors(now func() time.Time) (cs []prometheus.Collector, warm func(), err error) {
	calc, err := s.calculator()
	if err != nil {
		return nil, nil, err
	}
	cache := &snapshotCache{calc: calc, version: s.pl.Version, now: now}
	var areas []string
	for _, a := range s.cfg.Areas {
		areas = append(areas, a.ID)
	}
	return []prometheus.Collector{metrics.NewAirCollector(s.pl, s.stations), metrics.NewWaterCollector(s.pl, s.sections),
		metrics.NewAreaCollector(s.pl, areas), metrics.NewTargetCollector(cache.get), s.infoCollector(),
		metrics.NewAssessmentCollector((&assessmentCache{calc: calc, version: s.pl.Version, now: now}).get)}, func() { cache.get() }, nil
}

// domainGatherer is the domain exposition, gathered again only when the pipeline's data or
// the day changed (metrics.Cached): between two batches every scrape is the same.
func (s *stack) domainGatherer(now func() time.Time) (g prometheus.Gatherer, warm func(), err error) {
	cs, warm, err := s.domainCollectors(now)
	if err != nil {
		return nil, nil, err
	}
	reg := prometheus.NewRegistry()
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, nil, err
		}
	}
	key := func() any { return dataKey{s.pl.Version(), airquality.DayOf(now())} }
	return metrics.NewCached(reg, key), warm, nil
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

// assessmentCache computes the assessments' exposition again when the data or the day
// changed: a month's figures change with new data, not with each scrape.
type assessmentCache struct {
	mu      sync.Mutex
	calc    *indicator.Calculator
	version func() uint64
	now     func() time.Time
	last    metrics.AssessmentView
	key     dataKey
	ok      bool
}

// maxStreak bounds how far back the last-place streak is looked for.
const maxStreak = 12

func (c *assessmentCache) get() metrics.AssessmentView {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	k := dataKey{c.version(), airquality.DayOf(now)}
	if c.ok && k == c.key {
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
	c.last, c.key, c.ok = v, k, true
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
