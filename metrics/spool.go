package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/envwatch/envwatch/store"
)

// SpoolSource reports the spool (the pipeline).
type SpoolSource interface {
	SpoolStats() (store.SpoolStats, bool)
}

// SpoolCollector exposes the InfluxDB spool's backlog.
type SpoolCollector struct {
	src                               SpoolSource
	points, bytes, oldest, deadLetter *prometheus.Desc
}

// NewSpoolCollector returns the collector.
func NewSpoolCollector(src SpoolSource) *SpoolCollector {
	return &SpoolCollector{src: src,
		points:     prometheus.NewDesc("envwatch_spool_pending_points", "Points waiting in the on-disk spool for InfluxDB.", nil, nil),
		bytes:      prometheus.NewDesc("envwatch_spool_bytes", "Size of the spool in bytes.", nil, nil),
		oldest:     prometheus.NewDesc("envwatch_spool_oldest_timestamp_seconds", "When the oldest spooled batch was spooled (Unix time); absent when the spool is empty.", nil, nil),
		deadLetter: prometheus.NewDesc("envwatch_spool_dead_letters", "Batches InfluxDB refused permanently, kept for `envwatch spool list|retry|drop`.", nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *SpoolCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.points
	ch <- c.bytes
	ch <- c.oldest
	ch <- c.deadLetter
}

// Collect implements prometheus.Collector.
func (c *SpoolCollector) Collect(ch chan<- prometheus.Metric) {
	st, ok := c.src.SpoolStats()
	if !ok {
		return
	}
	ch <- prometheus.MustNewConstMetric(c.points, prometheus.GaugeValue, float64(st.Points))
	ch <- prometheus.MustNewConstMetric(c.bytes, prometheus.GaugeValue, float64(st.Bytes))
	ch <- prometheus.MustNewConstMetric(c.deadLetter, prometheus.GaugeValue, float64(st.DeadEntries))
	if !st.Oldest.IsZero() {
		ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, float64(st.Oldest.Unix()))
	}
}
