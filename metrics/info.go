package metrics

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// Site descriptions for the info metrics: machines join on the id, people read the name.
type (
	// AreaInfo describes an area.
	AreaInfo struct{ ID, Name, NameEN, Kind, Parent string }
	// StationInfo describes an air station.
	StationInfo struct {
		Code, Name, Area    string
		Latitude, Longitude float64
		Assessment          bool
	}
	// SectionInfo describes a water section or a drinking-water source.
	SectionInfo struct {
		Code, Name, Area, River, Level, WaterBody, TargetClass string
		Source                                                 bool
	}
)

// InfoCollector exposes one constant series per configured site with its names and place
// (the Prometheus info-metric convention): dashboards and alerts join them with
// `* on(station) group_left(name) envwatch_station_info`.
type InfoCollector struct {
	areas                          []AreaInfo
	stations                       []StationInfo
	sections                       []SectionInfo
	area, station, section, source *prometheus.Desc
}

// NewInfoCollector returns the collector of the configured sites.
func NewInfoCollector(areas []AreaInfo, stations []StationInfo, sections []SectionInfo) *InfoCollector {
	return &InfoCollector{areas: areas, stations: stations, sections: sections,
		area: prometheus.NewDesc("envwatch_area_info", "A configured area with its names, kind (province, city, district, county) and parent; value 1.",
			[]string{"area", "name", "name_en", "kind", "parent"}, nil),
		station: prometheus.NewDesc("envwatch_station_info", "A configured air station with its name, area and coordinates (WGS 84); assessment says whether it enters area values; value 1.",
			[]string{"station", "name", "area", "latitude", "longitude", "assessment"}, nil),
		section: prometheus.NewDesc("envwatch_section_info", "A configured water section with its name, area, river, level and target class; value 1.",
			[]string{"section", "name", "area", "river", "level", "water_body", "target_class"}, nil),
		source: prometheus.NewDesc("envwatch_drinking_water_source_info", "A configured drinking-water source with its name and area; value 1.",
			[]string{"source", "name", "area", "water_body"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *InfoCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.area
	ch <- c.station
	ch <- c.section
	ch <- c.source
}

// Collect implements prometheus.Collector.
func (c *InfoCollector) Collect(ch chan<- prometheus.Metric) {
	for _, a := range c.areas {
		ch <- prometheus.MustNewConstMetric(c.area, prometheus.GaugeValue, 1, a.ID, a.Name, a.NameEN, a.Kind, a.Parent)
	}
	for _, s := range c.stations {
		ch <- prometheus.MustNewConstMetric(c.station, prometheus.GaugeValue, 1, s.Code, s.Name, s.Area,
			strconv.FormatFloat(s.Latitude, 'f', -1, 64), strconv.FormatFloat(s.Longitude, 'f', -1, 64), strconv.FormatBool(s.Assessment))
	}
	for _, s := range c.sections {
		if s.Source {
			ch <- prometheus.MustNewConstMetric(c.source, prometheus.GaugeValue, 1, s.Code, s.Name, s.Area, s.WaterBody)
			continue
		}
		ch <- prometheus.MustNewConstMetric(c.section, prometheus.GaugeValue, 1, s.Code, s.Name, s.Area, s.River, s.Level, s.WaterBody, s.TargetClass)
	}
}
