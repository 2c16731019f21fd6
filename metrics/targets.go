package metrics

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/indicator"
)

// TargetSource returns the snapshot a scrape renders.
type TargetSource func() indicator.Snapshot

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
	{"envwatch_air_mean_grams_per_cubic_meter", "Mean of daily values over the period (published rounding), g/m³. period: year_to_date, same_period_last_year or last_year (in full); basis: official, comparable (last year under this year's standards) or without_sand_deduction.", []string{"area", "pollutant", "year", "period", "basis"}},
	{"envwatch_air_percentile_grams_per_cubic_meter", "Assessment percentile of daily values over the period (CO 95th of daily means, O3 90th of MDA8), published rounding, g/m³.", []string{"area", "pollutant", "percentile", "year", "period", "basis"}},
	{"envwatch_air_day_indicator", "Day counts over the period: good_days (AQI ≤ 100), o3_exceedance_days (in the season), heavy_pollution_days (AQI > 200), exceedance_days (AQI > 100), valid_days (a valid daily AQI).", []string{"area", "indicator", "year", "period", "basis"}},
	{"envwatch_indicator_ratio", "Ratios over the period (0–1): good_day_ratio, sections_compliance, drinking_water_compliance, drinking_water_volume_compliance, sections_class_i_iii_share, sections_worse_than_v_share.", []string{"area", "indicator", "year", "period", "basis"}},
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
	{"envwatch_target_status", "1 for the target's current status (met, on_track, at_risk, unlikely, missed, insufficient_data), 0 for the others.", []string{"area", "indicator", "year", "status"}},
	{"envwatch_target_probability", "Probability (0–1) of meeting the target by the year's end, from simulated rests of the year resampled from the area's past years (docs/targets.md, Outlook); absent without two past years or when the outcome is certain.", []string{"area", "indicator", "year"}},
	{"envwatch_target_outlook_value", "The simulated year-end value of the indicator at the 10th, 50th and 90th percentile of the simulated years (percentile 10, 50, 90; not a summary's quantile), in the indicator's published unit (µg/m³, days, %, index).", []string{"area", "indicator", "year", "percentile"}},
	{"envwatch_reported_value", "Value of a reported indicator (from its file), in the indicator's own unit.", []string{"area", "indicator", "year"}},
	{"envwatch_target_reported_value", "Target of a reported indicator.", []string{"area", "indicator", "year"}},
	{"envwatch_indicator_valid", "1 when the indicator's statistic over the period meets the validity rules (GB 3095 Table 4 coverage, docs/targets.md), else 0. Comparisons and statuses are published only on valid statistics.", []string{"area", "indicator", "year", "period"}},
	{"envwatch_indicator_valid_day", "Days with a valid value of the indicator's statistic in the period (per pollutant for concentrations; days with a valid daily AQI for day counts and ratios).", []string{"area", "indicator", "year", "period"}},
	{"envwatch_period_calendar_day", "Calendar days of the period the indicators cover.", []string{"area", "year", "period"}},
	{"envwatch_period_not_reported_day", "Days of this year's period after the data end (not yet reported; missing, not NA).", []string{"area", "year"}},
	{"envwatch_indicator_as_of_timestamp_seconds", "Start (00:00 Beijing time) of the last day the area's indicators count: its data end, at most yesterday.", []string{"area"}},
	{"envwatch_indicator_data_end_timestamp_seconds", "Start (00:00 Beijing time) of the newest day with a determinable daily AQI for the area.", []string{"area"}},
	{"envwatch_water_trend_ratio", "2011 method's trend of the area's sections: ΔG − ΔD (change of the Class I–III share minus change of the 劣V share) as a ratio (0.1 = 10 percentage points).", []string{"area", "year"}},
	{"envwatch_water_trend_info", "The trend's verdict: direction improved, deteriorated or unchanged; degree none (|Δ| ≤ 10 pp), slight (≤ 20) or significant.", []string{"area", "year", "direction", "degree"}},
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
	periods := map[string]bool{}
	for i := range s.Results {
		r := &s.Results[i]
		c.result(ch, r, year)
		c.coverage(ch, r, year, periods)
	}
	for _, a := range s.Areas {
		if a.DataEnd > 0 {
			c.emit(ch, "envwatch_indicator_data_end_timestamp_seconds", float64(a.DataEnd.Start().Unix()), a.Area)
			c.emit(ch, "envwatch_indicator_as_of_timestamp_seconds", float64(a.AsOf.Start().Unix()), a.Area)
		}
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
func value(n *indicator.Num, exp int) float64 {
	d, _ := fixed.Parse(n.Text)
	return d.Float64E(exp)
}

func (c *TargetCollector) result(ch chan<- prometheus.Metric, r *indicator.Result, year string) {
	type series struct {
		period, basis string
		n             *indicator.Num
	}
	vals := []series{{"year_to_date", "official", r.Current}, {"same_period_last_year", "official", r.LastYear},
		{"same_period_last_year", "comparable", r.Comparable}, {"year_to_date", "without_sand_deduction", r.WithoutSandDeduction},
		{"last_year", "official", r.LastYearFull}}
	var perValue func(s series)
	var yoyName string
	switch {
	case r.Indicator == indicator.SectionsTrend:
		if r.Current.OK() && r.Trend != nil {
			c.emit(ch, "envwatch_water_trend_ratio", value(r.Current, -2), r.Area, year)
			c.emit(ch, "envwatch_water_trend_info", 1, r.Area, year, r.Trend.DirectionCode(), r.Trend.DegreeCode())
		}
		return
	case r.Indicator == indicator.COP95 || r.Indicator == indicator.O3P90:
		yoyName = "envwatch_yoy_change_ratio"
		exp, pct := -6, "90"
		if r.Indicator == indicator.COP95 {
			exp, pct = -3, "95"
		}
		perValue = func(s series) {
			c.emit(ch, "envwatch_air_percentile_grams_per_cubic_meter", value(s.n, exp), r.Area, r.Pollutant, pct, year, s.period, s.basis)
		}
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
	case r.Unit == "%" && (r.Indicator == indicator.PM25YoY || r.Indicator == indicator.PM10YoY):
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

// coverage exposes the data behind an indicator in each period; a period's calendar days
// once per area.
func (c *TargetCollector) coverage(ch chan<- prometheus.Metric, r *indicator.Result, year string, seen map[string]bool) {
	if r.Indicator == indicator.PM25YoY || r.Indicator == indicator.PM10YoY {
		return // a change: present exactly when both periods of its mean are valid
	}
	for _, p := range []struct {
		period string
		cov    indicator.Coverage
	}{{"year_to_date", r.Coverage}, {"same_period_last_year", r.LastYearCoverage}, {"last_year", r.LastYearFullCoverage}} {
		if p.cov.CalendarDays == 0 {
			continue
		}
		c.emit(ch, "envwatch_indicator_valid", b2f(p.cov.Valid), r.Area, r.Indicator, year, p.period)
		c.emit(ch, "envwatch_indicator_valid_day", float64(p.cov.ValidDays), r.Area, r.Indicator, year, p.period)
		if k := r.Area + "\x00" + p.period; !seen[k] {
			seen[k] = true
			c.emit(ch, "envwatch_period_calendar_day", float64(p.cov.CalendarDays), r.Area, year, p.period)
			if p.period == "year_to_date" {
				c.emit(ch, "envwatch_period_not_reported_day", float64(p.cov.NotReported), r.Area, year)
			}
		}
	}
}

func (c *TargetCollector) status(ch chan<- prometheus.Metric, r *indicator.Result, year string) {
	if r.Status == indicator.NoTarget {
		return
	}
	for _, st := range indicator.Statuses {
		c.emit(ch, "envwatch_target_status", b2f(r.Status == st), r.Area, r.Indicator, year, st.String())
	}
	if o := r.Outlook; o != nil {
		c.emit(ch, "envwatch_target_probability", o.P, r.Area, r.Indicator, year)
		for _, q := range []struct {
			label string
			n     *indicator.Num
		}{{"10", o.Low}, {"50", o.Mid}, {"90", o.High}} {
			if q.n != nil {
				c.emit(ch, "envwatch_target_outlook_value", value(q.n, 0), r.Area, r.Indicator, year, q.label)
			}
		}
	}
}
