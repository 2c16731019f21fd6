package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/envwatch/envwatch/airquality"
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

type jsonCoverage struct {
	ValidDays    int    `json:"valid_days"`
	CalendarDays int    `json:"calendar_days"`
	NotReported  int    `json:"not_reported_days,omitempty"`
	Valid        bool   `json:"valid"`
	Reason       string `json:"reason,omitempty"`
}

func coverageJSON(c indicator.Coverage, lang string) *jsonCoverage {
	if c.CalendarDays == 0 {
		return nil
	}
	return &jsonCoverage{ValidDays: c.ValidDays, CalendarDays: c.CalendarDays, NotReported: c.NotReported, Valid: c.Valid,
		Reason: indicator.ReasonText(lang, c.Reason)}
}

// jsonResult is one indicator. Comparisons are always present: null with a reason when
// the data do not support them.
type jsonResult struct {
	Indicator            string          `json:"indicator"`
	Name                 string          `json:"name"`
	Unit                 string          `json:"unit"`
	Value                json.RawMessage `json:"value"`
	Valid                bool            `json:"valid"`
	Reason               string          `json:"reason,omitempty"`
	Coverage             *jsonCoverage   `json:"coverage,omitempty"`
	SamePeriodLastYear   json.RawMessage `json:"same_period_last_year"`
	SamePeriodCoverage   *jsonCoverage   `json:"same_period_last_year_coverage,omitempty"`
	LastYear             json.RawMessage `json:"last_year,omitempty"`
	LastYearCoverage     *jsonCoverage   `json:"last_year_coverage,omitempty"`
	YoY                  json.RawMessage `json:"yoy_change"`
	YoYReason            string          `json:"yoy_reason,omitempty"`
	WaterBasis           *jsonWaterBasis `json:"water_basis,omitempty"`
	Comparable           json.RawMessage `json:"comparable_last_year,omitempty"`
	ComparableYoY        json.RawMessage `json:"comparable_yoy_change,omitempty"`
	ComparableYoYReason  string          `json:"comparable_yoy_reason,omitempty"`
	WithoutSandDeduction json.RawMessage `json:"without_sand_deduction,omitempty"`
	Target               json.RawMessage `json:"target,omitempty"`
	Direction            string          `json:"direction,omitempty"`
	RequiredRemaining    json.RawMessage `json:"required_remaining_mean,omitempty"`
	BestOnRecord         json.RawMessage `json:"best_on_record,omitempty"`
	BudgetUsed           *int            `json:"budget_used_days,omitempty"`
	BudgetLeft           *int            `json:"budget_left_days,omitempty"`
	Status               string          `json:"status,omitempty"`
	StatusText           string          `json:"status_text,omitempty"`
	Outlook              *jsonOutlook    `json:"outlook,omitempty"`
	OutlookReason        string          `json:"outlook_reason,omitempty"`
	Compliant            *int            `json:"compliant,omitempty"`
	Total                *int            `json:"total,omitempty"`
}

type jsonExceedance struct {
	Item     string          `json:"item"`
	Multiple json.RawMessage `json:"multiple"`
}

type jsonSite struct {
	Code      string           `json:"code"`
	Name      string           `json:"name"`
	Kind      string           `json:"kind"` // section or drinking_water_source
	River     string           `json:"river,omitempty"`
	Level     string           `json:"level,omitempty"`
	Target    string           `json:"target_class"`
	Samples   int              `json:"samples"`
	Months    int              `json:"months_with_samples"`
	Class     *string          `json:"class"`
	Compliant *bool            `json:"compliant"`
	Main      []jsonExceedance `json:"main_pollutants"`
	LastYear  *jsonSite        `json:"same_period_last_year,omitempty"`
}

func siteJSON(s *indicator.SectionResult) *jsonSite {
	if s == nil {
		return nil
	}
	j := &jsonSite{Code: s.Code, Name: s.Name, Kind: "section", River: s.River, Level: s.Level, Target: s.Target.String(),
		Samples: s.Samples, Months: s.Months, Main: []jsonExceedance{}}
	if s.Source {
		j.Kind, j.Target = "drinking_water_source", "III"
	}
	if s.Samples > 0 {
		c, ok := s.Class.String(), s.Compliant
		j.Class, j.Compliant = &c, &ok
	}
	for _, m := range s.Main {
		j.Main = append(j.Main, jsonExceedance{Item: m.Item.Code(), Multiple: json.RawMessage(m.MultipleString())})
	}
	j.LastYear = siteJSON(s.LastYear)
	if j.LastYear != nil {
		j.LastYear.LastYear = nil
	}
	return j
}

type jsonMonth struct {
	Month            string          `json:"month"`
	CalendarDays     int             `json:"calendar_days"`
	ValidDays        int             `json:"valid_days"`
	DaysValid        bool            `json:"days_valid"`
	PM25             json.RawMessage `json:"pm2_5"`
	PM25Valid        bool            `json:"pm2_5_valid"`
	PM10             json.RawMessage `json:"pm10"`
	PM10Valid        bool            `json:"pm10_valid"`
	O3P90            json.RawMessage `json:"o3_p90"`
	O3P90Valid       bool            `json:"o3_p90_valid"`
	GoodDays         int             `json:"good_days"`
	Over100Days      int             `json:"exceedance_days"`
	O3ExceedanceDays int             `json:"o3_exceedance_days"`
}

func monthsJSON(rows []indicator.MonthRow) []jsonMonth {
	var out []jsonMonth
	for i := range rows {
		m := &rows[i]
		out = append(out, jsonMonth{Month: m.MonthName(), CalendarDays: m.CalendarDays, ValidDays: m.ValidDays, DaysValid: m.DaysValid,
			PM25: number(m.PM25), PM25Valid: m.PM25Valid, PM10: number(m.PM10), PM10Valid: m.PM10Valid, O3P90: number(m.O3P90),
			O3P90Valid: m.O3P90Valid, GoodDays: m.GoodDays, Over100Days: m.Over100Days, O3ExceedanceDays: m.O3ExceedanceDays})
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
	type monthly struct {
		ThisYear []jsonMonth `json:"this_year"`
		LastYear []jsonMonth `json:"last_year"`
	}
	out := struct {
		Area        string       `json:"area"`
		Name        string       `json:"name"`
		Year        int          `json:"year"`
		AsOf        string       `json:"as_of"`
		DataEnd     *string      `json:"data_end"`
		Explicit    bool         `json:"as_of_explicit"`
		NotReported int          `json:"not_reported_days"`
		NADays      []string     `json:"na_days"`
		Results     []jsonResult `json:"indicators"`
		Sites       []*jsonSite  `json:"water_sites"`
		WaterNote   string       `json:"water_note,omitempty"`
		Monthly     *monthly     `json:"monthly,omitempty"`
	}{Area: opt.Area, Name: opt.AreaName, Year: snap.Year, AsOf: info.AsOf.String(), Explicit: info.Explicit,
		NotReported: notReported(info), NADays: dayStrings(info.NADays), Results: []jsonResult{}, Sites: []*jsonSite{}}
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
		j := jsonResult{Indicator: r.Indicator, Name: wd.name(r), Unit: r.Unit, Value: number(r.Current), Valid: r.Valid, Reason: indicator.ReasonText(opt.Lang, r.Reason),
			Coverage: coverageJSON(r.Coverage, opt.Lang), SamePeriodLastYear: number(r.LastYear), SamePeriodCoverage: coverageJSON(r.LastYearCoverage, opt.Lang),
			LastYear: number(r.LastYearFull), LastYearCoverage: coverageJSON(r.LastYearFullCoverage, opt.Lang), YoY: number(r.Change),
			Comparable: number(r.Comparable), ComparableYoY: number(r.ComparableChange), WithoutSandDeduction: number(r.WithoutSandDeduction),
			Target: number(r.Target), RequiredRemaining: number(r.RequiredRemaining), BestOnRecord: number(r.BestOnRecord), BudgetUsed: r.BudgetUsed, BudgetLeft: r.BudgetLeft}
		if r.Change == nil && r.ChangeReason != "" {
			j.YoYReason = wd.notComparable(r.ChangeReason, r)
		}
		if b := r.WaterBasis; b != nil {
			j.WaterBasis = &jsonWaterBasis{NeedMonths: b.NeedMonths, Sites: b.Sites, ShortThisYear: b.ShortNow, ShortLastYear: b.ShortLast}
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
			j.Outlook = &jsonOutlook{Probability: o.P, Low: number(o.Low), Mid: number(o.Mid), High: number(o.High),
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
		out.Monthly = &monthly{ThisYear: monthsJSON(opt.ThisYear), LastYear: monthsJSON(opt.LastYear)}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// jsonWaterBasis is the sample basis of a water comparison: sites with samples in either
// period, those with samples in fewer than need_months months this year and last year.
type jsonWaterBasis struct {
	NeedMonths    int `json:"need_months"`
	Sites         int `json:"sites"`
	ShortThisYear int `json:"short_this_year"`
	ShortLastYear int `json:"short_last_year"`
}

// jsonOutlook is a target's probability and the simulated year-end value's quantiles.
type jsonOutlook struct {
	Probability float64         `json:"probability"`
	Low         json.RawMessage `json:"p10"`
	Mid         json.RawMessage `json:"p50"`
	High        json.RawMessage `json:"p90"`
	PastYears   int             `json:"past_years"`
	Simulations int             `json:"simulations"`
	Basis       string          `json:"basis"`
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
				text(m.O3P90), strconv.FormatBool(m.O3P90Valid), itoa(m.GoodDays), itoa(m.Over100Days), itoa(m.O3ExceedanceDays)})
		}
	}
	cw.Flush()
	return cw.Error()
}
