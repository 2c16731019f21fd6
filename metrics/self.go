package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
)

// Self holds the process's own metrics that the binary updates.
type Self struct {
	ConfigLoaded      prometheus.Gauge
	ConfigLoadSuccess prometheus.Gauge
}

// RegisterSelf registers build info, Go and process metrics and the
// configuration-load metrics.
func RegisterSelf(reg prometheus.Registerer) *Self {
	s := &Self{
		ConfigLoaded: prometheus.NewGauge(prometheus.GaugeOpts{Name: "envwatch_config_last_reload_successful",
			Help: "1 if the last configuration load succeeded."}),
		ConfigLoadSuccess: prometheus.NewGauge(prometheus.GaugeOpts{Name: "envwatch_config_last_reload_success_timestamp_seconds",
			Help: "Unix time of the last successful configuration load."}),
	}
	reg.MustRegister(versioncollector.NewCollector("envwatch"), collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), s.ConfigLoaded, s.ConfigLoadSuccess)
	return s
}

// NewStoreSizeGauge reports the size of the state store file (one per configuration
// generation, since a reload reopens the store).
func NewStoreSizeGauge(size func() float64) prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "envwatch_state_store_size_bytes",
		Help: "Size of the embedded state store file."}, size)
}
