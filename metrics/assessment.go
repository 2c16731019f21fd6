package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/indicator"
)

// AssessmentView is what the assessment exposition renders: each configured assessment's
// last complete month and the month so far (provisional), and how many months in a row each
// unit has been last by each indicator.
type AssessmentView struct {
	LastMonth, MonthToDate []indicator.Assessment
	// LastPlaceStreak is unit → indicator → consecutive complete months ranked last.
	LastPlaceStreak map[string]map[string]int
	// Parents maps a unit to its assessing area.
	Parents map[string]string
	// AlertAbove is scheme name → the amount a unit paying more raises an alert.
	AlertAbove map[string]float64
}

// AssessmentSource returns the view a scrape renders.
type AssessmentSource func() AssessmentView

// AssessmentCollector exposes the monthly ranking and eco-compensation of units.
type AssessmentCollector struct {
	src                                  AssessmentSource
	rank, units, amount, streak, alertAt *prometheus.Desc
}

// NewAssessmentCollector returns the collector.
func NewAssessmentCollector(src AssessmentSource) *AssessmentCollector {
	return &AssessmentCollector{src: src,
		rank: prometheus.NewDesc("envwatch_assessment_rank", "A unit's rank among its assessing area's units by an indicator (1 is best; ties share a rank; units without a valid value are absent). period: last_month or month_to_date (provisional).",
			[]string{"area", "parent", "indicator", "period", "month"}, nil),
		units: prometheus.NewDesc("envwatch_assessment_ranked_units", "How many units were ranked by the indicator (a unit at this rank is last).",
			[]string{"parent", "indicator", "period", "month"}, nil),
		amount: prometheus.NewDesc("envwatch_assessment_amount", "What a unit pays or receives under an eco-compensation scheme, in the scheme's money unit (万元 by default).",
			[]string{"area", "parent", "scheme", "direction", "period", "month", "money_unit"}, nil),
		streak: prometheus.NewDesc("envwatch_assessment_last_place_months", "Complete months in a row the unit has been ranked last by the indicator (0: not last last month).",
			[]string{"area", "parent", "indicator"}, nil),
		alertAt: prometheus.NewDesc("envwatch_assessment_alert_above", "Configured amount above which a unit paying under the scheme raises an alert.",
			[]string{"parent", "scheme"}, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *AssessmentCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.rank, c.units, c.amount, c.streak, c.alertAt} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *AssessmentCollector) Collect(ch chan<- prometheus.Metric) {
	v := c.src()
	for _, p := range []struct {
		period string
		as     []indicator.Assessment
	}{{"last_month", v.LastMonth}, {"month_to_date", v.MonthToDate}} {
		for i := range p.as {
			a := &p.as[i]
			month := monthLabel(a)
			for _, rk := range a.Rankings {
				n := 0
				for _, r := range rk.Rows {
					if r.Rank > 0 {
						n++
						ch <- prometheus.MustNewConstMetric(c.rank, prometheus.GaugeValue, float64(r.Rank), r.Unit, a.Area, string(rk.Factor), p.period, month)
					}
				}
				ch <- prometheus.MustNewConstMetric(c.units, prometheus.GaugeValue, float64(n), a.Area, string(rk.Factor), p.period, month)
			}
			for _, s := range a.Schemes {
				for _, l := range s.Outcome.Lines {
					if l.Amount == nil || l.Amount.Sign() == 0 {
						continue
					}
					dir := "pay"
					if l.Amount.Sign() < 0 {
						dir = "receive"
					}
					amt, _ := fixed.RoundRatDec(l.Amount, 2)
					if amt < 0 {
						amt = -amt
					}
					unit := l.Unit
					if s.UnitOf != nil {
						unit = s.UnitOf[l.Unit] + "/" + l.Unit // a section within its unit
					}
					ch <- prometheus.MustNewConstMetric(c.amount, prometheus.GaugeValue, amt.Float64(), unit, a.Area, s.Spec.Name, dir, p.period, month, s.Spec.MoneyUnit)
				}
			}
		}
	}
	for unit, byInd := range v.LastPlaceStreak {
		for ind, n := range byInd {
			ch <- prometheus.MustNewConstMetric(c.streak, prometheus.GaugeValue, float64(n), unit, v.Parents[unit], ind)
		}
	}
	for i := range v.LastMonth {
		for _, s := range v.LastMonth[i].Schemes {
			if limit, ok := v.AlertAbove[s.Spec.Name]; ok {
				ch <- prometheus.MustNewConstMetric(c.alertAt, prometheus.GaugeValue, limit, v.LastMonth[i].Area, s.Spec.Name)
			}
		}
	}
}

func monthLabel(a *indicator.Assessment) string {
	return a.Range.From.String()[:7]
}
