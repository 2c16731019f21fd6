package outlook

import (
	"sync"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/indicator"
)

// versioner fingerprints an area's days (the pipeline; see airquality.Network.AreaVersion).
type versioner interface {
	AreaVersion(area string, r airquality.Range) uint64
}

// Cache keeps each area's outlook until the days it was simulated from change: the
// exposition's snapshot is recomputed whenever any data arrive, but an area's forecast
// reads only whole days up to the as-of day, which the day's hours do not touch. It keeps
// the scored results, not the simulated years (a national set of those would be
// hundreds of megabytes). Without a versioner (air data that cannot fingerprint) every
// Apply simulates again.
type Cache struct {
	mu    sync.Mutex
	areas map[string]cachedArea
}

type cachedArea struct {
	asOf    airquality.Day
	version uint64
	results map[string]cachedResult // by indicator
}

// cachedResult is what Apply added to a result.
type cachedResult struct {
	status indicator.Status
	o      *indicator.Outlook
	reason string
	best   *indicator.Num
}

// Apply is the package's Apply, reusing the forecasts of areas whose days are unchanged.
func (c *Cache) Apply(snap *indicator.Snapshot, calc *indicator.Calculator, opt Options) {
	v, ok := calc.Air.(versioner)
	if !ok {
		Apply(snap, calc, opt)
		return
	}
	versions := map[string]uint64{}
	c.mu.Lock()
	hits := map[string]cachedArea{}
	areas := forecastAreas(snap, func(area string) bool {
		asOf := snap.Area(area).AsOf
		ver := v.AreaVersion(area, airquality.Range{From: airquality.Year(asOf.Year() - PastYears).From, To: asOf})
		versions[area] = ver
		if e, ok := c.areas[area]; ok && e.asOf == asOf && e.version == ver {
			hits[area] = e
			return true
		}
		return false
	})
	c.mu.Unlock()
	applyAreas(snap, calc, opt, areas)
	fresh := map[string]cachedArea{}
	for _, a := range areas {
		fresh[a] = cachedArea{asOf: snap.Area(a).AsOf, version: versions[a], results: map[string]cachedResult{}}
	}
	for i := range snap.Results {
		res := &snap.Results[i]
		if !forecast(res) && res.Outlook == nil && res.OutlookReason == "" {
			continue
		}
		if e, ok := hits[res.Area]; ok {
			if r, ok := e.results[res.Indicator]; ok {
				res.Status, res.Outlook, res.OutlookReason, res.BestOnRecord = r.status, r.o, r.reason, r.best
			}
			continue
		}
		if e, ok := fresh[res.Area]; ok {
			e.results[res.Indicator] = cachedResult{res.Status, res.Outlook, res.OutlookReason, res.BestOnRecord}
		}
	}
	c.mu.Lock()
	if c.areas == nil {
		c.areas = map[string]cachedArea{}
	}
	for a, e := range fresh {
		c.areas[a] = e
	}
	c.mu.Unlock()
}
