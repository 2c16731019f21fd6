package report

import (
	"fmt"
	"strings"

	"github.com/envwatch/envwatch/indicator"
)

// words are a language's phrases. Change words follow how bureaus publish: a fall is
// "下降 X%", a rise "上升 X%", no change "持平" — the sign is in the word, never "改善 -8.6%".
type words struct {
	title, titleAsked      string
	dataEnd, pastDataEnd   string
	noData                 string
	statuses               map[indicator.Status]string
	fell, rose, flat       string
	ppFell, ppRose         string
	more, fewer            string
	lastYear, lastYearFull string
	comparable             string
	targetAtMost           string
	targetAtLeast          string
	required               string
	left, over             string // at-most day budgets
	short, above           string // at-least targets: shortfall and margin
	spare, cannotReach     string // at-least targets during the year
	yoyTargetFall          string
	yoyTargetRise          string
	chgFall, chgRise       string
	chgFlat                string
	sections, sources      string
	compliant, ratePct     string
	names                  map[string]string
	unitConc, unitCO       string
	invalid                string
	cover                  string
	notComparableF         map[string]string
	naDays, noNADays       string
	months, monthsLast     string
	monthHead              []string
	season                 string
	trend                  string
	noWater                string
	sectionHead            []string
	sectionsTitle          string
	met, notMet            string
}

var zh = words{
	title:       "%s %d年环境质量目标完成情况（数据截至 %s）",
	titleAsked:  "%s %d年环境质量目标完成情况（评价截至 %s）",
	dataEnd:     "数据截至 %s；",
	pastDataEnd: "注意：所选评价日 %s 晚于数据截至日 %s，其后 %d 天尚未上报，按缺测计，不计为无效天。",
	noData:      "%s %d年无空气质量数据。",
	statuses: map[indicator.Status]string{indicator.OnTrack: "进度正常", indicator.AtRisk: "存在风险", indicator.Breached: "未完成",
		indicator.Met: "已完成", indicator.InsufficientData: "数据不足，不作判定"},
	fell: "同比下降 %s%%", rose: "同比上升 %s%%", flat: "同比持平",
	ppFell: "同比下降 %s 个百分点", ppRose: "同比上升 %s 个百分点",
	more: "同比增加 %s", fewer: "同比减少 %s",
	lastYear: "去年同期 %s", lastYearFull: "去年全年 %s", comparable: "按今年标准折算去年同期 %s",
	targetAtMost: "目标 ≤ %s", targetAtLeast: "目标 ≥ %s",
	required: "剩余时段均值须 ≤ %s",
	left:     "尚余 %s", over: "已超出 %s",
	short: "还差 %s", above: "高于目标 %s",
	spare: "余下天数中最多还可有 %s非优良", cannotReach: "余下天数全部优良也还差 %s",
	yoyTargetFall: "目标 同比下降不少于 %s%%", yoyTargetRise: "目标 同比上升不超过 %s%%",
	chgFall: "下降 %s%%", chgRise: "上升 %s%%", chgFlat: "持平",
	sections: "国省考断面", sources: "集中式饮用水水源地", compliant: "%d/%d 达标", ratePct: "达标率 %s%%",
	names: map[string]string{indicator.PM25Mean: "PM2.5 平均浓度", indicator.PM10Mean: "PM10 平均浓度", indicator.GoodDays: "优良天数",
		indicator.GoodDayRatio: "优良天数比例", indicator.O3ExceedanceDays: "夏季臭氧超标天数", indicator.HeavyPollutionDays: "重污染天数",
		indicator.CompositeIndex: "环境空气质量综合指数", indicator.PM25YoY: "PM2.5 同比变化", indicator.PM10YoY: "PM10 同比变化",
		indicator.SO2Mean: "SO2 平均浓度", indicator.NO2Mean: "NO2 平均浓度", indicator.COP95: "CO 日均值第95百分位数",
		indicator.O3P90: "O3 日最大8小时平均第90百分位数", indicator.ValidDays: "有效监测天数", indicator.ExceedanceDays: "超标天数（AQI>100）",
		indicator.SectionsCompliance: "国省考断面达标率", indicator.DrinkingWater: "集中式饮用水水源地达标率",
		indicator.SectionsGoodShare: "Ⅰ～Ⅲ类水质断面比例", indicator.SectionsWorseThanVShare: "劣Ⅴ类水质断面比例",
		indicator.DrinkingWaterVolume: "集中式饮用水水源地取水量达标率"},
	unitConc: " 微克/立方米", unitCO: " 毫克/立方米",
	invalid: "（数据不足，暂不满足年评价有效性要求）",
	cover:   "（有效 %d/%d 天%s）",
	notComparableF: map[string]string{
		indicator.NoLastYear:      "不可比：去年同期无数据",
		indicator.CurrentInvalid:  "不可比：今年有效天数 %d/%d",
		indicator.LastYearInvalid: "不可比：去年同期有效天数 %d/%d",
	},
	naDays: "无效天（NA）%d 天：%s", noNADays: "无效天（NA）：无",
	months: "今年逐月", monthsLast: "去年逐月",
	monthHead:     []string{"月份", "PM2.5", "PM10", "O3-8h P90", "优良天数", "有效天数", "超标天数", "臭氧超标天数"},
	season:        "（%s—%s）",
	trend:         "水质变化趋势（2011年方法，ΔG−ΔD）%s 个百分点：%s",
	noWater:       "本区域未配置地表水考核断面和饮用水水源地。",
	sectionHead:   []string{"断面/水源地", "河流", "级别", "目标", "水质类别", "达标", "主要污染指标（超标倍数）", "去年同期类别", "去年同期达标", "样品数"},
	sectionsTitle: "断面与水源地",
	met:           "达标", notMet: "不达标",
}

var en = words{
	title:       "%s %d: environmental targets, data to %s",
	titleAsked:  "%s %d: environmental targets, evaluated to %s",
	dataEnd:     "data to %s; ",
	pastDataEnd: "Note: the evaluation day %s is after the data end %s; the %d days after it are not yet reported and count as missing, not as NA days.",
	noData:      "%s: no air-quality data for %d.",
	statuses: map[indicator.Status]string{indicator.OnTrack: "on track", indicator.AtRisk: "at risk", indicator.Breached: "breached",
		indicator.Met: "met", indicator.InsufficientData: "insufficient data, no status"},
	fell: "down %s%% YoY", rose: "up %s%% YoY", flat: "unchanged YoY",
	ppFell: "down %s percentage points YoY", ppRose: "up %s percentage points YoY",
	more: "%s more than a year ago", fewer: "%s fewer than a year ago",
	lastYear: "same period last year %s", lastYearFull: "last year in full %s", comparable: "last year under this year's standards %s",
	targetAtMost: "target ≤ %s", targetAtLeast: "target ≥ %s",
	required: "the rest of the year must average ≤ %s",
	left:     "%s left", over: "%s over",
	short: "%s short", above: "%s above the target",
	spare: "at most %s of the rest may be not good", cannotReach: "%s short even if every remaining day is good",
	yoyTargetFall: "target: a fall of at least %s%%", yoyTargetRise: "target: a rise of at most %s%%",
	chgFall: "a fall of %s%%", chgRise: "a rise of %s%%", chgFlat: "no change",
	sections: "Assessment sections", sources: "Drinking-water sources", compliant: "%d of %d compliant", ratePct: "compliance %s%%",
	names: map[string]string{indicator.PM25Mean: "PM2.5 mean", indicator.PM10Mean: "PM10 mean", indicator.GoodDays: "Good days",
		indicator.GoodDayRatio: "Good-day ratio", indicator.O3ExceedanceDays: "Summer ozone exceedance days", indicator.HeavyPollutionDays: "Heavy-pollution days",
		indicator.CompositeIndex: "Composite index", indicator.PM25YoY: "PM2.5 YoY change", indicator.PM10YoY: "PM10 YoY change",
		indicator.SO2Mean: "SO2 mean", indicator.NO2Mean: "NO2 mean", indicator.COP95: "CO daily 95th percentile",
		indicator.O3P90: "O3 MDA8 90th percentile", indicator.ValidDays: "Valid days", indicator.ExceedanceDays: "Days with AQI > 100",
		indicator.SectionsCompliance: "Section compliance", indicator.DrinkingWater: "Drinking-water compliance",
		indicator.SectionsGoodShare: "Class I–III sections", indicator.SectionsWorseThanVShare: "Worse-than-V sections",
		indicator.DrinkingWaterVolume: "Drinking water by volume compliant"},
	unitConc: " µg/m³", unitCO: " mg/m³",
	invalid: " (not yet enough valid days for an annual statistic)",
	cover:   " (%d of %d days valid%s)",
	notComparableF: map[string]string{
		indicator.NoLastYear:      "not comparable: no data in the same period last year",
		indicator.CurrentInvalid:  "not comparable: this year %d of %d days valid",
		indicator.LastYearInvalid: "not comparable: same period last year %d of %d days valid",
	},
	naDays: "NA days (%d): %s", noNADays: "NA days: none",
	months: "This year by month", monthsLast: "Last year by month",
	monthHead:     []string{"Month", "PM2.5", "PM10", "O3-8h P90", "Good days", "Valid days", "Days > 100", "O3 exceedance days"},
	season:        " (%s–%s)",
	trend:         "Water-quality trend (2011 method, ΔG − ΔD) %s percentage points: %s",
	noWater:       "No water sections or drinking-water sources are configured for this area.",
	sectionHead:   []string{"Section / source", "River", "Level", "Target", "Class", "Compliant", "Main pollutants (multiple)", "Class last year", "Compliant last year", "Samples"},
	sectionsTitle: "Sections and sources",
	met:           "yes", notMet: "no",
}

// days writes a number of days: "3 天", "1 day", "3 days".
func (wd *words) days(n int) string {
	if wd == &en {
		if n == 1 || n == -1 {
			return fmt.Sprintf("%d day", n)
		}
		return fmt.Sprintf("%d days", n)
	}
	return fmt.Sprintf("%d 天", n)
}

// daysText is days for a number written as text ("12").
func (wd *words) daysText(t string) string {
	if wd == &en {
		if t == "1" || t == "-1" {
			return t + " day"
		}
		return t + " days"
	}
	return t + " 天"
}

// sep joins the parts of a line.
func (wd *words) sep() string {
	if wd == &en {
		return "; "
	}
	return "；"
}

// signed splits a published number into its magnitude and sign.
func signed(t string) (abs string, neg, zero bool) {
	abs = strings.TrimPrefix(t, "-")
	zero = strings.Trim(strings.ReplaceAll(abs, ".", ""), "0") == ""
	return abs, strings.HasPrefix(t, "-") && !zero, zero
}

// notComparable explains a withheld comparison with the coverage behind it.
func (wd *words) notComparable(reason string, r *indicator.Result) string {
	f := wd.notComparableF[reason]
	switch reason {
	case indicator.CurrentInvalid:
		return fmt.Sprintf(f, r.Coverage.ValidDays, r.Coverage.CalendarDays)
	case indicator.LastYearInvalid:
		return fmt.Sprintf(f, r.LastYearCoverage.ValidDays, r.LastYearCoverage.CalendarDays)
	case indicator.ComparableAbsent:
		if wd == &en {
			return "not comparable on this year's standards"
		}
		return "按今年标准不可比"
	}
	return f
}
