package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/api"
	"github.com/envwatch/envwatch/indicator"
)

// number writes a published value as a JSON number with its published decimals
// ("35.0" stays 35.0); nil is null.
func number(n *indicator.Num) json.RawMessage {
	if n == nil {
		return nil
	}
	return json.RawMessage(n.Text)
}

func coverageJSON(c indicator.Coverage, lang string) *api.Coverage {
	if c.CalendarDays == 0 {
		return nil
	}
	return &api.Coverage{ValidDays: c.ValidDays, CalendarDays: c.CalendarDays, NotReported: c.NotReported, Valid: c.Valid,
		Reason: indicator.ReasonText(lang, c.Reason)}
}

func siteJSON(s *indicator.SectionResult) *api.WaterSite {
	if s == nil {
		return nil
	}
	j := &api.WaterSite{Code: s.Code, Name: s.Name, Kind: "section", River: s.River, Level: s.Level, Target: s.Target.String(),
		Samples: s.Samples, Months: s.Months, Main: []api.Exceedance{}}
	if s.Source {
		j.Kind, j.Target = "drinking_water_source", "III"
	}
	if s.Samples > 0 {
		c, ok := s.Class.String(), s.Compliant
		j.Class, j.Compliant = &c, &ok
	}
	for _, m := range s.Main {
		j.Main = append(j.Main, api.Exceedance{Item: m.Item.Code(), Multiple: json.RawMessage(m.MultipleString())})
	}
	j.LastYear = siteJSON(s.LastYear)
	if j.LastYear != nil {
		j.LastYear.LastYear = nil
	}
	return j
}

func monthsJSON(rows []indicator.MonthRow) []api.Month {
	var out []api.Month
	for i := range rows {
		m := &rows[i]
		out = append(out, api.Month{Month: m.MonthName(), CalendarDays: m.CalendarDays, ValidDays: m.ValidDays, DaysValid: m.DaysValid,
			PM25: number(m.PM25), PM25Valid: m.PM25Valid, PM10: number(m.PM10), PM10Valid: m.PM10Valid, O3P90: number(m.O3P90),
			O3P90Valid: m.O3P90Valid, GoodDays: countOf(m, m.GoodDays), Over100Days: countOf(m, m.Over100Days), O3ExceedanceDays: countOf(m, m.O3ExceedanceDays)})
	}
	return out
}

func dayStrings(ds []airquality.Day) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.String()
	}
	return out
}

func renderJSON(w io.Writer, snap *indicator.Snapshot, info *indicator.AreaInfo, opt Options) error {
	wd := &zh
	if opt.Lang == "en" {
		wd = &en
	}
	out := api.Report{Area: opt.Area, Name: opt.AreaName, Year: snap.Year, AsOf: info.AsOf.String(), Explicit: info.Explicit,
		NotReported: notReported(info), NADays: dayStrings(info.NADays), Results: []api.Indicator{}, Sites: []*api.WaterSite{}}
	for _, s := range areaSites(snap, info) {
		out.Sites = append(out.Sites, siteJSON(s))
	}
	if len(info.WaterSites) == 0 {
		out.WaterNote = wd.noWater
	}
	if info.DataEnd > 0 {
		s := info.DataEnd.String()
		out.DataEnd = &s
	}
	for _, r := range results(snap, opt.Area) {
		j := api.Indicator{Indicator: r.Indicator, Name: wd.name(r), Unit: r.Unit, Value: number(r.Current), Valid: r.Valid, Reason: indicator.ReasonText(opt.Lang, r.Reason),
			Coverage: coverageJSON(r.Coverage, opt.Lang), SamePeriodLastYear: number(r.LastYear), SamePeriodCoverage: coverageJSON(r.LastYearCoverage, opt.Lang),
			LastYear: number(r.LastYearFull), LastYearCoverage: coverageJSON(r.LastYearFullCoverage, opt.Lang), YoY: number(r.Change),
			Comparable: number(r.Comparable), ComparableYoY: number(r.ComparableChange), WithoutSandDeduction: number(r.WithoutSandDeduction),
			Target: number(r.Target), RequiredRemaining: number(r.RequiredRemaining), BestOnRecord: number(r.BestOnRecord), BudgetUsed: r.BudgetUsed, BudgetLeft: r.BudgetLeft}
		if r.Change == nil && r.ChangeReason != "" {
			j.YoYReason = wd.notComparable(r.ChangeReason, r)
		}
		if b := r.WaterBasis; b != nil {
			j.WaterBasis = &api.WaterBasis{NeedMonths: b.NeedMonths, Sites: b.Sites, ShortThisYear: b.ShortNow, ShortLastYear: b.ShortLast}
		}
		if r.Comparable != nil && r.ComparableChange == nil && r.ComparableReason != "" {
			j.ComparableYoYReason = wd.notComparable(r.ComparableReason, r)
		}
		if r.Target != nil {
			j.Direction = map[indicator.Direction]string{indicator.AtMost: "at_most", indicator.AtLeast: "at_least"}[r.Direction]
		}
		if r.Status != indicator.NoTarget {
			j.Status, j.StatusText = r.Status.String(), r.Status.Text(opt.Lang)
		}
		if o := r.Outlook; o != nil {
			j.Outlook = &api.Outlook{Probability: o.P, Low: number(o.Low), Mid: number(o.Mid), High: number(o.High),
				PastYears: o.Years, Simulations: o.Sims, Basis: fmt.Sprintf(wd.outlookBasis, o.Years, o.Sims)}
		} else if r.OutlookReason != "" {
			j.OutlookReason = wd.noOutlookText(r.OutlookReason)
		}
		if r.Total > 0 {
			j.Compliant, j.Total = &r.Compliant, &r.Total
		}
		// json.RawMessage(nil) marshals as null: comparisons stay present when withheld.
		out.Results = append(out.Results, j)
	}
	if len(opt.ThisYear) > 0 || len(opt.LastYear) > 0 {
		out.Monthly = &api.Monthly{ThisYear: monthsJSON(opt.ThisYear), LastYear: monthsJSON(opt.LastYear)}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

func text(n *indicator.Num) string {
	if n == nil {
		return ""
	}
	return n.Text
}

// indicatorsCSV is the indicator table, one row per indicator.
func indicatorsCSV(w io.Writer, snap *indicator.Snapshot, opt Options, wd *words) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"area", "indicator", "name", "unit", "value", "valid", "valid_days", "calendar_days", "not_reported_days",
		"same_period_last_year", "same_period_valid_days", "same_period_calendar_days", "yoy_change", "yoy_reason",
		"comparable_last_year", "comparable_yoy_change", "last_year", "target", "direction", "status"})
	for _, r := range results(snap, opt.Area) {
		reason := ""
		if r.Change == nil && r.ChangeReason != "" {
			reason = wd.notComparable(r.ChangeReason, r)
		}
		dir, status := "", ""
		if r.Target != nil {
			dir = map[indicator.Direction]string{indicator.AtMost: "at_most", indicator.AtLeast: "at_least"}[r.Direction]
		}
		if r.Status != indicator.NoTarget {
			status = r.Status.String()
		}
		_ = cw.Write([]string{opt.Area, r.Indicator, wd.name(r), r.Unit, text(r.Current), strconv.FormatBool(r.Valid),
			itoa(r.Coverage.ValidDays), itoa(r.Coverage.CalendarDays), itoa(r.Coverage.NotReported),
			text(r.LastYear), itoa(r.LastYearCoverage.ValidDays), itoa(r.LastYearCoverage.CalendarDays), text(r.Change), reason,
			text(r.Comparable), text(r.ComparableChange), text(r.LastYearFull), text(r.Target), dir, status})
	}
	cw.Flush()
	return cw.Error()
}

func itoa(n int) string { return strconv.Itoa(n) }

// countOf is a month's day count, null when the month has no valid day (none counted is
// not none seen); countText the same for CSV (empty).
func countOf(m *indicator.MonthRow, n int) *int {
	if m.ValidDays == 0 {
		return nil
	}
	return &n
}

func countText(m *indicator.MonthRow, n int) string {
	if m.ValidDays == 0 {
		return ""
	}
	return itoa(n)
}

// monthlyCSV is the monthly table of this year and last year.
func monthlyCSV(w io.Writer, opt Options) error {
	if len(opt.ThisYear) == 0 && len(opt.LastYear) == 0 {
		return fmt.Errorf("no monthly table to write")
	}
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"area", "month", "calendar_days", "valid_days", "days_valid", "pm2_5", "pm2_5_valid", "pm10", "pm10_valid",
		"o3_p90", "o3_p90_valid", "good_days", "exceedance_days", "o3_exceedance_days"})
	for _, rows := range [][]indicator.MonthRow{opt.LastYear, opt.ThisYear} {
		for i := range rows {
			m := &rows[i]
			_ = cw.Write([]string{opt.Area, m.MonthName(), itoa(m.CalendarDays), itoa(m.ValidDays), strconv.FormatBool(m.DaysValid),
				text(m.PM25), strconv.FormatBool(m.PM25Valid), text(m.PM10), strconv.FormatBool(m.PM10Valid),
				text(m.O3P90), strconv.FormatBool(m.O3P90Valid), countText(m, m.GoodDays), countText(m, m.Over100Days), countText(m, m.O3ExceedanceDays)})
		}
	}
	cw.Flush()
	return cw.Error()
}
