package indicator

import (
	"strings"

	"github.com/envwatch/envwatch/waterquality"
)

// The one catalogue of the words a report, a page and the API use for statuses and
// indicators, as the bureaus' bulletins write them (zh) and in English (en).

var statusWords = map[string]map[Status]string{
	"zh": {Met: "已完成", OnTrack: "进度正常", AtRisk: "存在风险", Unlikely: "难以完成", Missed: "已无法完成", InsufficientData: "数据不足，不作判定"},
	"en": {Met: "met", OnTrack: "on track", AtRisk: "at risk", Unlikely: "unlikely", Missed: "missed", InsufficientData: "insufficient data, no status"},
}

// Text is a status in a language (zh unless "en").
func (s Status) Text(lang string) string {
	if lang != "en" {
		lang = "zh"
	}
	return statusWords[lang][s]
}

// ParseStatus reads a status by its name (the API's and the exposition's label).
func ParseStatus(name string) (Status, bool) {
	for i, n := range statusNames {
		if n == name {
			return Status(i), true
		}
	}
	return NoTarget, false
}

// StatusColour is how a page and a dashboard colour a status: green when it will be or is
// met, amber at risk, red when unlikely or missed, grey without a claim.
func (s Status) Colour() string {
	switch s {
	case Met, OnTrack:
		return "green"
	case AtRisk:
		return "amber"
	case Unlikely, Missed:
		return "red"
	}
	return "grey"
}

var nameWords = map[string]map[string]string{
	"zh": {PM25Mean: "PM2.5 平均浓度", PM10Mean: "PM10 平均浓度", GoodDays: "优良天数",
		GoodDayRatio: "优良天数比例", O3ExceedanceDays: "夏季臭氧超标天数", HeavyPollutionDays: "重污染天数",
		CompositeIndex: "环境空气质量综合指数", PM25YoY: "PM2.5 同比变化", PM10YoY: "PM10 同比变化",
		SO2Mean: "SO₂ 平均浓度", NO2Mean: "NO₂ 平均浓度", COP95: "CO 日均值第95百分位数",
		O3P90: "O₃ 日最大8小时平均第90百分位数", ValidDays: "有效监测天数", ExceedanceDays: "超标天数（AQI>100）",
		SectionsCompliance: "国省考断面达标率", DrinkingWater: "集中式饮用水水源地达标率",
		SectionsGoodShare: "Ⅰ～Ⅲ类水质断面比例", SectionsWorseThanVShare: "劣Ⅴ类水质断面比例",
		DrinkingWaterVolume: "集中式饮用水水源地取水量达标率", SectionsTrend: "水质变化趋势"},
	"en": {PM25Mean: "PM2.5 mean", PM10Mean: "PM10 mean", GoodDays: "Good days",
		GoodDayRatio: "Good-day ratio", O3ExceedanceDays: "Summer ozone exceedance days", HeavyPollutionDays: "Heavy-pollution days",
		CompositeIndex: "Composite index", PM25YoY: "PM2.5 YoY change", PM10YoY: "PM10 YoY change",
		SO2Mean: "SO₂ mean", NO2Mean: "NO₂ mean", COP95: "CO daily 95th percentile",
		O3P90: "O₃ MDA8 90th percentile", ValidDays: "Valid days", ExceedanceDays: "Days with AQI > 100",
		SectionsCompliance: "Section compliance", DrinkingWater: "Drinking-water compliance",
		SectionsGoodShare: "Class I–III sections", SectionsWorseThanVShare: "Worse-than-V sections",
		DrinkingWaterVolume: "Drinking water by volume compliant", SectionsTrend: "Water-quality trend"},
}

// NameText is an indicator's name in a language ("" for an unknown indicator).
func NameText(indicator, lang string) string {
	if lang != "en" {
		lang = "zh"
	}
	return nameWords[lang][indicator]
}

// zhReasons translate the engines' reasons — English, stable, what the API's machine
// fields and the logs carry — into Chinese for a Chinese output; longer phrases first so
// that a prefix does not eat a longer one.
var zhReasons = strings.NewReplacer(
	"this period is not valid: ", "本期无效：",
	"the same period last year is not valid: ", "去年同期无效：",
	"no valid value: ", "无有效值：",
	"a month has fewer valid days than GB 3095 Table 4 requires", "有月份有效天数少于 GB 3095 表4 要求",
	"fewer valid days than GB 3095 Table 4 requires", "有效天数少于 GB 3095 表4 要求",
	"fewer than 14 valid 8-h windows and not above the limit", "有效8小时滑动平均少于14个且未超标",
	"no valid day in the period", "时段内无有效天",
	"no station with a valid value", "无站点有有效值",
	"no section with samples", "无有样品的断面",
	"fewer than 20 valid hours", "有效小时数少于 20",
	"deducted as a sand-dust day", "沙尘天气扣除",
	"excluded by the scheme", "本方案不适用",
	"a base of 0 has no exceedance multiple", "基数为 0，无超标倍数",
	") for this unit", "）",
	"no base (units_average", "无基数（各单位均值",
	"no base (last_year", "无基数（去年同期",
	"no base (target", "无基数（目标值",
	"no base (fixed", "无基数（固定基数",
	"no valid value", "无有效值",
	"(none)", "（无）",
	"no data", "无数据",
)

// ReasonText is an engine's reason in a language ("zh" or "en").
func ReasonText(lang, reason string) string {
	if lang != "zh" || reason == "" {
		return reason
	}
	return zhReasons.Replace(reason)
}

// ClassText writes a water class as the bulletins do: Ⅲ类, 劣Ⅴ类 / Class III, worse than V.
func ClassText(lang, class string) string {
	if class == "" {
		return ""
	}
	if lang == "en" {
		if class == "劣V" {
			return "worse than V"
		}
		return "Class " + class
	}
	roman := map[string]string{"I": "Ⅰ类", "II": "Ⅱ类", "III": "Ⅲ类", "IV": "Ⅳ类", "V": "Ⅴ类", "劣V": "劣Ⅴ类"}
	if r, ok := roman[class]; ok {
		return r
	}
	return class
}

// LevelText names a section's level: 国考 / 省考 (national / provincial in English).
func LevelText(lang, level string) string {
	if lang == "en" {
		return level
	}
	switch level {
	case "national":
		return "国考"
	case "provincial":
		return "省考"
	}
	return level
}

// ItemText names a water item by its code: 总磷 / TP.
func ItemText(lang, code string) string {
	it, ok := waterquality.ParseItem(code)
	if !ok {
		return code
	}
	if lang == "en" {
		return strings.ToUpper(it.Code())
	}
	return it.Name()
}
