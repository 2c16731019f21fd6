package report

import (
	"fmt"
	"testing"

	"github.com/envwatch/envwatch/indicator"
)

// A withheld water comparison says which period falls short, by how many sites, against
// what rule — in the report's one language.
func TestWaterShortWords(t *testing.T) {
	src := &indicator.Result{Indicator: indicator.DrinkingWater, ChangeReason: indicator.WaterSamplesShort,
		WaterBasis: &indicator.WaterBasis{NeedMonths: 9, Sites: 2, ShortLast: 2, FewestNow: 11, FewestLast: 1}}
	sec := &indicator.Result{Indicator: indicator.SectionsCompliance, ChangeReason: indicator.WaterSamplesShort,
		WaterBasis: &indicator.WaterBasis{NeedMonths: 9, Sites: 13, ShortNow: 1, ShortLast: 3, FewestNow: 8, FewestLast: 2}}
	for row, c := range []struct {
		wd   *words
		r    *indicator.Result
		want string
	}{
		{&zh, src, "不可比：去年同期 2/2 个水源地有监测的月份不足 9 个（最少 1 个月）"},
		{&zh, sec, "不可比：今年 1/13、去年同期 3/13 个断面有监测的月份不足 9 个（最少 2 个月）"},
		{&en, src, "not comparable: same period last year 2 of 2 sources with samples in fewer than 9 months (fewest 1)"},
	} {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			if got := c.wd.notComparable(c.r.ChangeReason, c.r); got != c.want {
				t.Errorf("%s: %q, want %q", c.wd.lang, got, c.want)
			}
		})
	}
}
