// Command gen writes envwatch's Grafana dashboards (dashboards/*.json). The JSON files are
// what Grafana loads; TestGeneratedDashboardsUpToDate fails when they and this generator
// disagree. Run: cd dashboards && go run ./gen
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

const (
	promUID   = "envwatch-prometheus"
	influxUID = "envwatch-influxdb"
)

type obj = map[string]any

func prom(expr, legend string) obj {
	return obj{"datasource": obj{"type": "prometheus", "uid": promUID}, "expr": expr, "legendFormat": legend, "refId": "A"}
}

func influxQL(q, alias string) obj {
	return obj{"datasource": obj{"type": "influxdb", "uid": influxUID}, "query": q, "rawQuery": true, "resultFormat": "time_series", "alias": alias, "refId": "A"}
}

type grid struct{ x, y, w, h int }

func panel(id int, typ, title, desc string, g grid, unit string, targets ...obj) obj {
	for i, t := range targets {
		t["refId"] = string(rune('A' + i))
	}
	p := obj{"id": id, "type": typ, "title": title, "description": desc,
		"gridPos": obj{"x": g.x, "y": g.y, "w": g.w, "h": g.h}, "targets": targets,
		"datasource":  targets[0]["datasource"],
		"fieldConfig": obj{"defaults": obj{"unit": unit}, "overrides": []any{}}, "options": obj{}}
	return p
}

// aqiThresholds are the HJ 633 level colours (Appendix A).
func aqiThresholds() obj {
	return obj{"mode": "absolute", "steps": []obj{
		{"color": "#00E400", "value": nil}, {"color": "#FFFF00", "value": 51}, {"color": "#FF7E00", "value": 101},
		{"color": "#FF0000", "value": 151}, {"color": "#99004C", "value": 201}, {"color": "#7E0023", "value": 301}}}
}

// targetStatuses are envwatch_target_status's statuses in the traffic light's order (its
// values 0…5), with the words and colours of the pages (indicator.Status.Text and Colour):
// green when met or on track, amber at risk, red when unlikely or missed, grey without a
// claim.
var targetStatuses = []struct{ status, text, colour string }{
	{"on_track", "进度正常 on track", "green"}, {"at_risk", "存在风险 at risk", "orange"}, {"unlikely", "难以完成 unlikely", "red"},
	{"missed", "已无法完成 missed", "dark-red"}, {"met", "已完成 met", "dark-green"}, {"insufficient_data", "数据不足 insufficient data", "text"},
}

func statusMappings() []obj {
	opts := obj{}
	for i, st := range targetStatuses {
		opts[fmt.Sprint(i)] = obj{"text": st.text, "color": st.colour}
	}
	return []obj{{"type": "value", "options": opts}}
}

// validOnly keeps a series only while the statistic it shows meets the coverage rule: a
// comparison is drawn only between valid statistics (envwatch_indicator_valid).
func validOnly(expr, indicator, period string) string {
	return fmt.Sprintf(`%s and on (area, year, period) (envwatch_indicator_valid{area="$area",indicator=%q,period=%q} == 1)`, expr, indicator, period)
}

// statusExpr turns the one-series-per-status metric into the light's value 0…5 per
// indicator: each status's series where it is 1, its label dropped, set to its number.
func statusExpr(selector string) string {
	var parts []string
	for i, st := range targetStatuses {
		parts = append(parts, fmt.Sprintf(`(max by (indicator) (envwatch_target_status{%s,status="%s"} == 1) * 0 + %d)`, selector, st.status, i))
	}
	return strings.Join(parts, " or ")
}

func dashboard(uid, title, desc string, panels []obj, vars ...obj) obj {
	return obj{"uid": uid, "title": title, "description": desc, "tags": []string{"envwatch"}, "timezone": "Asia/Shanghai",
		"schemaVersion": 39, "version": 1, "editable": false, "refresh": "5m", "time": obj{"from": "now-7d", "to": "now"},
		"templating": obj{"list": append([]obj{}, vars...)}, "panels": panels}
}

// areaVar lists the areas of a metric; the dropdown shows ids (Grafana's label_values
// cannot show a second label), the panels show names from envwatch_area_info.
func areaVar(of string) obj {
	q := "label_values(" + of + ", area)"
	return obj{"name": "area", "label": "区域 Area", "type": "query", "datasource": obj{"type": "prometheus", "uid": promUID},
		"query": obj{"query": q, "refId": "area"}, "definition": q, "refresh": 2, "current": obj{}, "includeAll": false}
}

// named joins a series to its site's name (info metrics): people read 市委党校, not 1812A.
func named(expr, on, info string) string {
	return "(" + expr + ") * on(" + on + ") group_left(name) " + info
}

func cityOverview() obj {
	aqiTable := panel(1, "table", "各站点实时 AQI · AQI now per station", "Real-time AQI of every station (HJ 633 colours), named from envwatch_station_info.", grid{0, 0, 12, 10}, "none",
		prom(named(`envwatch_air_aqi`, "station", "envwatch_station_info"), "{{name}}"))
	aqiTable["fieldConfig"].(obj)["defaults"].(obj)["thresholds"] = aqiThresholds()
	aqiTable["fieldConfig"].(obj)["defaults"].(obj)["custom"] = obj{"cellOptions": obj{"type": "color-background"}}
	aqiTable["targets"].([]obj)[0]["format"] = "table"
	aqiTable["targets"].([]obj)[0]["instant"] = true
	geo := panel(2, "geomap", "站点地图 · Station map", "Every station at its coordinates (envwatch_station_info), coloured by real-time AQI in the HJ 633 level colours.", grid{12, 0, 12, 10}, "none",
		prom(`envwatch_air_aqi * on(station) group_left(name, latitude, longitude) envwatch_station_info`, "{{name}}"))
	geo["fieldConfig"].(obj)["defaults"].(obj)["thresholds"] = aqiThresholds()
	geo["targets"].([]obj)[0]["format"] = "table"
	geo["targets"].([]obj)[0]["instant"] = true
	// Labels arrive as text: the map needs numbers for the coordinates.
	geo["transformations"] = []obj{{"id": "convertFieldType", "options": obj{"conversions": []obj{
		{"targetField": "latitude", "destinationType": "number"}, {"targetField": "longitude", "destinationType": "number"}}}}}
	geo["options"] = obj{
		"view": obj{"id": "fit", "lat": 34.62, "lon": 112.45, "zoom": 9},
		"layers": []obj{{"type": "markers", "name": "stations",
			"location": obj{"mode": "coords", "latitude": "latitude", "longitude": "longitude"},
			"config": obj{"showLegend": true, "style": obj{"color": obj{"field": "Value"}, "size": obj{"fixed": 10},
				"text": obj{"mode": "field", "field": "name"}, "textConfig": obj{"fontSize": 12, "offsetY": -14}}}}}}
	city := panel(3, "stat", "城市实时 AQI · City AQI", "Real-time AQI of the area from the mean of its stations (HJ 663 Table A.2).", grid{0, 10, 6, 6}, "none",
		prom(named(`envwatch_air_area_aqi{area="$area"}`, "area", "envwatch_area_info"), "{{name}}"))
	city["fieldConfig"].(obj)["defaults"].(obj)["thresholds"] = aqiThresholds()
	primary := panel(4, "stat", "首要污染物 · Primary pollutant", "Primary pollutant(s) of the area's real-time AQI.", grid{6, 10, 6, 6}, "none",
		prom(`envwatch_air_area_primary_pollutant_info{area="$area"}`, "{{pollutant}}"))
	day := panel(5, "stat", "今日 AQI（暂定）· Today so far", "Provisional daily AQI of the current day.", grid{12, 10, 6, 6}, "none",
		prom(`envwatch_air_area_day_aqi{area="$area"}`, "AQI"))
	day["fieldConfig"].(obj)["defaults"].(obj)["thresholds"] = aqiThresholds()
	lights := panel(6, "stat", "目标状态 · Target status", "Each target's status as a traffic light: on track and met green, at risk amber, unlikely (probability under 20 %) and missed red, insufficient data grey (the statistic does not meet the validity rules).", grid{0, 16, 24, 6}, "none",
		prom(statusExpr(`area="$area"`), "{{indicator}}"))
	lights["fieldConfig"].(obj)["defaults"].(obj)["mappings"] = statusMappings()
	lights["fieldConfig"].(obj)["defaults"].(obj)["thresholds"] = obj{"mode": "absolute", "steps": []obj{
		{"color": "green", "value": nil}, {"color": "orange", "value": 1}, {"color": "red", "value": 2}, {"color": "blue", "value": 3}, {"color": "text", "value": 4}}}
	return dashboard("envwatch-city", "城市总览 · City overview", "AQI now, today's level and target status.",
		[]obj{aqiTable, geo, city, primary, day, lights}, areaVar("envwatch_air_area_aqi"))
}

func airTargets() obj {
	ug := "µg/m³"
	// Metrics are in g/m³ (base units); panels show µg/m³ as bureaus read them.
	pm := func(id int, pollutant, label string, g grid) obj {
		return panel(id, "timeseries", label+" 年均 · annual mean (YTD vs target vs last year)", "Year to date, same period last year (only while its statistic is valid), target and the mean the rest of the year must not exceed, µg/m³.", g, ug,
			prom(`envwatch_air_mean_grams_per_cubic_meter{area="$area",pollutant="`+pollutant+`",period="year_to_date",basis="official"} * 1e6`, "今年 YTD"),
			prom(validOnly(`envwatch_air_mean_grams_per_cubic_meter{area="$area",pollutant="`+pollutant+`",period="same_period_last_year",basis="official"} * 1e6`, pollutant+"_mean", "same_period_last_year"), "去年同期 last year"),
			prom(`envwatch_target_mean_grams_per_cubic_meter{area="$area",pollutant="`+pollutant+`"} * 1e6`, "目标 target"),
			prom(`envwatch_target_required_remaining_mean_grams_per_cubic_meter{area="$area",pollutant="`+pollutant+`"} * 1e6`, "剩余须 ≤ required"))
	}
	good := panel(3, "timeseries", "优良天数 · Good days", "Good days this year, last year (official and comparable) and the target.", grid{0, 8, 12, 8}, "d",
		prom(`envwatch_air_day_indicator{area="$area",indicator="good_days",period="year_to_date"}`, "今年 YTD"),
		prom(validOnly(`envwatch_air_day_indicator{area="$area",indicator="good_days",period="same_period_last_year"}`, "good_days", "same_period_last_year"), "去年同期 {{basis}}"),
		prom(`envwatch_target_day_indicator{area="$area",indicator="good_days"}`, "目标 target"))
	o3 := panel(4, "bargauge", "夏季臭氧超标天数 · Summer O3 exceedance days", "Used and left of the summer ozone budget.", grid{12, 8, 12, 8}, "d",
		prom(`envwatch_target_day_budget_used{area="$area",indicator="o3_exceedance_days"}`, "已用 used"),
		prom(`envwatch_target_day_budget_remaining{area="$area",indicator="o3_exceedance_days"}`, "剩余 left"))
	comp := panel(5, "stat", "综合指数 · Composite index", "Composite index year to date and its target.", grid{0, 16, 8, 6}, "none",
		prom(`envwatch_air_composite_index{area="$area",period="year_to_date"}`, "今年 YTD"),
		prom(`envwatch_target_composite_index{area="$area"}`, "目标 target"))
	rank := panel(6, "bargauge", "区县排名 · District ranking (PM2.5 YTD)", "PM2.5 year to date per area, µg/m³.", grid{8, 16, 16, 6}, ug,
		prom(`sort_desc(`+named(`envwatch_air_mean_grams_per_cubic_meter{pollutant="pm2_5",period="year_to_date",basis="official"} * 1e6 and on (area) envwatch_area_info{parent="$area"}`, "area", "envwatch_area_info")+`)`, "{{name}}"))
	// History from InfluxDB's derived series (docs/storage.md).
	calendar := panel(7, "status-history", "每日 AQI 日历 · Daily AQI this year", "Daily AQI of the area (air_daily) in the HJ 633 level colours; grey: NA.", grid{0, 22, 24, 8}, "none",
		influxQL(`SELECT last("aqi") FROM "air_daily" WHERE "scope" = 'area' AND "area" =~ /^$area$/ AND "valid" = 1 AND $timeFilter GROUP BY time(1d) fill(none) tz('Asia/Shanghai')`, "AQI"))
	calendar["fieldConfig"].(obj)["defaults"].(obj)["thresholds"] = aqiThresholds()
	calendar["fieldConfig"].(obj)["defaults"].(obj)["color"] = obj{"mode": "thresholds"}
	calendar["timeFrom"] = "now/y"
	monthly := panel(8, "barchart", "月均值 今年与去年 · Monthly means, this year vs last", "PM2.5 and PM10 means of each calendar month (air_monthly; withheld months have no bar), this year and last year, µg/m³.", grid{0, 30, 24, 8}, ug,
		influxQL(`SELECT last("pm2_5") AS "PM2.5", last("pm10") AS "PM10" FROM "air_monthly" WHERE "area" =~ /^$area$/ AND "pm2_5" >= 0 AND $timeFilter GROUP BY time(1d) fill(none) tz('Asia/Shanghai')`, "今年 $col"),
		influxQL(`SELECT last("pm2_5") AS "PM2.5", last("pm10") AS "PM10" FROM "air_monthly" WHERE "area" =~ /^$area$/ AND "pm2_5" >= 0 AND $timeFilter - 365d GROUP BY time(1d) fill(none) tz('Asia/Shanghai')`, "去年 $col"))
	monthly["timeFrom"] = "now/y"
	daily := panel(9, "timeseries", "日均值 · Daily values", "Published daily PM2.5, PM10 and O3 MDA8 of the area (air_daily), µg/m³.", grid{0, 38, 24, 8}, ug,
		influxQL(`SELECT last("pm2_5") AS "PM2.5", last("pm10") AS "PM10", last("o3_8h") AS "O3-8h" FROM "air_daily" WHERE "scope" = 'area' AND "area" =~ /^$area$/ AND "valid" = 1 AND $timeFilter GROUP BY time(1d) fill(none) tz('Asia/Shanghai')`, "$col"))
	// The outlook (docs/targets.md, "Outlook"): the probability coloured at the status
	// thresholds (unlikely under 0.2, on track from 0.8), and the statuses themselves.
	prob := panel(10, "bargauge", "按期完成概率 · Probability of meeting each target", "Probability of meeting each annual target by 31 December, simulated from the area's past years (absent without two past years, or when the outcome is already certain).", grid{0, 46, 12, 8}, "percentunit",
		prom(`envwatch_target_probability{area="$area"}`, "{{indicator}}"))
	prob["fieldConfig"].(obj)["defaults"].(obj)["min"] = 0
	prob["fieldConfig"].(obj)["defaults"].(obj)["max"] = 1
	prob["fieldConfig"].(obj)["defaults"].(obj)["color"] = obj{"mode": "thresholds"}
	prob["fieldConfig"].(obj)["defaults"].(obj)["thresholds"] = obj{"mode": "absolute", "steps": []obj{
		{"color": "red", "value": nil}, {"color": "orange", "value": 0.2}, {"color": "green", "value": 0.8}}}
	lights := panel(11, "stat", "目标状态 · Target status", "Each target's status: on track and met green, at risk amber, unlikely and missed red, insufficient data grey.", grid{12, 46, 12, 8}, "none",
		prom(statusExpr(`area="$area"`), "{{indicator}}"))
	lights["fieldConfig"].(obj)["defaults"].(obj)["mappings"] = statusMappings()
	return dashboard("envwatch-air-targets", "大气目标 · Air targets", "PM2.5/PM10 against targets, good days, summer ozone budget, daily and monthly history, the probability of meeting each target.",
		[]obj{pm(1, "pm2_5", "PM2.5", grid{0, 0, 12, 8}), pm(2, "pm10", "PM10", grid{12, 0, 12, 8}), good, o3, comp, rank, calendar, monthly, daily, prob, lights}, areaVar("envwatch_air_area_aqi"))
}

func water() obj {
	classes := panel(1, "table", "断面水质类别 · Section class vs target", "Class of each section's year-to-date values (1–5 = I–V, 6 = 劣V) and its target class.", grid{0, 0, 24, 10}, "none",
		prom(named(`envwatch_water_section_class`, "section", "envwatch_section_info"), "{{name}}"), prom(named(`envwatch_water_section_target_class`, "section", "envwatch_section_info"), "{{name}} target"))
	rate := panel(2, "stat", "断面达标率 · Sections compliance", "Share of sections meeting their target class.", grid{0, 10, 8, 6}, "percentunit",
		prom(`envwatch_indicator_ratio{area="$area",indicator="sections_compliance",period="year_to_date"}`, "达标率"))
	shares := panel(3, "bargauge", "Ⅰ～Ⅲ类与劣Ⅴ类比例 · Class I–III and 劣V shares", "Shares of Class I–III and 劣V sections.", grid{8, 10, 8, 6}, "percentunit",
		prom(`envwatch_indicator_ratio{area="$area",indicator=~"sections_class_i_iii_share|sections_worse_than_v_share"}`, "{{indicator}}"))
	main := panel(4, "table", "主要污染指标 · Main pollutants", "Exceedance multiple over Class III of each section's main pollutants.", grid{16, 10, 8, 6}, "none",
		prom(named(`envwatch_water_section_exceedance_ratio`, "section", "envwatch_section_info"), "{{name}} {{item}}"))
	dw := panel(5, "table", "饮用水水源地 · Drinking-water sources", "Class and compliance (Class III and GB 3838 Table 2) of each source.", grid{0, 16, 24, 6}, "none",
		prom(named(`envwatch_drinking_water_source_compliant`, "source", "envwatch_drinking_water_source_info"), "{{name}}"),
		prom(named(`envwatch_drinking_water_source_class`, "source", "envwatch_drinking_water_source_info"), "{{name}} class"))
	months := panel(6, "table", "断面逐月类别 · Sections by month", "Each section's monthly class, main pollutants and whether it met its target (water_period).", grid{0, 22, 24, 8}, "none",
		influxQL(`SELECT last("class_name") AS "class", last("main_pollutants") AS "main", last("target_met") AS "met" FROM "water_period" WHERE "area" =~ /^$area$/ AND $timeFilter GROUP BY time(1d), "section" fill(none) tz('Asia/Shanghai')`, "$tag_section $col"))
	months["targets"].([]obj)[0]["resultFormat"] = "table"
	months["timeFrom"] = "now/y"
	// The area list comes from the water series: an area with sections but no air station is there.
	return dashboard("envwatch-water", "水环境 · Water", "Sections against target classes, shares, main pollutants, drinking water.",
		[]obj{classes, rate, shares, main, dw, months}, areaVar("envwatch_indicator_ratio{indicator=\"sections_compliance\"}"))
}

func stationDetail() obj {
	v := obj{"name": "station", "label": "站点 Station", "type": "query", "datasource": obj{"type": "influxdb", "uid": influxUID},
		"query": `SHOW TAG VALUES FROM "air_hourly" WITH KEY = "station"`, "definition": `SHOW TAG VALUES FROM "air_hourly" WITH KEY = "station"`, "refresh": 1, "current": obj{}}
	// limits are the GB 3095 Grade II limits: one line where the 2026 edition kept the 2012
	// value, two where it changed (PM: the 2026 limit amber, the 2012 one red) — a chart
	// spans dates under either edition (2026 in force from 1 March 2026).
	series := func(id int, field, title, unit string, g grid, limits ...float64) obj {
		p := panel(id, "timeseries", title, "Hourly values from InfluxDB (InfluxQL); the lines are the GB 3095 Grade II limits (both editions where the 2026 edition changed them).", g, unit,
			influxQL(fmt.Sprintf(`SELECT mean("%s") FROM "air_hourly" WHERE "station" =~ /^$station$/ AND $timeFilter GROUP BY time(1h) fill(none)`, field), field))
		steps := []obj{{"color": "green", "value": nil}}
		colours := []string{"red"}
		if len(limits) == 2 {
			colours = []string{"orange", "red"}
		}
		for i, l := range limits {
			steps = append(steps, obj{"color": colours[i], "value": l})
		}
		p["fieldConfig"].(obj)["defaults"].(obj)["thresholds"] = obj{"mode": "absolute", "steps": steps}
		p["fieldConfig"].(obj)["defaults"].(obj)["custom"] = obj{"thresholdsStyle": obj{"mode": "line"}}
		return p
	}
	return dashboard("envwatch-station", "站点详情 · Station detail", "Hourly history of every pollutant at one station.",
		[]obj{series(1, "pm2_5", "细颗粒物 · PM2.5 µg/m³ (24 小时二级 Grade II: 2026 版 60, 2012 版 75)", "µg/m³", grid{0, 0, 12, 8}, 60, 75),
			series(2, "pm10", "可吸入颗粒物 · PM10 µg/m³ (24 小时二级 Grade II: 2026 版 120, 2012 版 150)", "µg/m³", grid{12, 0, 12, 8}, 120, 150),
			series(3, "o3", "臭氧 · O3 µg/m³ (1 小时二级 Grade II 200)", "µg/m³", grid{0, 8, 12, 8}, 200),
			series(4, "no2", "二氧化氮 · NO2 µg/m³ (1 小时二级 Grade II 200)", "µg/m³", grid{12, 8, 12, 8}, 200),
			series(5, "so2", "二氧化硫 · SO2 µg/m³ (1 小时二级 Grade II 500)", "µg/m³", grid{0, 16, 12, 8}, 500),
			series(6, "co", "一氧化碳 · CO mg/m³ (1 小时二级 Grade II 10)", "mg/m³", grid{12, 16, 12, 8}, 10)}, v)
}

func pipelineHealth() obj {
	return dashboard("envwatch-pipeline", "数据管道 · Pipeline health", "Sources, freshness, rejections, InfluxDB writes, scrape duration.", []obj{
		panel(1, "stat", "数据源状态 · Sources up", "1 if the source's last run succeeded.", grid{0, 0, 8, 6}, "none", prom(`envwatch_source_up`, "{{source}}")),
		panel(2, "table", "最近成功 · Last success", "Age of each source's last successful run.", grid{8, 0, 8, 6}, "s", prom(`time() - envwatch_source_last_success_timestamp_seconds`, "{{source}}")),
		panel(3, "bargauge", "数据时效 · Observation age per station", "Hours since each station's newest observation (alert above 3 h).", grid{16, 0, 8, 12}, "s",
			prom(named(`time() - envwatch_air_observation_timestamp_seconds`, "station", "envwatch_station_info"), "{{name}}")),
		panel(4, "timeseries", "拒收数据 · Readings rejected by reason", "Rejected values per source and reason.", grid{0, 6, 16, 6}, "short",
			prom(`sum by (source, reason) (rate(envwatch_readings_rejected_total[1h]))`, "{{source}} {{reason}}")),
		panel(5, "timeseries", "InfluxDB 写入 · InfluxDB writes", "Points written and failed per second.", grid{0, 12, 12, 6}, "short",
			prom(`rate(envwatch_influxdb_points_written_total[5m])`, "written"), prom(`rate(envwatch_influxdb_points_failed_total[5m])`, "failed")),
		panel(6, "timeseries", "写入耗时 · Write latency (p95)", "95th percentile of InfluxDB write requests.", grid{12, 12, 12, 6}, "s",
			prom(`histogram_quantile(0.95, sum by (le) (rate(envwatch_influxdb_write_duration_seconds_bucket[5m])))`, "p95")),
		panel(7, "timeseries", "抓取耗时 · Scrape duration", "Prometheus scrape duration of envwatch.", grid{0, 18, 12, 6}, "s",
			prom(`scrape_duration_seconds{job="envwatch"}`, "{{instance}}")),
		panel(8, "timeseries", "数据源运行耗时 · Source run duration (p95)", "95th percentile of source runs.", grid{12, 18, 12, 6}, "s",
			prom(`histogram_quantile(0.95, sum by (source, le) (rate(envwatch_source_run_duration_seconds_bucket[1h])))`, "{{source}}")),
		panel(9, "timeseries", "写入缓存 · InfluxDB spool backlog", "Points waiting in the spool and dead letters.", grid{0, 24, 24, 6}, "short",
			prom(`envwatch_spool_pending_points`, "待写入 spooled"), prom(`envwatch_spool_dead_letters`, "死信 dead letters")),
	})
}

// monthly is the 月考核 dashboard: the units' rankings and eco-compensation of the last
// complete month and the month so far.
func monthly() obj {
	rank := panel(1, "bargauge", "月度排名 · Ranking (last complete month)", "Each unit's rank by the indicator (1 best; units without a valid month are not ranked).", grid{0, 0, 12, 10}, "none",
		prom(named(`envwatch_assessment_rank{parent="$area",period="last_month",indicator="$indicator"}`, "area", "envwatch_area_info"), "{{name}}"))
	mtd := panel(2, "bargauge", "本月至今排名（暂定）· Month to date (provisional)", "The running month's ranks; they change with each day.", grid{12, 0, 12, 10}, "none",
		prom(named(`envwatch_assessment_rank{parent="$area",period="month_to_date",indicator="$indicator"}`, "area", "envwatch_area_info"), "{{name}}"))
	pay := panel(3, "table", "生态补偿 · Eco-compensation (last complete month)", "What each unit pays (支偿) or receives (得补) per scheme, in the scheme's money unit.", grid{0, 10, 24, 8}, "none",
		prom(named(`envwatch_assessment_amount{parent="$area",period="last_month"}`, "area", "envwatch_area_info"), "{{name}} {{scheme}} {{direction}}"))
	pay["targets"].([]obj)[0]["format"] = "table"
	pay["targets"].([]obj)[0]["instant"] = true
	streak := panel(4, "stat", "连续末位月数 · Months in a row at last place", "Complete months each unit has been ranked last by the indicator.", grid{0, 18, 24, 6}, "none",
		prom(named(`envwatch_assessment_last_place_months{parent="$area",indicator="$indicator"} > 0`, "area", "envwatch_area_info"), "{{name}}"))
	ind := obj{"name": "indicator", "label": "指标 Indicator", "type": "query", "datasource": obj{"type": "prometheus", "uid": promUID},
		"query": obj{"query": "label_values(envwatch_assessment_rank, indicator)", "refId": "indicator"}, "definition": "label_values(envwatch_assessment_rank, indicator)",
		"refresh": 2, "current": obj{}, "includeAll": false}
	parent := areaVar("envwatch_assessment_ranked_units")
	parent["query"] = obj{"query": "label_values(envwatch_assessment_ranked_units, parent)", "refId": "area"}
	parent["definition"] = "label_values(envwatch_assessment_ranked_units, parent)"
	return dashboard("envwatch-monthly", "月考核 · Monthly assessment", "District and county ranking and eco-compensation (月考核排名、月生态补偿).",
		[]obj{rank, mtd, pay, streak}, parent, ind)
}

// Dashboards returns every dashboard by file name.
func Dashboards() map[string]obj {
	return map[string]obj{"city-overview.json": cityOverview(), "air-targets.json": airTargets(), "water.json": water(),
		"station-detail.json": stationDetail(), "pipeline-health.json": pipelineHealth(), "monthly-assessment.json": monthly()}
}

// Render returns the JSON of a dashboard as committed.
func Render(d obj) ([]byte, error) {
	b, err := json.MarshalIndent(d, "", "  ")
	return append(b, '\n'), err
}

// importDir holds the import copies, outside the provisioned directory (Grafana's file
// provider reads every JSON file below it, and a copy would collide with its original).
const importDir = "../deploy/grafana-import"

// ForImport is a dashboard as Grafana's "Import dashboard" takes it: the data sources
// asked for on import (__inputs) instead of the provisioned uids.
func ForImport(d obj) ([]byte, error) {
	b, err := Render(d)
	if err != nil {
		return nil, err
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	b, _ = json.Marshal(v)
	s := strings.NewReplacer(`"uid":"`+promUID+`"`, `"uid":"${DS_PROMETHEUS}"`, `"uid":"`+influxUID+`"`, `"uid":"${DS_INFLUXDB}"`).Replace(string(b))
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, err
	}
	var inputs []obj
	if strings.Contains(s, "${DS_PROMETHEUS}") {
		inputs = append(inputs, obj{"name": "DS_PROMETHEUS", "label": "Prometheus", "description": "The Prometheus that scrapes envwatch", "type": "datasource", "pluginId": "prometheus", "pluginName": "Prometheus"})
	}
	if strings.Contains(s, "${DS_INFLUXDB}") {
		inputs = append(inputs, obj{"name": "DS_INFLUXDB", "label": "InfluxDB", "description": "The InfluxDB envwatch writes to (InfluxQL)", "type": "datasource", "pluginId": "influxdb", "pluginName": "InfluxDB"})
	}
	v["__inputs"] = inputs
	delete(v, "id")
	out, err := json.MarshalIndent(v, "", "  ")
	return append(out, '\n'), err
}

func main() {
	dir := "."
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	for name, d := range Dashboards() {
		b, err := Render(d)
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, name), b, 0o644)
		}
		if err == nil {
			b, err = ForImport(d)
		}
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, importDir, name), b, 0o644)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
