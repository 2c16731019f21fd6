package metrics

import (
	"sort"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// Concat gathers registries whose metric families have different names (envwatch's process
// registry, which lives across reloads, and a generation's domain registry) by joining
// their families. prometheus.Gatherers merges family by family and checks every metric's
// consistency again — a quarter of a national scrape of 69 k series, for registries that
// each checked and sorted their own. Should a name occur in both, Concat falls back to
// prometheus.Gatherers, which merges (or reports the clash).
type Concat []prometheus.Gatherer

// Gather implements prometheus.Gatherer.
func (c Concat) Gather() ([]*dto.MetricFamily, error) {
	var all []*dto.MetricFamily
	var errs prometheus.MultiError
	for _, g := range c {
		mfs, err := g.Gather()
		if err != nil {
			errs = append(errs, err)
		}
		all = append(all, mfs...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].GetName() < all[j].GetName() })
	for i := 1; i < len(all); i++ {
		if all[i].GetName() == all[i-1].GetName() {
			return prometheus.Gatherers(c).Gather()
		}
	}
	return all, errs.MaybeUnwrap()
}

// Cached gathers g again only when key changes. The domain exposition is a function of the
// pipeline's data and the day (key: the pipeline's Version and the as-of day), and
// gathering its 69 k national series was most of a scrape; between two hourly batches
// every scrape is the same. A failed gather is not kept.
type Cached struct {
	g   prometheus.Gatherer
	key func() any
	mu  sync.Mutex // one gather at a time; concurrent scrapes wait for it and share it
	k   any
	mfs []*dto.MetricFamily
	ok  bool
}

// NewCached returns g cached under key, which must return a comparable value.
func NewCached(g prometheus.Gatherer, key func() any) *Cached { return &Cached{g: g, key: key} }

// Gather implements prometheus.Gatherer. The families returned are shared between scrapes:
// callers must not change them (promhttp and Concat do not).
func (c *Cached) Gather() ([]*dto.MetricFamily, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// The key is read before gathering: data applied meanwhile changes it, and the next
	// scrape gathers again.
	k := c.key()
	if c.ok && k == c.k {
		return c.mfs, nil
	}
	mfs, err := c.g.Gather()
	if err != nil {
		c.ok = false
		return mfs, err
	}
	c.k, c.mfs, c.ok = k, mfs, true
	return mfs, nil
}
