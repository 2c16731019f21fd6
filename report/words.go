package report

import (
	"fmt"
	"strings"

	"github.com/envwatch/envwatch/indicator"
	"github.com/envwatch/envwatch/outlook"
)

// words are a language's phrases. Change words follow how bureaus publish: a fall is
// "下降 X%", a rise "上升 X%", no change "持平" — the sign is in the word, never "改善 -8.6%".
type words struct {
	title, titleAsked      string
	dataEnd, pastDataEnd   string
	noData                 string
	lang                   string
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
	outlook                string // P %, 10/50/90 % year-end values, past years, simulations
	outlookNoRange         string
	noOutlook              map[string]string // by outlook reason
	lowestOnRecord         string
	mostGoodOnRecord       string
	outlookBasis           string
}

var zh = words{
	lang:        "zh",
	title:       "%s %d年环境质量目标完成情况（数据截至 %s）",
	titleAsked:  "%s %d年环境质量目标完成情况（评价截至 %s）",
	dataEnd:     "数据截至 %s；",
	pastDataEnd: "注意：所选评价日 %s 晚于数据截至日 %s，其后 %d 天尚未上报，按缺测计，不计为无效天。",
	noData:      "%s %d年无空气质量数据。",
	fell:        "同比下降 %s%%", rose: "同比上升 %s%%", flat: "同比持平",
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
	outlook:        "（按期完成概率 %s%%；年末值 10%%/50%%/90%% 分位 %s/%s/%s；由 %d 个往年同期模拟 %d 次）",
	outlookNoRange: "（按期完成概率 %s%%；由 %d 个往年同期模拟 %d 次，模拟年末均无有效值）",
	noOutlook: map[string]string{outlook.TooFewYears: "往年数据不足两年，不作概率估计",
		outlook.TooEarly: "今年数据不足 59 天，不作概率估计"},
	lowestOnRecord:   "有记录以来同样长度时段均值最低 %s",
	mostGoodOnRecord: "有记录以来同样长度时段最多优良 %s 天",
	outlookBasis:     "由 %d 个往年同期模拟 %d 次",
}

var en = words{
	lang:        "en",
	title:       "%s %d: environmental targets, data to %s",
	titleAsked:  "%s %d: environmental targets, evaluated to %s",
	dataEnd:     "data to %s; ",
	pastDataEnd: "Note: the evaluation day %s is after the data end %s; the %d days after it are not yet reported and count as missing, not as NA days.",
	noData:      "%s: no air-quality data for %d.",
	fell:        "down %s%% YoY", rose: "up %s%% YoY", flat: "unchanged YoY",
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
	outlook:        " (probability of meeting it %s%%; year-end value at the 10/50/90 %% quantiles %s/%s/%s; from %d past years, %d simulated years)",
	outlookNoRange: " (probability of meeting it %s%%; from %d past years, %d simulated years, none with a valid year-end value)",
	noOutlook: map[string]string{outlook.TooFewYears: "fewer than two past years: no probability",
		outlook.TooEarly: "fewer than 59 days of this year: no probability"},
	lowestOnRecord:   "the lowest mean on record over as many days: %s",
	mostGoodOnRecord: "the most good days on record over as many days: %s",
	outlookBasis:     "%d past years, %d simulated years",
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
	case indicator.WaterSamplesShort:
		return wd.waterShort(r)
	}
	return f
}

// waterShort says which period's sites have samples in too few months, with the counts:
// "不可比：去年同期 12/13 个断面有监测的月份不足 9 个（最少 1 个月）".
func (wd *words) waterShort(r *indicator.Result) string {
	b := r.WaterBasis
	if b == nil {
		return ""
	}
	source := r.Indicator == indicator.DrinkingWater || r.Indicator == indicator.DrinkingWaterVolume
	var parts []string
	if wd == &en {
		noun := "sections"
		if source {
			noun = "sources"
		}
		if b.ShortNow > 0 {
			parts = append(parts, fmt.Sprintf("this year %d of %d %s", b.ShortNow, b.Sites, noun))
		}
		if b.ShortLast > 0 {
			parts = append(parts, fmt.Sprintf("same period last year %d of %d %s", b.ShortLast, b.Sites, noun))
		}
		return fmt.Sprintf("not comparable: %s with samples in fewer than %d months (fewest %d)", strings.Join(parts, ", "), b.NeedMonths, fewest(b))
	}
	noun := "断面"
	if source {
		noun = "水源地"
	}
	if b.ShortNow > 0 {
		parts = append(parts, fmt.Sprintf("今年 %d/%d", b.ShortNow, b.Sites))
	}
	if b.ShortLast > 0 {
		parts = append(parts, fmt.Sprintf("去年同期 %d/%d", b.ShortLast, b.Sites))
	}
	return fmt.Sprintf("不可比：%s 个%s有监测的月份不足 %d 个（最少 %d 个月）", strings.Join(parts, "、"), noun, b.NeedMonths, fewest(b))
}

// trendName is the trend line's name without its figures.
func (wd *words) trendName() string {
	if wd == &en {
		return "Water-quality trend (2011 method, ΔG − ΔD):"
	}
	return "水质变化趋势（2011年方法，ΔG−ΔD）："
}

// fewest is the fewest months with samples among the periods that fall short.
func fewest(b *indicator.WaterBasis) int {
	switch {
	case b.ShortNow > 0 && b.ShortLast > 0:
		return min(b.FewestNow, b.FewestLast)
	case b.ShortNow > 0:
		return b.FewestNow
	}
	return b.FewestLast
}
