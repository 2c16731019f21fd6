package report

import (
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/indicator"
	"github.com/envwatch/envwatch/waterquality"
)

// monthDay writes a recurring date: "5月1日", "1 May".
func (wd *words) monthDay(m, d int) string {
	if wd == &en {
		return fmt.Sprintf("%d %s", d, time.Month(m).String()[:3])
	}
	return fmt.Sprintf("%d月%d日", m, d)
}

// dayText writes a date for people: "11月28日" in Chinese, ISO in English.
func (wd *words) dayText(d airquality.Day) string {
	if wd == &en {
		return d.String()
	}
	_, m, day := d.Date()
	return fmt.Sprintf("%d月%d日", int(m), day)
}

func renderText(w io.Writer, snap *indicator.Snapshot, info *indicator.AreaInfo, opt Options, wd *words) error {
	md := opt.Format == "markdown"
	var b strings.Builder
	title := fmt.Sprintf(wd.title, opt.AreaName, snap.Year, wd.dayText(info.AsOf))
	if info.Explicit {
		title = fmt.Sprintf(wd.titleAsked, opt.AreaName, snap.Year, wd.dayText(info.AsOf))
	}
	bullet := "  "
	if md {
		fmt.Fprintf(&b, "# %s\n\n", title)
		bullet = "- "
	} else {
		fmt.Fprintln(&b, title)
	}
	section := func(name string) {
		if md {
			fmt.Fprintf(&b, "\n## %s\n\n", name)
		} else {
			fmt.Fprintf(&b, "\n%s\n", name)
		}
	}
	if n := notReported(info); n > 0 && info.Explicit {
		fmt.Fprintf(&b, "%s%s\n", bullet, fmt.Sprintf(wd.pastDataEnd, info.AsOf, info.DataEnd, n))
	}
	var parts, basis, water, reported []string
	for _, r := range results(snap, opt.Area) {
		switch r.Indicator {
		case indicator.PM25Mean, indicator.PM10Mean, indicator.GoodDays, indicator.GoodDayRatio, indicator.O3ExceedanceDays,
			indicator.HeavyPollutionDays, indicator.CompositeIndex:
			fmt.Fprintf(&b, "%s%s\n", bullet, line(r, wd))
		case indicator.PM25YoY, indicator.PM10YoY:
			if r.Target != nil {
				fmt.Fprintf(&b, "%s%s\n", bullet, yoyTargetLine(r, wd))
			}
		case indicator.SO2Mean, indicator.NO2Mean, indicator.COP95, indicator.O3P90:
			parts = append(parts, line(r, wd))
		case indicator.ValidDays, indicator.ExceedanceDays:
			basis = append(basis, line(r, wd))
		case indicator.SectionsCompliance, indicator.DrinkingWater:
			if l := complianceLine(r, wd); l != "" {
				water = append(water, l)
			}
		case indicator.SectionsGoodShare, indicator.SectionsWorseThanVShare, indicator.DrinkingWaterVolume:
			if r.Current != nil {
				water = append(water, line(r, wd))
			}
		case indicator.SectionsTrend:
			switch {
			case r.Trend != nil:
				water = append(water, trendLine(r, wd))
			case r.ChangeReason != "":
				water = append(water, wd.trendName()+" "+wd.notComparable(r.ChangeReason, r))
			}
		default:
			reported = append(reported, line(r, wd))
		}
	}
	for _, l := range parts {
		fmt.Fprintf(&b, "%s%s\n", bullet, l)
	}
	for _, l := range basis {
		fmt.Fprintf(&b, "%s%s\n", bullet, l)
	}
	fmt.Fprintf(&b, "%s%s\n", bullet, naLine(info, wd))
	if len(info.WaterSites) == 0 {
		water = append(water, wd.noWater)
	}
	for _, l := range append(water, reported...) {
		fmt.Fprintf(&b, "%s%s\n", bullet, l)
	}
	if sites := areaSites(snap, info); len(sites) > 0 {
		section(wd.sectionsTitle)
		sectionTable(&b, sites, wd, md)
	}
	if len(opt.ThisYear) > 0 {
		section(wd.months)
		monthTable(&b, opt.ThisYear, wd, md)
	}
	if len(opt.LastYear) > 0 {
		section(wd.monthsLast)
		monthTable(&b, opt.LastYear, wd, md)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func naLine(info *indicator.AreaInfo, wd *words) string {
	if len(info.NADays) == 0 {
		return wd.noNADays
	}
	var ds []string
	for _, r := range airquality.DayRuns(info.NADays) {
		switch {
		case r[0] == r[1]:
			ds = append(ds, wd.dayText(r[0]))
		case wd == &en:
			ds = append(ds, wd.dayText(r[0])+"–"+wd.dayText(r[1]))
		default:
			ds = append(ds, wd.dayText(r[0])+"至"+wd.dayText(r[1]))
		}
	}
	list := strings.Join(ds, "、")
	if wd == &en {
		list = strings.Join(ds, ", ")
	}
	return fmt.Sprintf(wd.naDays, len(info.NADays), list)
}

// valueText is a value with its unit.
func valueText(n *indicator.Num, unit string, wd *words) string {
	switch unit {
	case "µg/m³":
		return n.Text + wd.unitConc
	case "mg/m³":
		return n.Text + wd.unitCO
	case "days":
		if wd == &en {
			return n.Text // "Good days 173": the name says days
		}
		return wd.daysText(n.Text)
	case "%":
		return n.Text + "%"
	case "index", "":
		return n.Text
	}
	return n.Text + " " + unit
}

func (wd *words) coverage(c indicator.Coverage) string {
	if c.CalendarDays == 0 {
		return "" // water and reported indicators have no day coverage
	}
	extra := ""
	if c.NotReported > 0 {
		if wd == &en {
			extra = fmt.Sprintf(", %d not yet reported", c.NotReported)
		} else {
			extra = fmt.Sprintf("，%d 天未上报", c.NotReported)
		}
	}
	return fmt.Sprintf(wd.cover, c.ValidDays, c.CalendarDays, extra)
}

// changeText writes a published change with the word that carries its sign.
func changeText(n *indicator.Num, unit string, wd *words) string {
	abs, neg, zero := signed(n.Text)
	switch {
	case zero:
		return wd.flat
	case unit == "days" && neg:
		return fmt.Sprintf(wd.fewer, wd.daysText(abs))
	case unit == "days":
		return fmt.Sprintf(wd.more, wd.daysText(abs))
	case unit == "%" && neg:
		return fmt.Sprintf(wd.ppFell, abs)
	case unit == "%":
		return fmt.Sprintf(wd.ppRose, abs)
	case neg:
		return fmt.Sprintf(wd.fell, abs)
	default:
		return fmt.Sprintf(wd.rose, abs)
	}
}

func (wd *words) name(r *indicator.Result) string {
	if n := indicator.NameText(r.Indicator, wd.lang); n != "" {
		return n
	}
	return r.Indicator // a reported indicator is named by its configuration
}

// status is " — " and the status, with the probability of meeting the target and its basis
// where the area's history gives one; "" without a target.
func (wd *words) status(r *indicator.Result) string {
	if r.Status == indicator.NoTarget {
		return ""
	}
	s := " — " + r.Status.Text(wd.lang)
	switch o := r.Outlook; {
	case o != nil && o.Low != nil:
		s += fmt.Sprintf(wd.outlook, fixed.FormatRat(new(big.Rat).SetFloat64(o.P*100), 0), o.Low.Text, o.Mid.Text, o.High.Text, o.Years, o.Sims)
	case o != nil:
		s += fmt.Sprintf(wd.outlookNoRange, fixed.FormatRat(new(big.Rat).SetFloat64(o.P*100), 0), o.Years, o.Sims)
	case r.OutlookReason != "":
		if wd.lang == "zh" {
			s += "（" + wd.noOutlookText(r.OutlookReason) + "）"
		} else {
			s += " (" + wd.noOutlookText(r.OutlookReason) + ")"
		}
	}
	return s
}

// noOutlookText says why a target has no probability.
func (wd *words) noOutlookText(reason string) string {
	if t, ok := wd.noOutlook[reason]; ok {
		return t
	}
	return reason
}

// validDaysLine is the data basis: valid days of each period out of its calendar days.
func validDaysLine(r *indicator.Result, wd *words) string {
	parts := []string{fmt.Sprintf("%s %d/%d", wd.name(r), r.Coverage.ValidDays, r.Coverage.CalendarDays)}
	if r.Coverage.NotReported > 0 {
		parts[0] += wd.coverage(r.Coverage)
	}
	if r.LastYearCoverage.CalendarDays > 0 {
		parts = append(parts, fmt.Sprintf(wd.lastYear, fmt.Sprintf("%d/%d", r.LastYearCoverage.ValidDays, r.LastYearCoverage.CalendarDays)))
	}
	if r.LastYearFullCoverage.CalendarDays > 0 {
		parts = append(parts, fmt.Sprintf(wd.lastYearFull, fmt.Sprintf("%d/%d", r.LastYearFullCoverage.ValidDays, r.LastYearFullCoverage.CalendarDays)))
	}
	return strings.Join(parts, wd.sep())
}

func line(r *indicator.Result, wd *words) string {
	if r.Indicator == indicator.ValidDays {
		return validDaysLine(r, wd)
	}
	head := wd.name(r)
	if s := r.Season; s != nil {
		head += fmt.Sprintf(wd.season, wd.monthDay(int(s.FromMonth), s.FromDay), wd.monthDay(int(s.ToMonth), s.ToDay))
	}
	if r.Current != nil {
		head += " " + valueText(r.Current, r.Unit, wd)
		if r.Total > 0 && (r.Indicator == indicator.SectionsGoodShare || r.Indicator == indicator.SectionsWorseThanVShare) {
			head += fmt.Sprintf(" (%d/%d)", r.Compliant, r.Total) // the sections behind the share
		}
	}
	known := r.Indicator != indicator.ValidDays && r.Unit != "" && (r.Coverage.CalendarDays > 0)
	if known {
		head += wd.coverage(r.Coverage)
	}
	if r.Current != nil && !r.Valid && known {
		head += wd.invalid
	}
	parts := []string{head}
	switch {
	case r.Change != nil:
		parts = append(parts, changeText(r.Change, r.Unit, wd))
	case r.ChangeReason != "":
		parts = append(parts, wd.notComparable(r.ChangeReason, r))
	}
	if r.LastYear != nil {
		parts = append(parts, fmt.Sprintf(wd.lastYear, valueText(r.LastYear, r.Unit, wd)+wd.coverage(r.LastYearCoverage)))
	}
	if r.Comparable != nil {
		c := fmt.Sprintf(wd.comparable, valueText(r.Comparable, r.Unit, wd))
		switch {
		case r.ComparableChange != nil:
			c += "，" + changeText(r.ComparableChange, r.Unit, wd)
			if wd == &en {
				c = strings.Replace(c, "，", ", ", 1)
			}
		case r.ComparableReason != "":
			c += " — " + wd.notComparable(r.ComparableReason, r)
		}
		parts = append(parts, c)
	}
	if r.LastYearFull != nil {
		parts = append(parts, fmt.Sprintf(wd.lastYearFull, valueText(r.LastYearFull, r.Unit, wd)+wd.coverage(r.LastYearFullCoverage)))
	}
	parts = append(parts, targetParts(r, wd)...)
	s := strings.Join(parts, wd.sep())
	s += wd.status(r)
	return s
}

// targetParts are the target, what the rest of the year may use, and the margin or
// shortfall — "超出" only for a missed upper limit.
func targetParts(r *indicator.Result, wd *words) []string {
	if r.Target == nil {
		return nil
	}
	t := wd.targetAtMost
	if r.Direction == indicator.AtLeast {
		t = wd.targetAtLeast
	}
	out := []string{fmt.Sprintf(t, valueText(r.Target, r.Unit, wd))}
	if r.RequiredRemaining != nil {
		out = append(out, fmt.Sprintf(wd.required, r.RequiredRemaining.Text))
	}
	if b := r.BestOnRecord; b != nil {
		f := wd.lowestOnRecord
		if r.Indicator == indicator.GoodDays {
			f = wd.mostGoodOnRecord
		}
		out = append(out, fmt.Sprintf(f, b.Text))
	}
	if r.BudgetLeft == nil {
		return out
	}
	left := *r.BudgetLeft
	if r.Direction == indicator.AtMost {
		if left >= 0 {
			return append(out, fmt.Sprintf(wd.left, wd.days(left)))
		}
		return append(out, fmt.Sprintf(wd.over, wd.days(-left)))
	}
	cur, tgt := atoi(r.Current.Text), atoi(r.Target.Text)
	diff := cur - tgt
	if diff >= 0 {
		return append(out, fmt.Sprintf(wd.above, wd.days(diff)))
	}
	out = append(out, fmt.Sprintf(wd.short, wd.days(-diff)))
	switch remaining := left - diff; {
	case remaining == 0: // the year is over: the shortfall says it all
	case left >= 0:
		out = append(out, fmt.Sprintf(wd.spare, wd.days(left)))
	default:
		out = append(out, fmt.Sprintf(wd.cannotReach, wd.days(-left)))
	}
	return out
}

func atoi(s string) int {
	n := 0
	fmt.Sscan(s, &n)
	return n
}

// yoyTargetLine is a YoY reduction target: the change with its word, and the target in
// words (a target of −5 % is "a fall of at least 5 %").
func yoyTargetLine(r *indicator.Result, wd *words) string {
	parts := []string{wd.name(r)}
	switch {
	case r.Current != nil:
		abs, neg, zero := signed(r.Current.Text)
		switch {
		case zero:
			parts[0] += " " + wd.chgFlat
		case neg:
			parts[0] += " " + fmt.Sprintf(wd.chgFall, abs)
		default:
			parts[0] += " " + fmt.Sprintf(wd.chgRise, abs)
		}
	case r.ChangeReason != "":
		parts = append(parts, wd.notComparable(r.ChangeReason, r))
	}
	abs, neg, _ := signed(r.Target.Text)
	if neg {
		parts = append(parts, fmt.Sprintf(wd.yoyTargetFall, abs))
	} else {
		parts = append(parts, fmt.Sprintf(wd.yoyTargetRise, abs))
	}
	s := strings.Join(parts, wd.sep())
	s += wd.status(r)
	return s
}

func complianceLine(r *indicator.Result, wd *words) string {
	if r.Current == nil {
		return ""
	}
	label := wd.sections
	if r.Indicator == indicator.DrinkingWater {
		label = wd.sources
	}
	parts := []string{label + " " + fmt.Sprintf(wd.compliant, r.Compliant, r.Total), fmt.Sprintf(wd.ratePct, r.Current.Text)}
	switch {
	case r.Change != nil && r.LastYear != nil:
		parts = append(parts, changeText(r.Change, r.Unit, wd))
	case r.ChangeReason != "":
		parts = append(parts, wd.notComparable(r.ChangeReason, r))
	}
	if r.Target != nil {
		parts = append(parts, fmt.Sprintf(wd.targetAtLeast, r.Target.Text+"%"))
	}
	s := strings.Join(parts, wd.sep())
	s += wd.status(r)
	return s
}

func numOr(n *indicator.Num, valid bool) string {
	switch {
	case n == nil:
		return "—"
	case !valid:
		return n.Text + "*"
	}
	return n.Text
}

// count is a month's day count, "—" when the month has no valid day: zero good days of a
// month without data would read as a month of bad air.
func count(m *indicator.MonthRow, n int) string {
	if m.ValidDays == 0 {
		return "—"
	}
	return fmt.Sprint(n)
}

// monthTable writes a monthly table; an asterisk marks a value whose month does not meet
// the coverage rule.
func monthTable(b *strings.Builder, rows []indicator.MonthRow, wd *words, md bool) {
	cells := [][]string{wd.monthHead}
	for i := range rows {
		m := &rows[i]
		cells = append(cells, []string{m.MonthName(), numOr(m.PM25, m.PM25Valid), numOr(m.PM10, m.PM10Valid), numOr(m.O3P90, m.O3P90Valid),
			count(m, m.GoodDays), fmt.Sprintf("%d/%d", m.ValidDays, m.CalendarDays), count(m, m.Over100Days), count(m, m.O3ExceedanceDays)})
	}
	writeTable(b, cells, md)
}

// trendLine is the 2011 method's verdict on the area's sections.
func trendLine(r *indicator.Result, wd *words) string {
	verdict := r.Trend.Verdict()
	if wd == &en {
		verdict = map[string]string{"none": "no significant change", "slight": "slightly ", "significant": "significantly "}[r.Trend.DegreeCode()]
		if r.Trend.DegreeCode() != "none" {
			verdict += map[string]string{"improved": "improved", "deteriorated": "deteriorated", "unchanged": "unchanged"}[r.Trend.DirectionCode()]
		}
	}
	d := r.Current.Text
	if !strings.HasPrefix(d, "-") {
		d = "+" + d
	}
	return fmt.Sprintf(wd.trend, d, verdict)
}

// areaSites are the snapshot's sections and sources of the area, in configuration order.
func areaSites(snap *indicator.Snapshot, info *indicator.AreaInfo) []*indicator.SectionResult {
	in := map[string]bool{}
	for _, c := range info.WaterSites {
		in[c] = true
	}
	var out []*indicator.SectionResult
	for i := range snap.Water {
		if in[snap.Water[i].Code] {
			out = append(out, &snap.Water[i])
		}
	}
	return out
}

// mainText names the main pollutants and their exceedance multiples: 总磷（0.6） / TP (0.6).
func mainText(ms []waterquality.Exceedance, wd *words) string {
	var parts []string
	for _, m := range ms {
		name := indicator.ItemText(wd.lang, m.Item.Code())
		if wd == &en {
			parts = append(parts, fmt.Sprintf("%s (%s)", name, m.MultipleString()))
		} else {
			parts = append(parts, fmt.Sprintf("%s（%s）", name, m.MultipleString()))
		}
	}
	if len(parts) == 0 {
		return "—"
	}
	if wd == &en {
		return strings.Join(parts, ", ")
	}
	return strings.Join(parts, "、")
}

func classText(r *indicator.SectionResult, wd *words) string {
	if r == nil || r.Samples == 0 {
		return "—"
	}
	return indicator.ClassText(wd.lang, r.Class.String())
}

func metText(r *indicator.SectionResult, wd *words) string {
	switch {
	case r == nil || r.Samples == 0:
		return "—"
	case r.Compliant:
		return wd.met
	}
	return wd.notMet
}

// sectionTable lists each section and source: class, compliance and main pollutants this
// period and in the same period last year.
func sectionTable(b *strings.Builder, sites []*indicator.SectionResult, wd *words, md bool) {
	cells := [][]string{wd.sectionHead}
	for _, s := range sites {
		name := s.Name
		if name == "" {
			name = s.Code
		}
		tgt := indicator.ClassText(wd.lang, s.Target.String())
		if s.Source {
			tgt = "Ⅲ类＋表2"
			if wd == &en {
				tgt = "Class III + Table 2"
			}
		}
		cells = append(cells, []string{name, orDash(s.River), orDash(indicator.LevelText(wd.lang, s.Level)), tgt, classText(s, wd), metText(s, wd),
			mainText(s.Main, wd), classText(s.LastYear, wd), metText(s.LastYear, wd), fmt.Sprint(s.Samples)})
	}
	writeTable(b, cells, md)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// writeTable writes rows (the first is the header) as a Markdown table or as indented,
// tab-separated lines.
func writeTable(b *strings.Builder, rows [][]string, md bool) {
	for i, row := range rows {
		if !md {
			fmt.Fprintf(b, "  %s\n", strings.Join(row, "\t"))
			continue
		}
		fmt.Fprintf(b, "| %s |\n", strings.Join(row, " | "))
		if i == 0 {
			fmt.Fprintf(b, "|%s\n", strings.Repeat("---|", len(row)))
		}
	}
}
