package metrics

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/target"
)

// TargetSource returns the snapshot a scrape renders.
type TargetSource func() target.Snapshot

// TargetCollector exposes indicators, targets, budgets and statuses of every area, and
// the water sections and drinking-water sources.
type TargetCollector struct {
	src   TargetSource
	descs map[string]*prometheus.Desc
}

var targetDescs = []struct {
	name, help string
	labels     []string
}{
	{"envwatch_air_mean_grams_per_cubic_meter", "Mean of daily values over the period (published rounding), g/m³. period: year_to_date or same_period_last_year; basis: official, comparable (last year under this year's standards) or without_sand_deduction.", []string{"area", "pollutant", "year", "period", "basis"}},
	{"envwatch_air_day_indicator", "Day counts over the period: good_days (AQI ≤ 100), o3_exceedance_days (in the season), heavy_pollution_days (AQI > 200).", []string{"area", "indicator", "year", "period", "basis"}},
	{"envwatch_indicator_ratio", "Ratios over the period (0–1): good_day_ratio, sections_compliance, drinking_water_compliance, sections_class_i_iii_share, sections_worse_than_v_share.", []string{"area", "indicator", "year", "period", "basis"}},
	{"envwatch_air_composite_index", "Composite index (综合指数) over the period.", []string{"area", "year", "period", "basis"}},
	{"envwatch_yoy_change_ratio", "Year-over-year change as published: relative change of the rounded values for means and the composite index (−0.094 = fell 9.4 %), difference of ratios for ratios (0.02 = 2 percentage points).", []string{"area", "indicator", "year", "basis"}},
	{"envwatch_yoy_change_day_indicator", "Year-over-year change of a day count (days).", []string{"area", "indicator", "year", "basis"}},
	{"envwatch_target_mean_grams_per_cubic_meter", "Annual-mean target (at most), g/m³.", []string{"area", "pollutant", "year"}},
	{"envwatch_target_required_remaining_mean_grams_per_cubic_meter", "Mean the rest of the year must not exceed for the annual mean to meet its target, g/m³.", []string{"area", "pollutant", "year"}},
	{"envwatch_target_day_indicator", "Day-count target: at least for good_days, at most for exceedance and heavy-pollution days.", []string{"area", "indicator", "year"}},
	{"envwatch_target_day_budget_used", "Days of a day-count target used so far (for good_days: days that were not good).", []string{"area", "indicator", "year"}},
	{"envwatch_target_day_budget_remaining", "Days of a day-count target still available (negative: exceeded).", []string{"area", "indicator", "year"}},
	{"envwatch_target_ratio", "Ratio target (at least), 0–1.", []string{"area", "indicator", "year"}},
	{"envwatch_target_composite_index", "Composite-index target (at most).", []string{"area", "year"}},
	{"envwatch_target_yoy_change_ratio", "Year-over-year change target (at most), e.g. −0.05.", []string{"area", "indicator", "year"}},
	{"envwatch_target_status", "1 for the target's current status (on_track, at_risk, breached, met), 0 for the others.", []string{"area", "indicator", "year", "status"}},
	{"envwatch_reported_value", "Value of a reported indicator (from its file), in the indicator's own unit.", []string{"area", "indicator", "year"}},
	{"envwatch_target_reported_value", "Target of a reported indicator.", []string{"area", "indicator", "year"}},
	{"envwatch_water_section_class", "Class of the section's year-to-date period values: 1–5 = I–V, 6 = 劣V.", []string{"section", "area", "river", "level"}},
	{"envwatch_water_section_target_class", "Target class of the section: 1–5 = I–V.", []string{"section", "area", "river", "level"}},
	{"envwatch_water_section_compliant", "1 if the section meets its target class year to date.", []string{"section", "area", "river", "level"}},
	{"envwatch_water_section_samples", "Samples of the section year to date.", []string{"section", "area", "river", "level"}},
	{"envwatch_water_section_exceedance_ratio", "Exceedance multiple over Class III of a main pollutant, (C − C_III)/C_III.", []string{"section", "item"}},
	{"envwatch_drinking_water_source_class", "Class of the drinking-water source's year-to-date values: 1–6.", []string{"source", "area"}},
	{"envwatch_drinking_water_source_compliant", "1 if the source meets Class III and GB 3838 Table 2 year to date.", []string{"source", "area"}},
}

// NewTargetCollector returns the collector.
func NewTargetCollector(src TargetSource) *TargetCollector {
	c := &TargetCollector{src: src, descs: map[string]*prometheus.Desc{}}
	for _, d := range targetDescs {
		c.descs[d.name] = prometheus.NewDesc(d.name, d.help, d.labels, nil)
	}
	return c
}

// Describe implements prometheus.Collector.
func (c *TargetCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range targetDescs {
		ch <- c.descs[d.name]
	}
}

func (c *TargetCollector) emit(ch chan<- prometheus.Metric, name string, v float64, labels ...string) {
	ch <- prometheus.MustNewConstMetric(c.descs[name], prometheus.GaugeValue, v, labels...)
}

// Collect implements prometheus.Collector.
func (c *TargetCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.src()
	year := strconv.Itoa(s.Year)
	for i := range s.Results {
		c.result(ch, &s.Results[i], year)
	}
	for _, w := range s.Water {
		if w.Source {
			if w.Samples > 0 {
				c.emit(ch, "envwatch_drinking_water_source_class", float64(w.Class), w.Code, w.Area)
				c.emit(ch, "envwatch_drinking_water_source_compliant", b2f(w.Compliant), w.Code, w.Area)
			}
			continue
		}
		l := []string{w.Code, w.Area, w.River, w.Level}
		c.emit(ch, "envwatch_water_section_target_class", float64(w.Target), l...)
		c.emit(ch, "envwatch_water_section_samples", float64(w.Samples), l...)
		if w.Samples == 0 {
			continue
		}
		c.emit(ch, "envwatch_water_section_class", float64(w.Class), l...)
		c.emit(ch, "envwatch_water_section_compliant", b2f(w.Compliant), l...)
		for _, m := range w.Main {
			f, _ := m.Multiple.Float64()
			c.emit(ch, "envwatch_water_section_exceedance_ratio", f, w.Code, m.Item.Code())
		}
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// value converts a published number to the metric's base unit exactly (40 µg/m³ is the
// float nearest 4e-05, not 40 × 1e-6).
func value(n *target.Num, exp int) float64 {
	d, _ := fixed.Parse(n.Text)
	return d.Float64E(exp)
}

func (c *TargetCollector) result(ch chan<- prometheus.Metric, r *target.Result, year string) {
	type series struct {
		period, basis string
		n             *target.Num
	}
	vals := []series{{"year_to_date", "official", r.Current}, {"same_period_last_year", "official", r.LastYear},
		{"same_period_last_year", "comparable", r.Comparable}, {"year_to_date", "without_sand_deduction", r.WithoutSandDeduction}}
	var perValue func(s series)
	var yoyName string
	switch {
	case r.Unit == "µg/m³":
		yoyName = "envwatch_yoy_change_ratio"
		perValue = func(s series) {
			c.emit(ch, "envwatch_air_mean_grams_per_cubic_meter", value(s.n, -6), r.Area, r.Pollutant, year, s.period, s.basis)
		}
		if r.Target.OK() {
			c.emit(ch, "envwatch_target_mean_grams_per_cubic_meter", value(r.Target, -6), r.Area, r.Pollutant, year)
		}
		if r.RequiredRemaining.OK() {
			c.emit(ch, "envwatch_target_required_remaining_mean_grams_per_cubic_meter", value(r.RequiredRemaining, -6), r.Area, r.Pollutant, year)
		}
	case r.Unit == "days":
		yoyName = "envwatch_yoy_change_day_indicator"
		perValue = func(s series) {
			c.emit(ch, "envwatch_air_day_indicator", value(s.n, 0), r.Area, r.Indicator, year, s.period, s.basis)
		}
		if r.Target.OK() {
			c.emit(ch, "envwatch_target_day_indicator", value(r.Target, 0), r.Area, r.Indicator, year)
		}
		if r.BudgetUsed != nil {
			c.emit(ch, "envwatch_target_day_budget_used", float64(*r.BudgetUsed), r.Area, r.Indicator, year)
			c.emit(ch, "envwatch_target_day_budget_remaining", float64(*r.BudgetLeft), r.Area, r.Indicator, year)
		}
	case r.Unit == "index":
		yoyName = "envwatch_yoy_change_ratio"
		perValue = func(s series) {
			c.emit(ch, "envwatch_air_composite_index", value(s.n, 0), r.Area, year, s.period, s.basis)
		}
		if r.Target.OK() {
			c.emit(ch, "envwatch_target_composite_index", value(r.Target, 0), r.Area, year)
		}
	case r.Unit == "%" && (r.Indicator == target.PM25YoY || r.Indicator == target.PM10YoY):
		// A YoY target: the value is already the mean's change.
		if r.Target.OK() {
			c.emit(ch, "envwatch_target_yoy_change_ratio", value(r.Target, -2), r.Area, r.Pollutant+"_mean", year)
		}
		c.status(ch, r, year)
		return
	case r.Unit == "%":
		yoyName = "envwatch_yoy_change_ratio"
		perValue = func(s series) {
			c.emit(ch, "envwatch_indicator_ratio", value(s.n, -2), r.Area, r.Indicator, year, s.period, s.basis)
		}
		if r.Target.OK() {
			c.emit(ch, "envwatch_target_ratio", value(r.Target, -2), r.Area, r.Indicator, year)
		}
	default: // reported indicators
		if r.Current.OK() {
			c.emit(ch, "envwatch_reported_value", value(r.Current, 0), r.Area, r.Indicator, year)
		}
		if r.Target.OK() {
			c.emit(ch, "envwatch_target_reported_value", value(r.Target, 0), r.Area, r.Indicator, year)
		}
		c.status(ch, r, year)
		return
	}
	for _, s := range vals {
		if s.n.OK() {
			perValue(s)
		}
	}
	changeScale := -2 // percent and percentage points → ratio
	if yoyName == "envwatch_yoy_change_day_indicator" {
		changeScale = 0
	}
	if r.Change.OK() {
		c.emit(ch, yoyName, value(r.Change, changeScale), r.Area, r.Indicator, year, "official")
	}
	if r.ComparableChange.OK() {
		c.emit(ch, yoyName, value(r.ComparableChange, changeScale), r.Area, r.Indicator, year, "comparable")
	}
	c.status(ch, r, year)
}

func (c *TargetCollector) status(ch chan<- prometheus.Metric, r *target.Result, year string) {
	if r.Status == target.NoTarget {
		return
	}
	for _, st := range target.Statuses {
		c.emit(ch, "envwatch_target_status", b2f(r.Status == st), r.Area, r.Indicator, year, st.String())
	}
}
