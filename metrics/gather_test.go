package metrics

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
)

// Concat exposes what prometheus.Gatherers exposes: disjoint registries joined in name
// order, and a family present in both merged (the fallback).
func TestConcatGathersLikeGatherers(t *testing.T) {
	a, b := prometheus.NewRegistry(), prometheus.NewRegistry()
	ga := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "envwatch_b_total", Help: "b"}, []string{"x"})
	gb := prometheus.NewGauge(prometheus.GaugeOpts{Name: "envwatch_a", Help: "a"})
	a.MustRegister(ga)
	b.MustRegister(gb)
	ga.WithLabelValues("2").Set(2)
	ga.WithLabelValues("1").Set(1)
	gb.Set(3)
	want := `# HELP envwatch_a a
# TYPE envwatch_a gauge
envwatch_a 3
# HELP envwatch_b_total b
# TYPE envwatch_b_total gauge
envwatch_b_total{x="1"} 1
envwatch_b_total{x="2"} 2
`
	if err := testutil.GatherAndCompare(Concat{a, b}, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
	// The same family in both: merged as prometheus.Gatherers merges it.
	c := prometheus.NewRegistry()
	gc := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "envwatch_b_total", Help: "b"}, []string{"x"})
	c.MustRegister(gc)
	gc.WithLabelValues("3").Set(3)
	if err := testutil.GatherAndCompare(Concat{a, b, c}, strings.NewReader(want+`envwatch_b_total{x="3"} 3
`)); err != nil {
		t.Error(err)
	}
}

// countingGatherer counts its gathers.
type countingGatherer struct {
	prometheus.Gatherer
	n int
}

func (c *countingGatherer) Gather() ([]*dto.MetricFamily, error) {
	c.n++
	return c.Gatherer.Gather()
}

// Cached gathers again only when its key changes, and serves what changed then.
func TestCachedGathersOncePerKey(t *testing.T) {
	reg := prometheus.NewRegistry()
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "envwatch_x", Help: "x"})
	reg.MustRegister(g)
	cg := &countingGatherer{Gatherer: reg}
	key := 1
	c := NewCached(cg, func() any { return key })
	g.Set(1)
	for range 3 {
		if err := testutil.GatherAndCompare(c, strings.NewReader("# HELP envwatch_x x\n# TYPE envwatch_x gauge\nenvwatch_x 1\n")); err != nil {
			t.Error(err)
		}
	}
	if cg.n != 1 {
		t.Errorf("%d gathers for one key, want 1", cg.n)
	}
	g.Set(2)
	key = 2
	if err := testutil.GatherAndCompare(c, strings.NewReader("# HELP envwatch_x x\n# TYPE envwatch_x gauge\nenvwatch_x 2\n")); err != nil {
		t.Error(err)
	}
	if cg.n != 2 {
		t.Errorf("%d gathers after the key changed, want 2", cg.n)
	}
}
