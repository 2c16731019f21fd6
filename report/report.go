// Package report renders an area's annual (or year-to-date) summary — the lines a bureau
// publishes — from a target snapshot, in Chinese or English, as text, Markdown or JSON.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/envwatch/envwatch/target"
)

// Options select the rendering.
type Options struct {
	Area, AreaName string
	Format         string // text, markdown, json
	Lang           string // zh, en
}

type words struct {
	title                                 string
	statuses                              map[target.Status]string
	fell, rose, flat                      string
	more, fewer                           string
	lastYear, targetAtMost, targetAtLeast string
	required, daysLeft, over, summer      string
	sections, sources, compliant, ratePct string
	names                                 map[string]string
	unitDays, unitConc                    string
	invalid                               string
}

var zh = words{
	title:    "%s %d年环境质量目标完成情况（截至 %s）",
	statuses: map[target.Status]string{target.OnTrack: "进度正常", target.AtRisk: "存在风险", target.Breached: "未完成", target.Met: "已完成"},
	fell:     "同比下降 %s%%", rose: "同比上升 %s%%", flat: "同比持平",
	more: "同比增加 %s 天", fewer: "同比减少 %s 天",
	lastYear: "去年同期 %s", targetAtMost: "目标 ≤ %s", targetAtLeast: "目标 ≥ %s",
	required: "剩余时段均值须 ≤ %s", daysLeft: "尚余 %d 天", over: "已超出 %d 天", summer: "（5—9月）",
	sections: "国省考断面", sources: "集中式饮用水水源地", compliant: "%d/%d 达标", ratePct: "达标率 %s%%",
	names: map[string]string{target.PM25Mean: "PM2.5 平均浓度", target.PM10Mean: "PM10 平均浓度", target.GoodDays: "优良天数",
		target.GoodDayRatio: "优良天数比例", target.O3ExceedanceDays: "夏季臭氧超标天数", target.HeavyPollutionDays: "重污染天数",
		target.CompositeIndex: "环境空气质量综合指数", target.PM25YoY: "PM2.5 同比改善", target.PM10YoY: "PM10 同比改善"},
	unitDays: " 天", unitConc: " 微克/立方米", invalid: "（数据不足，暂不满足年评价有效性要求）",
}

var en = words{
	title:    "%s %d: environmental targets as of %s",
	statuses: map[target.Status]string{target.OnTrack: "on track", target.AtRisk: "at risk", target.Breached: "breached", target.Met: "met"},
	fell:     "down %s%% YoY", rose: "up %s%% YoY", flat: "unchanged YoY",
	more: "%s more than a year ago", fewer: "%s fewer than a year ago",
	lastYear: "same period last year %s", targetAtMost: "target ≤ %s", targetAtLeast: "target ≥ %s",
	required: "the rest of the year must average ≤ %s", daysLeft: "%d days left", over: "%d days over", summer: " (May–September)",
	sections: "Assessment sections", sources: "Drinking-water sources", compliant: "%d of %d compliant", ratePct: "compliance %s%%",
	names: map[string]string{target.PM25Mean: "PM2.5 mean", target.PM10Mean: "PM10 mean", target.GoodDays: "Good days",
		target.GoodDayRatio: "Good-day ratio", target.O3ExceedanceDays: "Summer ozone exceedance days", target.HeavyPollutionDays: "Heavy-pollution days",
		target.CompositeIndex: "Composite index", target.PM25YoY: "PM2.5 YoY change", target.PM10YoY: "PM10 YoY change"},
	unitDays: " days", unitConc: " µg/m³", invalid: " (not yet enough valid days for an annual statistic)",
}

// Render writes the report of one area.
func Render(w io.Writer, snap *target.Snapshot, opt Options) error {
	wd := zh
	if opt.Lang == "en" {
		wd = en
	}
	if opt.AreaName == "" {
		opt.AreaName = opt.Area
	}
	if opt.Format == "json" {
		return renderJSON(w, snap, opt)
	}
	var lines []string
	for i := range snap.Results {
		r := &snap.Results[i]
		if r.Area != opt.Area || r.Current == nil && r.Target == nil || r.Indicator == target.SectionsCompliance ||
			r.Indicator == target.DrinkingWater || r.Indicator == target.SectionsGoodShare || r.Indicator == target.SectionsWorseThanVShare {
			continue // water lines are rendered apart
		}
		if (r.Indicator == target.PM25YoY || r.Indicator == target.PM10YoY) && r.Target == nil {
			continue // the change is already on the mean's line
		}
		if l := line(r, &wd, opt.Lang); l != "" {
			lines = append(lines, l)
		}
	}
	lines = append(lines, waterLines(snap, opt.Area, &wd, opt.Lang)...)
	title := fmt.Sprintf(wd.title, opt.AreaName, snap.Year, snap.AsOf)
	var b strings.Builder
	if opt.Format == "markdown" {
		fmt.Fprintf(&b, "# %s\n\n", title)
		for _, l := range lines {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	} else {
		fmt.Fprintln(&b, title)
		for _, l := range lines {
			fmt.Fprintf(&b, "  %s\n", l)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func sep(lang string) string {
	if lang == "en" {
		return "; "
	}
	return "；"
}

func line(r *target.Result, wd *words, lang string) string {
	name, ok := wd.names[r.Indicator]
	if !ok {
		name = r.Indicator // a reported indicator is named by its configuration
	}
	var parts []string
	unit := ""
	switch r.Unit {
	case "µg/m³":
		unit = wd.unitConc
	case "days":
		unit = wd.unitDays
	case "%":
		unit = "%"
	case "index":
	default:
		if r.Unit != "" {
			unit = " " + r.Unit
		}
	}
	head := name
	if r.Indicator == target.O3ExceedanceDays {
		head += wd.summer
	}
	if r.Current != nil {
		head += " " + r.Current.Text + unit
	}
	if !r.Valid && r.Reason != "" && r.Unit == "µg/m³" {
		head += wd.invalid
	}
	parts = append(parts, head)
	if r.Change != nil && r.Indicator != target.PM25YoY && r.Indicator != target.PM10YoY {
		parts = append(parts, change(r, wd, lang))
	}
	if r.LastYear != nil && r.Unit != "%" {
		parts = append(parts, fmt.Sprintf(wd.lastYear, r.LastYear.Text))
	}
	if r.Comparable != nil {
		c := fmt.Sprintf("comparable basis %s", r.Comparable.Text)
		if lang != "en" {
			c = fmt.Sprintf("按今年标准折算去年同期 %s", r.Comparable.Text)
		}
		parts = append(parts, c)
	}
	if r.Target != nil {
		t := wd.targetAtMost
		if r.Direction == target.AtLeast {
			t = wd.targetAtLeast
		}
		parts = append(parts, fmt.Sprintf(t, r.Target.Text+unit))
	}
	if r.RequiredRemaining != nil {
		parts = append(parts, fmt.Sprintf(wd.required, r.RequiredRemaining.Text))
	}
	if r.BudgetLeft != nil {
		n, f := *r.BudgetLeft, wd.daysLeft
		if n < 0 {
			n, f = -n, wd.over
		}
		t := fmt.Sprintf(f, n)
		if lang == "en" && n == 1 {
			t = strings.Replace(t, "days", "day", 1)
		}
		parts = append(parts, t)
	}
	s := strings.Join(parts, sep(lang))
	if st, ok := wd.statuses[r.Status]; ok {
		s += " — " + st
	}
	return s
}

func change(r *target.Result, wd *words, lang string) string {
	t := r.Change.Text
	neg := strings.HasPrefix(t, "-")
	abs := strings.TrimPrefix(t, "-")
	zero := strings.Trim(strings.ReplaceAll(abs, ".", ""), "0") == ""
	switch {
	case zero:
		return wd.flat
	case r.Unit == "days" && neg:
		return fmt.Sprintf(wd.fewer, abs+unitDays(lang, abs))
	case r.Unit == "days":
		return fmt.Sprintf(wd.more, abs+unitDays(lang, abs))
	case r.Unit == "%": // ratios change in percentage points
		if lang == "en" {
			if neg {
				return fmt.Sprintf("down %s percentage points YoY", abs)
			}
			return fmt.Sprintf("up %s percentage points YoY", abs)
		}
		if neg {
			return fmt.Sprintf("同比下降 %s 个百分点", abs)
		}
		return fmt.Sprintf("同比上升 %s 个百分点", abs)
	case neg:
		return fmt.Sprintf(wd.fell, abs)
	default:
		return fmt.Sprintf(wd.rose, abs)
	}
}

func unitDays(lang, n string) string {
	if lang == "en" {
		if n == "1" {
			return " day"
		}
		return " days"
	}
	return ""
}

func waterLines(snap *target.Snapshot, area string, wd *words, lang string) []string {
	var out []string
	for _, k := range []struct {
		indicator, label string
		sources          bool
	}{{target.SectionsCompliance, wd.sections, false}, {target.DrinkingWater, wd.sources, true}} {
		r := snap.Find(area, k.indicator)
		if r == nil || r.Current == nil {
			continue
		}
		parts := []string{k.label + " " + fmt.Sprintf(wd.compliant, r.Compliant, r.Total), fmt.Sprintf(wd.ratePct, r.Current.Text)}
		if r.Change != nil && r.LastYear != nil {
			parts = append(parts, change(r, wd, lang))
		}
		if r.Target != nil {
			parts = append(parts, fmt.Sprintf(wd.targetAtLeast, r.Target.Text+"%"))
		}
		s := strings.Join(parts, sep(lang))
		if st, ok := wd.statuses[r.Status]; ok {
			s += " — " + st
		}
		out = append(out, s)
	}
	return out
}

type jsonResult struct {
	Indicator         string  `json:"indicator"`
	Unit              string  `json:"unit"`
	Value             *string `json:"value,omitempty"`
	SamePeriodLastYr  *string `json:"same_period_last_year,omitempty"`
	Comparable        *string `json:"comparable_last_year,omitempty"`
	YoY               *string `json:"yoy_change,omitempty"`
	Target            *string `json:"target,omitempty"`
	Direction         string  `json:"direction,omitempty"`
	RequiredRemaining *string `json:"required_remaining_mean,omitempty"`
	BudgetUsed        *int    `json:"budget_used_days,omitempty"`
	BudgetLeft        *int    `json:"budget_left_days,omitempty"`
	Status            string  `json:"status,omitempty"`
	Valid             bool    `json:"valid"`
}

func text(n *target.Num) *string {
	if n == nil {
		return nil
	}
	return &n.Text
}

func renderJSON(w io.Writer, snap *target.Snapshot, opt Options) error {
	out := struct {
		Area    string       `json:"area"`
		Year    int          `json:"year"`
		AsOf    string       `json:"as_of"`
		Results []jsonResult `json:"indicators"`
	}{Area: opt.Area, Year: snap.Year, AsOf: snap.AsOf.String()}
	for _, r := range snap.Results {
		if r.Area != opt.Area {
			continue
		}
		j := jsonResult{Indicator: r.Indicator, Unit: r.Unit, Value: text(r.Current), SamePeriodLastYr: text(r.LastYear),
			Comparable: text(r.Comparable), YoY: text(r.Change), Target: text(r.Target), RequiredRemaining: text(r.RequiredRemaining),
			BudgetUsed: r.BudgetUsed, BudgetLeft: r.BudgetLeft, Valid: r.Valid}
		if r.Target != nil {
			j.Direction = map[target.Direction]string{target.AtMost: "at_most", target.AtLeast: "at_least"}[r.Direction]
		}
		if r.Status != target.NoTarget {
			j.Status = r.Status.String()
		}
		out.Results = append(out.Results, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
