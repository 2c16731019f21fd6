package main

import (
	"io"
	"log/slog"
	"os"
	"regexp"
	"sort"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/collector"
	"github.com/envwatch/envwatch/collector/hj212recv"
	"github.com/envwatch/envwatch/indicator"
	"github.com/envwatch/envwatch/internal/conncap"
	"github.com/envwatch/envwatch/metrics"
	"github.com/envwatch/envwatch/pipeline"
	"github.com/envwatch/envwatch/sink/influx"
)

// descRecorder is a Registerer that only records the names collectors describe.
type descRecorder map[string]bool

var fqName = regexp.MustCompile(`fqName: "([^"]+)"`)

func (d descRecorder) Register(c prometheus.Collector) error {
	ch := make(chan *prometheus.Desc, 64)
	go func() { c.Describe(ch); close(ch) }()
	for desc := range ch {
		if m := fqName.FindStringSubmatch(desc.String()); m != nil {
			d[m[1]] = true
		}
	}
	return nil
}
func (d descRecorder) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		d.Register(c)
	}
}
func (d descRecorder) Unregister(prometheus.Collector) bool { return true }

// Every metric the binary can expose is in docs/metrics.md, and every envwatch_ metric the
// document lists exists.
func TestMetricsDocumented(t *testing.T) {
	rec := descRecorder{}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	metrics.RegisterSelf(rec)
	rec.MustRegister(metrics.NewStoreSizeGauge(func() float64 { return 0 }))
	influx.New(influx.Options{URL: "http://127.0.0.1:1", Bucket: "x"}, rec).Close()
	collector.NewMetrics(rec)
	hj212recv.NewMetrics(rec)
	conncap.New(1, rec)
	pl := pipeline.New(nil, airquality.NewNetwork(airquality.CityOptions{}), nil, rec, quiet)
	rec.MustRegister(metrics.NewAirCollector(pl, nil, airquality.AQIOptions{}), metrics.NewWaterCollector(pl, nil), metrics.NewAreaCollector(pl, nil, airquality.AQIOptions{}),
		metrics.NewTargetCollector(func() indicator.Snapshot { return indicator.Snapshot{} }), metrics.NewSpoolCollector(pl),
		metrics.NewInfoCollector(nil, nil, nil), metrics.NewAssessmentCollector(func() metrics.AssessmentView { return metrics.AssessmentView{} }))

	doc, err := os.ReadFile("../../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile("`(envwatch_[a-z0-9_]+)`").FindAllStringSubmatch(string(doc), -1) {
		documented[m[1]] = true
	}
	var missing, extra []string
	for name := range rec {
		if len(name) > 9 && name[:9] == "envwatch_" && !documented[name] {
			missing = append(missing, name)
		}
	}
	for name := range documented {
		if !rec[name] {
			extra = append(extra, name)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("exposed but not in docs/metrics.md: %v", missing)
	}
	if len(extra) > 0 {
		t.Errorf("in docs/metrics.md but not exposed: %v", extra)
	}
}
