package outlook

import (
	"math/big"
	"testing"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/indicator"
)

// recordDays is 30 polluted days (PM2.5 80, AQI 105) then 30 good ones (PM2.5 30) from
// 1 January 2025; blank blanks the PM2.5 of the last 30 days but one at 10 on day 45.
func recordDays(blank bool) []airquality.DayValues {
	days := flat(2025, 80)[:60]
	for i := 30; i < 60; i++ {
		v := big.NewRat(30, 1)
		switch {
		case blank && i == 45:
			v = big.NewRat(10, 1)
		case blank:
			days[i].Conc[airquality.PM25] = airquality.Stat{Reason: airquality.TooFewHours}
			continue
		}
		days[i].Conc[airquality.PM25] = airquality.Stat{Value: v, N: 24}
	}
	return days
}

func n(v int64) *indicator.Num { return &indicator.Num{Exact: big.NewRat(v, 1)} }

// Without two past years a target is judged by the record: the rest of the year asking for
// a lower mean than any stretch of its length ever had (or more good days than any had)
// is unlikely; the figures below are counted by hand from recordDays.
func TestOnRecord(t *testing.T) {
	for _, c := range []struct {
		name      string
		res       indicator.Result
		blank     bool
		remaining int
		want      indicator.Status
		best      string
	}{
		{"mean below the record", indicator.Result{Indicator: indicator.PM25Mean, Status: indicator.AtRisk, RequiredRemaining: n(20)}, false, 26, indicator.Unlikely, "30.0"},
		{"mean the record has seen", indicator.Result{Indicator: indicator.PM25Mean, Status: indicator.AtRisk, RequiredRemaining: n(35)}, false, 26, indicator.AtRisk, ""},
		{"record shorter than the rest", indicator.Result{Indicator: indicator.PM25Mean, Status: indicator.AtRisk, RequiredRemaining: n(20)}, false, 61, indicator.AtRisk, ""},
		// One clean day among blanks is no stretch: only windows half full count (all at 80).
		{"mostly blank windows ignored", indicator.Result{Indicator: indicator.PM25Mean, Status: indicator.OnTrack, RequiredRemaining: n(50)}, true, 26, indicator.Unlikely, "80.0"},
		{"more good days than any stretch", indicator.Result{Indicator: indicator.GoodDays, Status: indicator.OnTrack, Target: n(251), Current: n(220)}, false, 40, indicator.Unlikely, "30"},
		{"as many good days as the best stretch", indicator.Result{Indicator: indicator.GoodDays, Status: indicator.OnTrack, Target: n(250), Current: n(220)}, false, 40, indicator.OnTrack, ""},
		{"certain outcomes untouched", indicator.Result{Indicator: indicator.PM25Mean, Status: indicator.Missed, RequiredRemaining: n(-1)}, false, 26, indicator.Missed, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := c.res
			onRecord(&res, recordDays(c.blank), c.remaining, airquality.PeriodOptions{})
			best := ""
			if res.BestOnRecord != nil {
				best = res.BestOnRecord.Text
			}
			if res.Status != c.want || best != c.best {
				t.Errorf("status %v, best on record %q; want %v, %q", res.Status, best, c.want, c.best)
			}
		})
	}
}
