package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/big"
	"slices"
	"sort"
	"strings"

	"github.com/envwatch/envwatch/api"
	"github.com/envwatch/envwatch/assessment"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/indicator"
)

// AssessOptions select the rendering of a monthly assessment.
type AssessOptions struct {
	AreaName string
	Format   string // text, markdown, json, csv
	Lang     string
	Table    string // csv: compensation (default) or ranking
	// Names are the units' names in Lang by id (areas' name_en for English); a unit not
	// in it keeps its configured name.
	Names map[string]string
}

// localized is the assessment in the output's language: the units' names, the reasons
// (the engines' English, translated for Chinese) and, in English, the default money units.
// The figures are not touched.
func localized(a *indicator.Assessment, opt AssessOptions) *indicator.Assessment {
	name := func(id, n string) string {
		if v, ok := opt.Names[id]; ok && v != "" {
			return v
		}
		return n
	}
	reason := func(s string) string { return indicator.ReasonText(opt.Lang, s) }
	c := *a
	c.Rankings = make([]indicator.Ranking, len(a.Rankings))
	for i, rk := range a.Rankings {
		rk.Rows = slices.Clone(rk.Rows)
		for j := range rk.Rows {
			rk.Rows[j].Name, rk.Rows[j].Reason = name(rk.Rows[j].Unit, rk.Rows[j].Name), reason(rk.Rows[j].Reason)
		}
		c.Rankings[i] = rk
	}
	c.Schemes = make([]indicator.SchemeResult, len(a.Schemes))
	for i, s := range a.Schemes {
		s.Spec.MoneyUnit = moneyUnit(opt.Lang, s.Spec.MoneyUnit)
		s.Outcome.Lines = slices.Clone(s.Outcome.Lines)
		for j := range s.Outcome.Lines {
			l := &s.Outcome.Lines[j]
			l.Name, l.Excluded = name(l.Unit, l.Name), reason(l.Excluded)
		}
		c.Schemes[i] = s
	}
	c.Totals = make([]indicator.UnitTotal, len(a.Totals))
	for i, t := range a.Totals {
		t.Name = name(t.Unit, t.Name)
		net := map[string]*big.Rat{}
		for u, n := range t.Net {
			net[moneyUnit(opt.Lang, u)] = n
		}
		t.Net = net
		c.Totals[i] = t
	}
	return &c
}

// moneyUnit is a money unit in a language: the default 万元 is "10k yuan" in English.
func moneyUnit(lang, u string) string {
	if lang == "en" {
		switch u {
		case "万元":
			return "10k yuan"
		case "元":
			return "yuan"
		}
	}
	return u
}

type assessWords struct {
	title, rangeTitle, provisional, ranking, lowerBetter, higherBetter, notRanked string
	// rangeFactor names the factors whose monthly name does not fit a ranking over days.
	rangeFactor                                      map[assessment.Factor]string
	bases                                            map[string]string
	head                                             []string
	pay, receive, none, totals, sum, allSchemes, net string
	factor                                           map[assessment.Factor]string
	excluded                                         string
	schemeHead, inUnit                               string
}

var assessZH = assessWords{
	title: "%s %d年%d月 月考核（区县排名与生态补偿）", rangeTitle: "%s %s 至 %s 排名",
	rangeFactor: map[assessment.Factor]string{assessment.PM25: "PM2.5 平均浓度", assessment.PM10: "PM10 平均浓度"},
	provisional: "暂定：月份未结束，数据截至 %s",
	ranking:     "排名 · %s（%s）", lowerBetter: "越低越好", higherBetter: "越高越好", notRanked: "不参与排名：%s",
	bases: map[string]string{"units_average": "各单位均值", "target": "目标值", "fixed": "固定基数", "last_year": "去年同期"},
	head:  []string{"单位", "值", "基数", "差值", "金额", "方向"},
	pay:   "支偿", receive: "得补", none: "—", totals: "合计：支偿 %s，得补 %s，结余 %s %s", sum: "合计",
	allSchemes: "各单位合计（全部方案）", net: "%s %s %s %s", excluded: "不计：%s",
	schemeHead: "%s · %s（%s … %s；%s）", inUnit: "（%s）",
	factor: map[assessment.Factor]string{assessment.PM25: "PM2.5 月均浓度", assessment.PM10: "PM10 月均浓度", assessment.O3P90: "O3 日最大8小时第90百分位",
		assessment.Composite: "综合指数", assessment.CompositeWeighted: "综合指数（加权）", assessment.CompositeYoY: "综合指数同比变化率",
		assessment.PM25YoY: "PM2.5 同比变化率", assessment.PM10YoY: "PM10 同比变化率", assessment.GoodDayRatio: "优良天数比例",
		assessment.SectionsCompliance: "断面达标率", assessment.SectionsGoodShare: "Ⅰ～Ⅲ类断面比例"},
}

var assessEN = assessWords{
	title: "%s %d-%02d: monthly assessment (ranking and eco-compensation)", rangeTitle: "%s %s to %s: ranking",
	rangeFactor: map[assessment.Factor]string{assessment.PM25: "PM2.5 mean", assessment.PM10: "PM10 mean"},
	provisional: "provisional: the month is not over, data to %s",
	ranking:     "Ranking · %s (%s)", lowerBetter: "lower is better", higherBetter: "higher is better", notRanked: "not ranked: %s",
	bases: map[string]string{"units_average": "units' average", "target": "target", "fixed": "fixed base", "last_year": "same period last year"},
	head:  []string{"Unit", "Value", "Base", "Difference", "Amount", "Direction"},
	pay:   "pays", receive: "receives", none: "—", totals: "Totals: paid %s, received %s, balance %s %s", sum: "Total",
	allSchemes: "Per unit, all schemes", net: "%s %s %s %s", excluded: "no amount: %s",
	schemeHead: "%s · %s (%s … %s; %s)", inUnit: " (%s)",
	factor: map[assessment.Factor]string{assessment.PM25: "PM2.5 monthly mean", assessment.PM10: "PM10 monthly mean", assessment.O3P90: "O3 MDA8 90th percentile",
		assessment.Composite: "Composite index", assessment.CompositeWeighted: "Composite index (weighted)", assessment.CompositeYoY: "Composite index YoY change",
		assessment.PM25YoY: "PM2.5 YoY change", assessment.PM10YoY: "PM10 YoY change", assessment.GoodDayRatio: "Good-day ratio",
		assessment.SectionsCompliance: "Section compliance", assessment.SectionsGoodShare: "Class I–III sections"},
}

func (w *assessWords) factorName(f assessment.Factor) string {
	if n, ok := w.factor[f]; ok {
		return n
	}
	// A water item's period mean against its target (COD, NH3-N …).
	lang := "zh"
	if w == &assessEN {
		lang = "en"
	}
	return indicator.ItemText(lang, string(f))
}

func money(r *big.Rat) string {
	if r == nil {
		return ""
	}
	return fixed.FormatRat(r, 2)
}

func signedText(r *big.Rat, places int) string {
	if r == nil {
		return ""
	}
	t := fixed.FormatRat(r, places)
	if r.Sign() > 0 {
		t = "+" + t
	}
	return t
}

// periodLabel is the assessment's month, "" for a ranking over days.
func periodLabel(a *indicator.Assessment) string {
	if a.Custom {
		return ""
	}
	return fmt.Sprintf("%d-%02d", a.Year, int(a.Month))
}

// RenderAssessment writes an area's monthly assessment.
func RenderAssessment(w io.Writer, a *indicator.Assessment, opt AssessOptions) error {
	wd := &assessZH
	if opt.Lang == "en" {
		wd = &assessEN
	}
	a = localized(a, opt)
	switch opt.Format {
	case "json":
		return assessJSON(w, a, opt)
	case "csv":
		return assessCSV(w, a, opt, wd)
	}
	md := opt.Format == "markdown"
	var b strings.Builder
	title := fmt.Sprintf(wd.title, opt.AreaName, a.Year, int(a.Month))
	if a.Custom {
		title = fmt.Sprintf(wd.rangeTitle, opt.AreaName, a.Range.From, a.Range.To)
		words := *wd
		words.factor = map[assessment.Factor]string{}
		for f, n := range wd.factor {
			words.factor[f] = n
		}
		for f, n := range wd.rangeFactor {
			words.factor[f] = n
		}
		wd = &words
	}
	head := func(s string) {
		if md {
			fmt.Fprintf(&b, "\n## %s\n\n", s)
		} else {
			fmt.Fprintf(&b, "\n%s\n", s)
		}
	}
	if md {
		fmt.Fprintf(&b, "# %s\n", title)
	} else {
		fmt.Fprintln(&b, title)
	}
	if a.Provisional {
		fmt.Fprintf(&b, "%s\n", fmt.Sprintf(wd.provisional, a.Range.To))
	}
	table := func(rows [][]string) { writeTable(&b, rows, md) }
	for _, rk := range a.Rankings {
		fi, _ := assessment.Info(rk.Factor)
		dir := wd.lowerBetter
		if fi.HigherBetter {
			dir = wd.higherBetter
		}
		head(fmt.Sprintf(wd.ranking, wd.factorName(rk.Factor), dir))
		rows := [][]string{{"#", wd.head[0], wd.head[1]}}
		for _, r := range rk.Rows {
			if r.Rank == 0 {
				rows = append(rows, []string{wd.none, r.Name, fmt.Sprintf(wd.notRanked, r.Reason)})
				continue
			}
			rows = append(rows, []string{fmt.Sprint(r.Rank), r.Name, r.Value.Text(rk.Factor)})
		}
		table(rows)
	}
	for _, s := range a.Schemes {
		o := s.Outcome
		base := wd.bases[string(s.Spec.Base)]
		if o.Base != nil {
			fi, _ := assessment.Info(s.Spec.Factor)
			base += " " + fixed.FormatRat(o.Base, fi.Decimals)
		}
		head(fmt.Sprintf(wd.schemeHead, s.Spec.Name, wd.factorName(s.Spec.Factor), s.Range.From, s.Range.To, base))
		rows := [][]string{append([]string(nil), wd.head...)}
		rows[0][4] += fmt.Sprintf(wd.inUnit, s.Spec.MoneyUnit)
		fi, _ := assessment.Info(s.Spec.Factor)
		for _, l := range o.Lines {
			if l.Excluded != "" {
				rows = append(rows, []string{l.Name, l.Value.Text(s.Spec.Factor), "", "", "", fmt.Sprintf(wd.excluded, l.Excluded)})
				continue
			}
			dir, amt := wd.none, new(big.Rat).Abs(l.Amount)
			switch l.Amount.Sign() {
			case 1:
				dir = wd.pay
			case -1:
				dir = wd.receive
			}
			diffPlaces := fi.Decimals
			if s.Spec.Difference == assessment.DiffMultiple {
				diffPlaces = 2
			}
			rows = append(rows, []string{l.Name, l.Value.Text(s.Spec.Factor), fixed.FormatRat(l.Base, fi.Decimals), signedText(l.Diff, diffPlaces), money(amt), dir})
		}
		table(rows)
		fmt.Fprintf(&b, "%s\n", fmt.Sprintf(wd.totals, money(o.Pay), money(o.Receive), money(o.Balance), s.Spec.MoneyUnit))
	}
	if len(a.Totals) > 0 {
		head(wd.allSchemes)
		for _, t := range a.Totals {
			var units []string
			for u := range t.Net {
				units = append(units, u)
			}
			sort.Strings(units)
			for _, u := range units {
				n := t.Net[u]
				dir := wd.none
				switch n.Sign() {
				case 1:
					dir = wd.pay
				case -1:
					dir = wd.receive
				}
				fmt.Fprintf(&b, "  %s\n", fmt.Sprintf(wd.net, t.Name, dir, money(new(big.Rat).Abs(n)), u))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func numJSON(r *big.Rat, places int) json.RawMessage {
	if r == nil {
		return nil
	}
	return json.RawMessage(fixed.FormatRat(r, places))
}

func assessJSON(w io.Writer, a *indicator.Assessment, opt AssessOptions) error {
	out := api.Assessment{Area: a.Area, Name: opt.AreaName, Month: periodLabel(a), From: a.Range.From.String(), To: a.Range.To.String(), Provisional: a.Provisional,
		Rankings: map[string][]api.RankRow{}, Schemes: []api.Scheme{}, Totals: []api.Total{}}
	for _, rk := range a.Rankings {
		fi, _ := assessment.Info(rk.Factor)
		rows := []api.RankRow{}
		for _, r := range rk.Rows {
			j := api.RankRow{Unit: r.Unit, Name: r.Name, Value: numJSON(r.Value.Num, fi.Decimals), Reason: r.Reason}
			if r.Rank > 0 {
				n := r.Rank
				j.Rank = &n
			}
			rows = append(rows, j)
		}
		out.Rankings[string(rk.Factor)] = rows
	}
	for _, s := range a.Schemes {
		fi, _ := assessment.Info(s.Spec.Factor)
		sj := api.Scheme{Name: s.Spec.Name, Factor: string(s.Spec.Factor), Period: s.Spec.Period, From: s.Range.From.String(), To: s.Range.To.String(),
			Base: string(s.Spec.Base), MoneyUnit: s.Spec.MoneyUnit, BaseValue: numJSON(s.Outcome.Base, fi.Decimals),
			Pay: numJSON(s.Outcome.Pay, 2), Receive: numJSON(s.Outcome.Receive, 2), Balance: numJSON(s.Outcome.Balance, 2), Lines: []api.SchemeLine{}}
		diffPlaces := fi.Decimals
		if s.Spec.Difference == assessment.DiffMultiple {
			diffPlaces = 4
		}
		for _, l := range s.Outcome.Lines {
			lj := api.SchemeLine{Unit: l.Unit, Name: l.Name, Value: numJSON(l.Value.Num, fi.Decimals), Base: numJSON(l.Base, fi.Decimals),
				Difference: numJSON(l.Diff, diffPlaces), Excluded: l.Excluded}
			if s.UnitOf != nil {
				lj.InUnit = s.UnitOf[l.Unit]
			}
			if l.Amount != nil {
				lj.Amount = numJSON(new(big.Rat).Abs(l.Amount), 2)
				switch l.Amount.Sign() {
				case 1:
					lj.Direction = "pay"
				case -1:
					lj.Direction = "receive"
				}
			}
			sj.Lines = append(sj.Lines, lj)
		}
		out.Schemes = append(out.Schemes, sj)
	}
	for _, t := range a.Totals {
		for _, money := range slices.Sorted(maps.Keys(t.Net)) {
			out.Totals = append(out.Totals, api.Total{Unit: t.Unit, Name: t.Name, MoneyUnit: money, Net: numJSON(t.Net[money], 2)})
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

func assessCSV(w io.Writer, a *indicator.Assessment, opt AssessOptions, wd *assessWords) error {
	cw := csv.NewWriter(w)
	month := periodLabel(a)
	if a.Custom {
		month = a.Range.From.String() + "/" + a.Range.To.String()
	}
	if opt.Table == "ranking" {
		_ = cw.Write([]string{"month", "indicator", "rank", "unit", "name", "value", "reason"})
		for _, rk := range a.Rankings {
			for _, r := range rk.Rows {
				rank := ""
				if r.Rank > 0 {
					rank = fmt.Sprint(r.Rank)
				}
				_ = cw.Write([]string{month, string(rk.Factor), rank, r.Unit, r.Name, r.Value.Text(rk.Factor), r.Reason})
			}
		}
	} else {
		_ = cw.Write([]string{"month", "scheme", "unit", "name", "in_unit", "value", "base", "difference", "amount", "money_unit", "excluded"})
		for _, s := range a.Schemes {
			fi, _ := assessment.Info(s.Spec.Factor)
			for _, l := range s.Outcome.Lines {
				in := ""
				if s.UnitOf != nil {
					in = s.UnitOf[l.Unit]
				}
				base := ""
				if l.Base != nil {
					base = fixed.FormatRat(l.Base, fi.Decimals)
				}
				diff := ""
				if l.Diff != nil {
					diff = fixed.FormatRat(l.Diff, max(fi.Decimals, 2))
				}
				_ = cw.Write([]string{month, s.Spec.Name, l.Unit, l.Name, in, l.Value.Text(s.Spec.Factor), base, diff, money(l.Amount), s.Spec.MoneyUnit, l.Excluded})
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
