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
	"github.com/envwatch/envwatch/outlook"
)

// calculator builds the indicator calculator of the configuration over the pipeline.
func (s *Generation) calculator() (*indicator.Calculator, error) {
	return calculatorFor(s.cfg, s.pl, s.pl)
}

// snapshotCache keeps what the domain exposition computes from the data and the day — the
// target snapshot and the assessments' view — under one key. A national year takes
// seconds to compute (every area, on a new day, at start, after new data), so the
// exposition never waits for a computation another goroutine has under way: it shows the
// last one (envwatch_indicator_as_of_timestamp_seconds says which day it counts to) or,
// before the first, none — rather than a scrape outlasting Prometheus' timeout.
type snapshotCache struct {
	computing sync.Mutex // held while a snapshot is computed
	mu        sync.Mutex // guards last, assess, key, gen
	calc      *indicator.Calculator
	version   func() uint64 // the pipeline's data version
	now       func() time.Time
	last      indicator.Snapshot
	assess    metrics.AssessmentView
	key       dataKey // of last and assess
	gen       uint64  // snapshots stored so far (0: none yet)
	outlook   outlook.Cache
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

// currentAssessments is current for the assessments' view.
func (c *snapshotCache) currentAssessments() metrics.AssessmentView {
	if c.computing.TryLock() {
		c.update()
		c.computing.Unlock()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.assess
}

// exposureState is what the domain exposition depends on: the data and the day, how many
// snapshots were stored (a new one — even one that data arriving during its computation
// made stale at once — must be shown, and a stale one recomputed) and whether the last one
// is of the current data and day.
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

// update computes the snapshot and the assessments if the data or the day changed. The
// caller holds computing.
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
	c.outlook.Apply(&snap, c.calc, outlook.Options{})
	view := assessmentView(c.calc, k.day-1)
	c.mu.Lock()
	c.last, c.assess, c.key = snap, view, k
	c.gen++
	c.mu.Unlock()
	return snap
}

// refreshEvery is how often the background computation looks for new data: the exposition
// shows a batch's effect on the indicators within this, without a scrape computing it.
const refreshEvery = 20 * time.Second

// keepWarm computes the snapshot at start, again after new data (looking every
// refreshEvery) and just after each midnight (Beijing time), so that no scrape computes a
// national year's indicators itself; it returns the memory the first computation and
// each day's freed.
func (c *snapshotCache) keepWarm(ctx context.Context) {
	tick := time.NewTicker(refreshEvery)
	defer tick.Stop()
	for {
		c.get()
		// Restoring the state and computing every area's year peak far above what stays
		// live (a national year: ≈ 165 MB of freed heap the runtime would otherwise keep
		// for minutes); give it back to the system once that work is done.
		debug.FreeOSMemory()
		now := c.now().In(airquality.Shanghai)
		midnight := time.After(time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 1, 0, airquality.Shanghai).Sub(now))
	wait:
		for {
			select {
			case <-ctx.Done():
				return
			case <-midnight:
				break wait
			case <-tick.C:
				if !c.state().fresh {
					c.get()
				}
			}
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
	areaCollector := metrics.NewAreaCollector(s.pl, areas, calc.Opt.Period.AQI)
	areaCollector.Now = now
	return []prometheus.Collector{metrics.NewAirCollector(s.pl, s.stations, calc.Opt.Period.AQI), metrics.NewWaterCollector(s.pl, s.sections),
		areaCollector, metrics.NewTargetCollector(cache.current), s.infoCollector(),
		metrics.NewAssessmentCollector(cache.currentAssessments)}, cache, nil
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

// maxStreak bounds how far back the last-place streak is looked for.
const maxStreak = 12

// assessmentView is the assessments' exposition as of asOf: each assessment's month to
// date and last month, and how many months in a row each unit has been last.
func assessmentView(calc *indicator.Calculator, asOf airquality.Day) metrics.AssessmentView {
	v := metrics.AssessmentView{LastPlaceStreak: map[string]map[string]int{}, Parents: map[string]string{}, AlertAbove: map[string]float64{}}
	y, m, _ := asOf.Date()
	prev := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
	for i := range calc.Assessments {
		spec := &calc.Assessments[i]
		if airquality.Month(y, m).From <= asOf {
			v.MonthToDate = append(v.MonthToDate, calc.Assess(spec, y, m, asOf))
		}
		v.LastMonth = append(v.LastMonth, calc.Assess(spec, prev.Year(), prev.Month(), asOf))
		for _, ch := range calc.UnitAreas(spec) {
			v.Parents[ch.ID] = spec.Area
		}
		for _, s := range spec.Schemes {
			if s.AlertAbove != nil {
				f, _ := s.AlertAbove.Float64()
				v.AlertAbove[s.Name] = f
			}
		}
		units := map[int][]assessment.Unit{} // by months back: shared by the factors
		unitsBack := func(back int) []assessment.Unit {
			if u, ok := units[back]; ok {
				return u
			}
			mm := prev.AddDate(0, -back, 0)
			units[back] = calc.Units(spec, airquality.Month(mm.Year(), mm.Month()))
			return units[back]
		}
		for _, f := range spec.RankBy {
			done := map[string]bool{}
			for back := 0; back < maxStreak; back++ {
				rows := assessment.Rank(unitsBack(back), f)
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
// The snapshot is computed first, so that every collector shows it.
func (s *Generation) Collectors(now func() time.Time) ([]prometheus.Collector, error) {
	cs, cache, err := s.domainCollectors(now)
	if err != nil {
		return nil, err
	}
	cache.get()
	return cs, nil
}
