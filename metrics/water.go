package metrics

import (
	"sort"

	"github.com/prometheus/client_golang/prometheus"
)

// Section identifies a water section in labels.
type Section struct{ Code, Area string }

// WaterCollector exposes the freshness of each section's data.
type WaterCollector struct {
	src      Snapshotter
	sections []Section
	obs      *prometheus.Desc
}

// NewWaterCollector returns the collector.
func NewWaterCollector(src Snapshotter, sections []Section) *WaterCollector {
	s := append([]Section(nil), sections...)
	sort.Slice(s, func(i, j int) bool { return s[i].Code < s[j].Code })
	return &WaterCollector{src: src, sections: s,
		obs: prometheus.NewDesc("envwatch_water_observation_timestamp_seconds",
			"Sampling time of the newest sample of a water section (Unix time), for staleness alerts.", []string{"section", "area"}, nil)}
}

// Describe implements prometheus.Collector.
func (c *WaterCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.obs }

// Collect implements prometheus.Collector.
func (c *WaterCollector) Collect(ch chan<- prometheus.Metric) {
	snap := c.src.Snapshot()
	for _, s := range c.sections {
		if t, ok := snap.WaterLatest[s.Code]; ok {
			ch <- prometheus.MustNewConstMetric(c.obs, prometheus.GaugeValue, float64(t.Unix()), s.Code, s.Area)
		}
	}
}
