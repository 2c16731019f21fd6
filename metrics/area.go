package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/pipeline"
)

// AreaSource answers an area's current values (the pipeline).
type AreaSource interface {
	AreaNow(area string, now time.Time) (pipeline.AreaNow, bool)
}

// AreaCollector exposes each area's real-time AQI (from the mean of its stations' hourly
// values, R2) and the provisional AQI of the current day.
type AreaCollector struct {
	src                                                        AreaSource
	areas                                                      []string
	opt                                                        airquality.AQIOptions
	aqi, level, conc, primary, obs, dayAQI, dayLevel, dayHours *prometheus.Desc
	// Now is the clock the current day is taken from (time.Now).
	Now func() time.Time
}

// NewAreaCollector returns the collector.
func NewAreaCollector(src AreaSource, areas []string, opt airquality.AQIOptions) *AreaCollector {
	a := []string{"area"}
	return &AreaCollector{src: src, areas: areas, opt: opt, Now: time.Now,
		aqi:      prometheus.NewDesc("envwatch_air_area_aqi", "Real-time AQI of an area from the mean of its assessment stations' hourly values; absent when NA.", a, nil),
		level:    prometheus.NewDesc("envwatch_air_area_aqi_level", "Level (1–6) of the area's real-time AQI.", a, nil),
		conc:     prometheus.NewDesc("envwatch_air_area_concentration_grams_per_cubic_meter", "Area hourly concentration: mean of its stations' valid values, g/m³.", []string{"area", "pollutant"}, nil),
		primary:  prometheus.NewDesc("envwatch_air_area_primary_pollutant_info", "Primary pollutant(s) of the area's real-time AQI (value 1; absent when AQI ≤ 50 or NA).", []string{"area", "pollutant"}, nil),
		obs:      prometheus.NewDesc("envwatch_air_area_observation_timestamp_seconds", "End of the area's newest observed hour (Unix time).", a, nil),
		dayAQI:   prometheus.NewDesc("envwatch_air_area_day_aqi", "Provisional daily AQI of today (Asia/Shanghai) from the hours so far: validity minimums waived, pollutants not yet due (O3-8h before 08:00) left out; see envwatch_air_area_day_observations.", a, nil),
		dayLevel: prometheus.NewDesc("envwatch_air_area_day_aqi_level", "Level (1–6) of the provisional daily AQI of today.", a, nil),
		dayHours: prometheus.NewDesc("envwatch_air_area_day_observations", "Hours of today (0–24) with a value from any of the area's stations: the basis of the provisional daily AQI (a count, not a duration).", a, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *AreaCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.aqi, c.level, c.conc, c.primary, c.obs, c.dayAQI, c.dayLevel, c.dayHours} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *AreaCollector) Collect(ch chan<- prometheus.Metric) {
	t := c.Now()
	for _, area := range c.areas {
		now, ok := c.src.AreaNow(area, t)
		if !ok {
			continue
		}
		g := func(d *prometheus.Desc, v float64, l ...string) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, append([]string{area}, l...)...)
		}
		g(c.obs, float64(now.End.Unix()))
		in := airquality.HourlyFrom(&now.Hour)
		for _, p := range pollutants {
			if v := now.Hour[p]; v.OK {
				exp := -6
				if p == airquality.CO {
					exp = -3
				}
				g(c.conc, airquality.RoundConcentration(p, v.C).Float64E(exp), p.Code())
			}
		}
		res := c.opt.Hourly(now.End, &in)
		if !res.NA {
			g(c.aqi, float64(res.AQI))
			g(c.level, float64(res.Level()))
			for _, it := range res.Primary.Items() {
				g(c.primary, 1, it.Pollutant().Code())
			}
		}
		if now.HasDay {
			g(c.dayHours, float64(now.DayHours))
			d := airquality.ProvisionalAQI(&now.Day, c.opt)
			if !d.NA {
				g(c.dayAQI, float64(d.AQI))
				g(c.dayLevel, float64(d.Level()))
			}
		}
	}
}
