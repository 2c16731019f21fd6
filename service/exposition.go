package service

import (
	"context"
	"runtime/debug"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/assessment"
	"github.com/envwatch/envwatch/indicator"
	"github.com/envwatch/envwatch/metrics"
)

// calculator builds the indicator calculator of the configuration over the pipeline.
func (s *Generation) calculator() (*indicator.Calculator, error) {
	return calculatorFor(s.cfg, s.pl, s.pl)
}

// snapshotCache keeps the target snapshot of the current data and day. A national year
// takes seconds to compute (every area, on a new day or at start), so the exposition never
// waits for a computation another goroutine has under way: it shows the last snapshot (its
// envwatch_indicator_as_of_timestamp_seconds says which day it counts to) or, before the
// first, no indicators — rather than a scrape outlasting Prometheus' timeout.
type snapshotCache struct {
	computing sync.Mutex // held while a snapshot is computed
	mu        sync.Mutex // guards last, key, gen
	calc      *indicator.Calculator
	version   func() uint64 // the pipeline's data version
	now       func() time.Time
	last      indicator.Snapshot
	key       dataKey // of last
	gen       uint64  // snapshots stored so far (0: none yet)
}

// dataKey is what the domain exposition is a function of: the pipeline's data and the day.
type dataKey struct {
	version uint64
	day     airquality.Day
}

func (c *snapshotCache) keyNow() dataKey { return dataKey{c.version(), airquality.DayOf(c.now())} }

// get returns the snapshot of the current data and day, computing it (or waiting for the
// computation under way).
func (c *snapshotCache) get() indicator.Snapshot {
	c.computing.Lock()
	defer c.computing.Unlock()
	return c.update()
}

// current is get for the exposition: while another goroutine computes, the last snapshot
// (empty before the first).
func (c *snapshotCache) current() indicator.Snapshot {
	if !c.computing.TryLock() {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.last
	}
	defer c.computing.Unlock()
	return c.update()
}

// exposureState is what the domain exposition depends on: the data and the day, how many
// snapshots were stored (a new one — even one that data arriving during its computation
// made stale at once — must be shown, and a stale one recomputed by the next scrape) and
// whether the last one is of the current data and day.
type exposureState struct {
	now   dataKey
	gen   uint64
	fresh bool
}

func (c *snapshotCache) state() exposureState {
	k := c.keyNow()
	c.mu.Lock()
	defer c.mu.Unlock()
	return exposureState{k, c.gen, c.gen > 0 && c.key == k}
}

// update computes the snapshot if the data or the day changed. The caller holds computing.
func (c *snapshotCache) update() indicator.Snapshot {
	now := c.now()
	k := dataKey{c.version(), airquality.DayOf(now)}
	c.mu.Lock()
	if c.gen > 0 && c.key == k {
		defer c.mu.Unlock()
		return c.last
	}
	c.mu.Unlock()
	// Through the data end, at most yesterday: today's daily values are not complete.
	snap := c.calc.ComputeLatest(k.day-1, now)
	c.mu.Lock()
	c.last, c.key = snap, k
	c.gen++
	c.mu.Unlock()
	return snap
}

// keepWarm computes the snapshot at start and again just after each midnight (Beijing
// time), so that neither the first scrape nor the first of a new day computes a national
// year's indicators itself, and returns the memory those computations freed.
func (c *snapshotCache) keepWarm(ctx context.Context) {
	for {
		c.get()
		// Restoring the state and computing every area's year peak far above what stays
		// live (a national year: ≈ 165 MB of freed heap the runtime would otherwise keep
		// for minutes); give it back to the system once that work is done.
		debug.FreeOSMemory()
		now := c.now().In(airquality.Shanghai)
		next := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 1, 0, airquality.Shanghai)
		select {
		case <-ctx.Done():
			return
		case <-time.After(next.Sub(now)):
		}
	}
}

// domainCollectors are the collectors of the domain exposition: station and area air,
// water freshness, and the target snapshot (computed through yesterday, again when the
// data or the day changed; cache.keepWarm keeps it computed in the background).
func (s *Generation) domainCollectors(now func() time.Time) (cs []prometheus.Collector, cache *snapshotCache, err error) {
	calc, err := s.calculator()
	if err != nil {
		return nil, nil, err
	}
	cache = &snapshotCache{calc: calc, version: s.pl.Version, now: now}
	var areas []string
	for _, a := range s.cfg.Areas {
		areas = append(areas, a.ID)
	}
	return []prometheus.Collector{metrics.NewAirCollector(s.pl, s.stations, calc.Opt.Period.AQI), metrics.NewWaterCollector(s.pl, s.sections),
		metrics.NewAreaCollector(s.pl, areas, calc.Opt.Period.AQI), metrics.NewTargetCollector(cache.current), s.infoCollector(),
		metrics.NewAssessmentCollector((&assessmentCache{calc: calc, version: s.pl.Version, now: now}).get)}, cache, nil
}

// domainGatherer is the domain exposition, gathered again only when the pipeline's data or
// the day changed, or a snapshot was stored (metrics.Cached): between two batches every
// scrape is the same. A snapshot that data arriving during its computation made stale is
// recomputed by the next scrape (incrementally: only the areas whose data changed).
func (s *Generation) domainGatherer(now func() time.Time) (prometheus.Gatherer, *snapshotCache, error) {
	cs, cache, err := s.domainCollectors(now)
	if err != nil {
		return nil, nil, err
	}
	reg := prometheus.NewRegistry()
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, nil, err
		}
	}
	return metrics.NewCached(reg, func() any { return cache.state() }), cache, nil
}

// infoCollector describes every configured site for the info metrics.
func (s *Generation) infoCollector() *metrics.InfoCollector {
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
		for _, ch := range c.calc.UnitAreas(spec) {
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
				rows := assessment.Rank(c.calc.Units(spec, airquality.Month(mm.Year(), mm.Month())), f)
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

// Collectors are the domain exposition's collectors as of now() — stations and areas, water,
// targets, assessments, names — for a registry of the caller's (tests, benchmarks).
func (s *Generation) Collectors(now func() time.Time) ([]prometheus.Collector, error) {
	cs, _, err := s.domainCollectors(now)
	return cs, err
}
