package metrics

import (
	"sort"

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
