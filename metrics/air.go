// Package metrics exposes envwatch's state to Prometheus: domain collectors that read a
// consistent snapshot per scrape, and the process's self-metrics. Samples carry no
// timestamps; observation times are series of their own.
package metrics

import (
	"sort"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/pipeline"
)

// Snapshotter is what the air collector reads (the pipeline).
type Snapshotter interface{ Snapshot() pipeline.Snapshot }

// Station identifies a station in labels.
type Station struct{ Code, Area string }

// AirCollector exposes the latest hourly observation of every station.
type AirCollector struct {
	src      Snapshotter
	stations []Station
	opt      airquality.AQIOptions
	conc     *prometheus.Desc
	iaqi     *prometheus.Desc
	aqi      *prometheus.Desc
	level    *prometheus.Desc
	obs      *prometheus.Desc
}

// NewAirCollector returns the collector.
func NewAirCollector(src Snapshotter, stations []Station, opt airquality.AQIOptions) *AirCollector {
	// Emitted in the order the registry sorts by (label values, labels by name: area,
	// [pollutant,] station), its sort then runs in linear time — at national scale it was
	// a third of a scrape.
	st := append([]Station(nil), stations...)
	sort.Slice(st, func(i, j int) bool {
		if st[i].Area != st[j].Area {
			return st[i].Area < st[j].Area
		}
		return st[i].Code < st[j].Code
	})
	l := []string{"station", "area"}
	return &AirCollector{src: src, stations: st, opt: opt,
		conc: prometheus.NewDesc("envwatch_air_concentration_grams_per_cubic_meter",
			"Latest hourly concentration (1-h mean, hour-ending) of a pollutant at a station, in g/m³ (75 µg/m³ = 75e-6).",
			append(l, "pollutant"), nil),
		iaqi: prometheus.NewDesc("envwatch_air_iaqi",
			"Latest real-time individual AQI of a pollutant at a station (HJ 633, edition by date).", append(l, "pollutant"), nil),
		aqi: prometheus.NewDesc("envwatch_air_aqi",
			"Latest real-time AQI of a station; absent when NA (a pollutant missing and AQI ≤ 100).", l, nil),
		level: prometheus.NewDesc("envwatch_air_aqi_level",
			"Level (1–6) of the latest real-time AQI of a station.", l, nil),
		obs: prometheus.NewDesc("envwatch_air_observation_timestamp_seconds",
			"End of the hour of the latest observation of a station (Unix time), for staleness alerts.", l, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *AirCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.conc, c.iaqi, c.aqi, c.level, c.obs} {
		ch <- d
	}
}

var pollutants = []airquality.Pollutant{airquality.PM25, airquality.PM10, airquality.SO2, airquality.NO2, airquality.CO, airquality.O3}

var hourlyItem = map[airquality.Pollutant]airquality.Item{
	airquality.PM25: airquality.ItemPM25, airquality.PM10: airquality.ItemPM10, airquality.SO2: airquality.ItemSO2,
	airquality.NO2: airquality.ItemNO2, airquality.CO: airquality.ItemCO, airquality.O3: airquality.ItemO3,
}

// Collect implements prometheus.Collector.
func (c *AirCollector) Collect(ch chan<- prometheus.Metric) {
	snap := c.src.Snapshot()
	type row struct {
		s   Station
		l   pipeline.Latest
		res airquality.Result
	}
	rows := make([]row, 0, len(c.stations))
	for _, s := range c.stations {
		l, ok := snap.Latest[s.Code]
		if !ok {
			continue
		}
		in := airquality.HourlyFrom(&l.Values)
		rows = append(rows, row{s, l, c.opt.Hourly(l.End, &in)})
	}
	for _, r := range rows {
		ch <- prometheus.MustNewConstMetric(c.obs, prometheus.GaugeValue, float64(r.l.End.Unix()), r.s.Code, r.s.Area)
		if !r.res.NA {
			ch <- prometheus.MustNewConstMetric(c.aqi, prometheus.GaugeValue, float64(r.res.AQI), r.s.Code, r.s.Area)
			ch <- prometheus.MustNewConstMetric(c.level, prometheus.GaugeValue, float64(r.res.Level()), r.s.Code, r.s.Area)
		}
	}
	// Per area, pollutant by pollutant: the registry's order for (area, pollutant, station).
	for lo := 0; lo < len(rows); {
		hi := lo
		for hi < len(rows) && rows[hi].s.Area == rows[lo].s.Area {
			hi++
		}
		for _, p := range pollutantsByCode {
			exp := -6 // µg → g
			if p == airquality.CO {
				exp = -3 // mg → g
			}
			for _, r := range rows[lo:hi] {
				v := r.l.Values[p]
				if !v.OK {
					continue
				}
				ch <- prometheus.MustNewConstMetric(c.conc, prometheus.GaugeValue, v.C.Float64E(exp), r.s.Code, r.s.Area, p.Code())
				if it := hourlyItem[p]; r.res.Computed.Has(it) {
					ch <- prometheus.MustNewConstMetric(c.iaqi, prometheus.GaugeValue, float64(r.res.IAQI[it].Value), r.s.Code, r.s.Area, p.Code())
				}
			}
		}
		lo = hi
	}
}

// pollutantsByCode is pollutants in the order of their label values.
var pollutantsByCode = func() []airquality.Pollutant {
	out := append([]airquality.Pollutant(nil), pollutants...)
	sort.Slice(out, func(i, j int) bool { return out[i].Code() < out[j].Code() })
	return out
}()
