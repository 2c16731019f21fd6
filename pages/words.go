package pages

import (
	"fmt"

	"github.com/envwatch/envwatch/indicator"
)

// words are a page's labels in one language; T returns the key itself when a label is
// missing, so that a gap shows rather than vanishes.
type words struct {
	lang string
	m    map[string]string
}

// T returns the label of key.
// F is a sentence of the catalogue with its blanks filled.
func (w *words) F(key string, args ...any) string { return fmt.Sprintf(w.T(key), args...) }

func (w *words) T(key string) string {
	if s, ok := w.m[key]; ok {
		return s
	}
	return key
}

// status is a status code of the API in the page's language (indicator's catalogue, the
// report's words too).
func (w *words) status(code string) string {
	st, ok := indicator.ParseStatus(code)
	if !ok {
		return code
	}
	return st.Text(w.lang)
}

// statusCell is a status in the page's language, coloured by what it means.
func (w *words) statusCell(code string) Cell {
	st, ok := indicator.ParseStatus(code)
	if !ok {
		return label(code)
	}
	return Cell{Text: st.Text(w.lang), Tone: st.Colour()}
}

func wordsFor(lang string) *words {
	if lang == "en" {
		return &words{"en", en}
	}
	return &words{"zh", zh}
}

var zh = map[string]string{
	"today": "今日研判", "month": "月度考核", "year": "年度报告", "lang.other": "English",
	"now.title": "当前空气质量", "now.hour": "实时 AQI", "now.day": "今日累计 AQI（暂定，已有 %d 小时）", "now.stale": "数据已 %d 小时未更新", "now.daycol": "今日累计（暂定）", "basis.days": "%d 天", "now.none": "该区域暂无实时数据。", "air.title": "环境空气", "air.none": "该区域未配置空气自动监测站点，本页只含水环境内容。",
	"now.primary": "首要污染物", "now.iaqi": "各项污染物分指数（IAQI）", "now.hourend": "时段截至", "now.stations": "参与计算站点数",
	"stations.title": "各站点最新数据", "stations.none": "该区域未配置空气站点。",
	"targets.title": "目标进度", "targets.none": "未配置目标，或暂无数据。", "targets.noyear": "%s %d 年未配置目标，或暂无数据。",
	"problems.title": "数据问题", "problems.stale": "数据滞后站点（超过 3 小时无新数据）", "problems.rejected": "被拒绝的数据（自启动以来）",
	"problems.none": "无", "problems.notreported": "数据截至日之后尚未上报天数", "problems.na": "本年无效天（NA）",
	"col.station": "站点", "col.code": "编码", "col.area": "区域", "col.end": "最新时段", "col.age": "数据滞后（小时）", "col.aqi": "AQI",
	"col.level": "级别", "col.primary": "首要污染物", "col.status": "状态", "col.assessment": "考核站点", "col.probability": "按期完成概率", "col.outlook": "年末值区间（10%–90%）", "outlook.record": "有记录以来同样长度时段最好水平",
	"col.indicator": "指标", "col.value": "本年累计", "col.monthvalue": "本月数值", "col.unit": "单位", "col.target": "目标", "col.required": "剩余时段均值须不高于",
	"col.budgetused": "已用天数", "col.budgetleft": "剩余天数", "col.valid": "有效性", "col.coverage": "有效天数/日历天数",
	"col.lastyear": "去年同期", "col.yoy": "同比", "col.yoyreason": "同比说明", "col.lastyearfull": "去年全年",
	"col.source": "数据源", "col.reason": "原因", "col.count": "条数",
	"col.month": "月份", "col.pm25": "PM2.5（微克/立方米）", "col.pm10": "PM10（微克/立方米）", "col.o3": "O3-8h 第90百分位数",
	"col.gooddays": "优良天数", "col.validdays": "有效天数", "col.exceed": "超标天数", "col.o3days": "臭氧超标天数",
	"col.rank": "排名", "col.unitname": "单位", "col.base": "基准值", "col.diff": "差值", "col.amount": "金额", "col.direction": "方向",
	"col.excluded": "未计入原因", "col.scheme": "方案", "col.net": "合计（正为缴纳）", "col.date": "日期",
	"col.section": "断面/水源地", "col.river": "河流/水体", "col.kind": "类型", "col.level2": "级别", "col.class": "水质类别",
	"col.targetclass": "目标类别", "col.compliant": "是否达标", "col.samples": "样品数", "col.main": "主要污染指标（超标倍数）",
	"col.item": "项目", "col.basis": "内容",
	"status.ok": "正常", "status.stale": "数据滞后", "yes": "是", "no": "否", "valid": "有效", "invalid": "数据不足",
	"pay": "缴纳", "receive": "获得",
	"section": "考核断面", "drinking_water_source": "饮用水水源地",
	"month.title": "月度考核", "month.ranking": "区县排名", "month.comp": "生态补偿", "month.noassess": "未配置%s的月度考核。",
	"month.means": "逐月均值：今年与去年", "month.strip": "本月逐日 AQI", "month.nodata": "%s %s 暂无数据。", "month.provisional": "本月尚未结束，结果为暂定。",
	"month.datato": "数据截至", "month.prev": "上月", "month.next": "下月", "month.current": "本月（暂定）", "month.base": "基准",
	"year.bulletin": "年度（截至目前）环境质量", "year.calendar": "逐日空气质量日历", "year.monthly": "逐月 PM2.5、PM10：今年与去年",
	"year.progress": "目标进度", "year.water": "地表水断面与饮用水水源地", "year.basis": "数据依据", "year.nodata": "%s %d 年暂无数据。",
	"year.indicators": "指标一览", "year.monthlytable": "逐月数据：今年与去年", "year.nowater": "本区域未配置地表水考核断面和饮用水水源地。",
	"basis.asof": "统计截至", "basis.dataend": "数据截至", "basis.edition": "执行标准", "basis.coverage": "有效监测天数",
	"basis.stations": "参与评价站点", "basis.notreported": "尚未上报天数", "basis.na": "无效天（NA）",
	"basis.method": "方法", "basis.methodtext": "日 AQI 按 HJ 633（按日期适用版本），年评价按 HJ 663 与 GB 3095 表4 有效性要求；水质按 GB 3838。",
	"this": "今年", "last": "去年", "legend.na": "无效（NA）", "legend.nodata": "无数据",
	"export.csv": "CSV", "export.xlsx": "Excel", "export": "导出表格", "generated": "生成时间", "print": "打印",
	"bulletin.period": "统计时段", "bulletin.to": "至",
	"sheet.note":  "数值取自 envwatch API",
	"dir.at_most": "≤", "dir.at_least": "≥",
}

var en = map[string]string{
	"today": "Today", "month": "Month", "year": "Year", "lang.other": "中文",
	"now.title": "Air quality now", "now.hour": "Real-time AQI", "now.day": "Today so far (provisional, %d hours)", "now.stale": "No new data for %d hours", "now.daycol": "Today so far (provisional)", "basis.days": "%d days", "now.none": "No real-time data for this area.", "air.title": "Ambient air", "air.none": "This area has no air monitoring station; this page shows water only.",
	"now.primary": "Primary pollutant", "now.iaqi": "Individual indices (IAQI)", "now.hourend": "Hour ending", "now.stations": "Stations in the mean",
	"stations.title": "Stations' latest data", "stations.none": "No air stations are configured in this area.",
	"targets.title": "Targets", "targets.none": "No targets are configured, or there are no data.", "targets.noyear": "No targets are configured for %s in %d, or there are no data.",
	"problems.title": "Data problems", "problems.stale": "Stale stations (no new hour for more than 3 h)", "problems.rejected": "Rejected readings (since start)",
	"problems.none": "none", "problems.notreported": "Days after the data end not yet reported", "problems.na": "NA days this year",
	"col.station": "Station", "col.code": "Code", "col.area": "Area", "col.end": "Newest hour", "col.age": "Age (h)", "col.aqi": "AQI",
	"col.level": "Level", "col.primary": "Primary pollutant", "col.status": "Status", "col.assessment": "Assessment station", "col.probability": "Probability of meeting it", "col.outlook": "Year-end value, 10–90 %", "outlook.record": "best on record over as many days:",
	"col.indicator": "Indicator", "col.value": "Year to date", "col.monthvalue": "This month", "col.unit": "Unit", "col.target": "Target", "col.required": "Rest of year must average at most",
	"col.budgetused": "Days used", "col.budgetleft": "Days left", "col.valid": "Validity", "col.coverage": "Valid / calendar days",
	"col.lastyear": "Same period last year", "col.yoy": "YoY", "col.yoyreason": "YoY note", "col.lastyearfull": "Last year",
	"col.source": "Source", "col.reason": "Reason", "col.count": "Count",
	"col.month": "Month", "col.pm25": "PM2.5 (µg/m³)", "col.pm10": "PM10 (µg/m³)", "col.o3": "O3-8h P90",
	"col.gooddays": "Good days", "col.validdays": "Valid days", "col.exceed": "Exceedance days", "col.o3days": "O3 exceedance days",
	"col.rank": "Rank", "col.unitname": "Unit", "col.base": "Base", "col.diff": "Difference", "col.amount": "Amount", "col.direction": "Direction",
	"col.excluded": "Not counted because", "col.scheme": "Scheme", "col.net": "Net (positive: pays)", "col.date": "Date",
	"col.section": "Section / source", "col.river": "River / water body", "col.kind": "Kind", "col.level2": "Level", "col.class": "Class",
	"col.targetclass": "Target class", "col.compliant": "Compliant", "col.samples": "Samples", "col.main": "Main pollutants (multiple over)",
	"col.item": "Item", "col.basis": "Value",
	"status.ok": "ok", "status.stale": "stale", "yes": "yes", "no": "no", "valid": "valid", "invalid": "insufficient data",
	"pay": "pays", "receive": "receives",
	"section": "section", "drinking_water_source": "drinking-water source",
	"month.title": "Monthly assessment", "month.ranking": "Ranking", "month.comp": "Eco-compensation", "month.noassess": "No monthly assessment is configured for %s.",
	"month.means": "Monthly means: this year and last", "month.strip": "Daily AQI of the month", "month.nodata": "No data for %s in %s.", "month.provisional": "The month is not over: results are provisional.",
	"month.datato": "Data to", "month.prev": "Previous month", "month.next": "Next month", "month.current": "This month (provisional)", "month.base": "base",
	"year.bulletin": "Air and water quality, year to date", "year.calendar": "Daily air quality calendar", "year.monthly": "Monthly PM2.5 and PM10: this year and last",
	"year.progress": "Target progress", "year.water": "Surface-water sections and drinking-water sources", "year.basis": "Data basis", "year.nodata": "No data for %s in %d.",
	"year.indicators": "Indicators", "year.monthlytable": "Monthly figures: this year and last", "year.nowater": "No surface-water sections or drinking-water sources are configured in this area.",
	"basis.asof": "As of", "basis.dataend": "Data end", "basis.edition": "Standard edition", "basis.coverage": "Valid monitoring days",
	"basis.stations": "Assessment stations", "basis.notreported": "Days not yet reported", "basis.na": "NA days",
	"basis.method": "Method", "basis.methodtext": "Daily AQI by HJ 633 (edition by date); annual evaluation by HJ 663 with GB 3095 Table 4 validity; water by GB 3838.",
	"this": "this year", "last": "last year", "legend.na": "NA", "legend.nodata": "no data",
	"export.csv": "CSV", "export.xlsx": "Excel", "export": "Export tables", "generated": "Generated", "print": "Print",
	"bulletin.period": "Period", "bulletin.to": "to",
	"sheet.note":  "Values from the envwatch API",
	"dir.at_most": "≤", "dir.at_least": "≥",
}

// chartTitle names a chart's quantity with its unit, as each language brackets it.
func (w *words) chartTitle(what, unit string) string {
	if w.lang == "en" {
		return what + " (" + unit + ")"
	}
	return what + "（" + unit + "）"
}

// unit is an indicator's unit as the page's language writes it.
func (w *words) unit(u string) string {
	if w.lang == "en" {
		return u
	}
	switch u {
	case "days":
		return "天"
	case "index":
		return ""
	case "pp":
		return "个百分点"
	}
	return u
}

// reason is an engine's reason in the page's language.
func (w *words) reason(s string) string { return indicator.ReasonText(w.lang, s) }
