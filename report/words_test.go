package report

import (
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/envwatch/envwatch/indicator"
)

func n(s string) *indicator.Num {
	r, _ := new(big.Rat).SetString(s)
	return &indicator.Num{Exact: r, Text: s}
}

func ip(i int) *int { return &i }

// Change words carry the sign (docs/targets.md: 下降 / 上升 / 持平), ratios change
// in percentage points, English counts its days.
func TestChangeWords(t *testing.T) {
	for row, c := range []struct {
		change, unit, lang, want string
	}{
		{"-8.6", "µg/m³", "zh", "同比下降 8.6%"},
		{"3.1", "µg/m³", "zh", "同比上升 3.1%"},
		{"0.0", "µg/m³", "zh", "同比持平"},
		{"-8.6", "µg/m³", "en", "down 8.6% YoY"},
		{"2.0", "%", "zh", "同比上升 2.0 个百分点"},
		{"-1.5", "%", "en", "down 1.5 percentage points YoY"},
		{"1", "days", "en", "1 day more than a year ago"},
		{"-3", "days", "en", "3 days fewer than a year ago"},
		{"2", "days", "zh", "同比增加 2 天"},
	} {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			wd := &zh
			if c.lang == "en" {
				wd = &en
			}
			if got := changeText(n(c.change), c.unit, wd); got != c.want {
				t.Errorf("%s %s %s: %q, want %q", c.change, c.unit, c.lang, got, c.want)
			}
		})
	}
}

// A good-days target missed at the year end reads as a shortfall, never "over"; an
// exceeded upper limit reads as over; a margin as above the target.
func TestShortfallAndMargin(t *testing.T) {
	for _, c := range []struct {
		name string
		r    indicator.Result
		lang string
		want string
	}{
		{"year-end shortfall", indicator.Result{Unit: "days", Current: n("228"), Target: n("230"), Direction: indicator.AtLeast, BudgetLeft: ip(-2)}, "zh", "目标 ≥ 230 天；还差 2 天"},
		{"year-end shortfall en", indicator.Result{Unit: "days", Current: n("228"), Target: n("230"), Direction: indicator.AtLeast, BudgetLeft: ip(-2)}, "en", "target ≥ 230; 2 days short"},
		{"one day short en", indicator.Result{Unit: "days", Current: n("229"), Target: n("230"), Direction: indicator.AtLeast, BudgetLeft: ip(-1)}, "en", "target ≥ 230; 1 day short"},
		{"margin", indicator.Result{Unit: "days", Current: n("246"), Target: n("230"), Direction: indicator.AtLeast, BudgetLeft: ip(16)}, "zh", "目标 ≥ 230 天；高于目标 16 天"},
		{"cannot reach", indicator.Result{Unit: "days", Current: n("200"), Target: n("230"), Direction: indicator.AtLeast, BudgetLeft: ip(-5)}, "zh", "还差 30 天；余下天数全部优良也还差 5 天"},
		{"upper limit exceeded", indicator.Result{Unit: "days", Current: n("52"), Target: n("49"), Direction: indicator.AtMost, BudgetLeft: ip(-3)}, "zh", "目标 ≤ 49 天；已超出 3 天"},
		{"upper limit left", indicator.Result{Unit: "days", Current: n("46"), Target: n("49"), Direction: indicator.AtMost, BudgetLeft: ip(3)}, "en", "target ≤ 49; 3 days left"},
	} {
		t.Run(c.name, func(t *testing.T) {
			wd := &zh
			if c.lang == "en" {
				wd = &en
			}
			got := strings.Join(targetParts(&c.r, wd), wd.sep())
			if got != c.want && !strings.HasSuffix(got, c.want) {
				t.Errorf("%s: %q, want %q", c.name, got, c.want)
			}
			if c.r.Direction == indicator.AtLeast && strings.Contains(got, "超出") {
				t.Errorf("%s: an at-least target reads as exceeded: %q", c.name, got)
			}
		})
	}
}
