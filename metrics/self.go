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

// RegisterSelf registers build info, Go and process metrics, the state-store size and the
// configuration-load metrics.
func RegisterSelf(reg prometheus.Registerer, storeSize func() float64) *Self {
	s := &Self{
		ConfigLoaded: prometheus.NewGauge(prometheus.GaugeOpts{Name: "envwatch_config_last_reload_successful",
			Help: "1 if the last configuration load succeeded."}),
		ConfigLoadSuccess: prometheus.NewGauge(prometheus.GaugeOpts{Name: "envwatch_config_last_reload_success_timestamp_seconds",
			Help: "Unix time of the last successful configuration load."}),
	}
	reg.MustRegister(versioncollector.NewCollector("envwatch"), collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), s.ConfigLoaded, s.ConfigLoadSuccess)
	if storeSize != nil { // the binary registers its own per-generation size gauge instead
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "envwatch_state_store_size_bytes",
			Help: "Size of the embedded state store file."}, storeSize))
	}
	return s
}
