package report

import (
	"testing"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/indicator"
)

// NA days are listed as runs: a year without data is one range, not a day each.
func TestNADaysAsRanges(t *testing.T) {
	d := airquality.DayFromDate(2025, 1, 1)
	info := &indicator.AreaInfo{NADays: []airquality.Day{d, d + 1, d + 2, d + 6}}
	if got, want := naLine(info, &zh), "无效天（NA）4 天：1月1日至1月3日、1月7日"; got != want {
		t.Errorf("zh: %q, want %q", got, want)
	}
	if got := naLine(info, &en); got != "NA days (4): "+en.dayText(d)+"–"+en.dayText(d+2)+", "+en.dayText(d+6) {
		t.Errorf("en: %q", got)
	}
}
