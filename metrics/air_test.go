package metrics

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/indicator"
	"github.com/envwatch/envwatch/pipeline"
)

type fixedSnap pipeline.Snapshot

func (f fixedSnap) Snapshot() pipeline.Snapshot { return pipeline.Snapshot(f) }

func v(s string) airquality.Value { d, _ := fixed.Parse(s); return airquality.Some(d) }

// Golden exposition: station A carries vector H1 of docs/standards.md §6.3 (IAQIs 23, 69, 2, 1,
// 6, 24 → AQI 69, level 2); station B lacks O3 with AQI ≤ 100, so its AQI is NA (absent).
func TestAirCollectorGolden(t *testing.T) {
	end := time.Date(2022, 6, 1, 8, 0, 0, 0, time.UTC)
	snap := fixedSnap{Latest: map[string]pipeline.Latest{
		"A": {End: end, Values: [airquality.NumPollutants]airquality.Value{
			airquality.PM25: v("16"), airquality.PM10: v("88"), airquality.CO: v("0.2"),
			airquality.SO2: v("3"), airquality.NO2: v("11"), airquality.O3: v("75")}},
		"B": {End: end, Values: [airquality.NumPollutants]airquality.Value{airquality.PM25: v("40")}},
	}}
	c := NewAirCollector(snap, []Station{{"B", "laocheng"}, {"A", "xigong"}, {"C", "xigong"}}, airquality.AQIOptions{})
	f, err := os.Open("testdata/air.prom")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := testutil.CollectAndCompare(c, f); err != nil {
		t.Error(err)
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	if problems, err := testutil.GatherAndLint(reg); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", problems, err)
	}
}

func TestWaterCollector(t *testing.T) {
	snap := fixedSnap{WaterLatest: map[string]time.Time{"W1": time.Unix(1654041600, 0)}}
	c := NewWaterCollector(snap, []Section{{"W1", "luolong"}, {"W2", "luolong"}})
	want := `# HELP envwatch_water_observation_timestamp_seconds Sampling time of the newest sample of a water section (Unix time), for staleness alerts.
# TYPE envwatch_water_observation_timestamp_seconds gauge
envwatch_water_observation_timestamp_seconds{area="luolong",section="W1"} 1.6540416e+09
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
}

// Official and comparable last-year values are both exposed (basis label).
func TestTargetCollectorComparable(t *testing.T) {
	n := func(s string) *indicator.Num { d, _ := fixed.Parse(s); return &indicator.Num{Exact: d.Rat(), Text: s} }
	snap := indicator.Snapshot{Year: 2026, Results: []indicator.Result{{Area: "ly", Indicator: indicator.GoodDays, Unit: "days",
		Current: n("59"), LastYear: n("181"), Comparable: n("59"), Change: n("-122"), ComparableChange: n("0"), Valid: true}}}
	c := NewTargetCollector(func() indicator.Snapshot { return snap })
	want := `# HELP envwatch_air_day_indicator Day counts over the period: good_days (AQI ≤ 100), o3_exceedance_days (in the season), heavy_pollution_days (AQI > 200), exceedance_days (AQI > 100), valid_days (a valid daily AQI).
# TYPE envwatch_air_day_indicator gauge
envwatch_air_day_indicator{area="ly",basis="comparable",indicator="good_days",period="same_period_last_year",year="2026"} 59
envwatch_air_day_indicator{area="ly",basis="official",indicator="good_days",period="same_period_last_year",year="2026"} 181
envwatch_air_day_indicator{area="ly",basis="official",indicator="good_days",period="year_to_date",year="2026"} 59
# HELP envwatch_yoy_change_day_indicator Year-over-year change of a day count (days).
# TYPE envwatch_yoy_change_day_indicator gauge
envwatch_yoy_change_day_indicator{area="ly",basis="comparable",indicator="good_days",year="2026"} 0
envwatch_yoy_change_day_indicator{area="ly",basis="official",indicator="good_days",year="2026"} -122
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "envwatch_air_day_indicator", "envwatch_yoy_change_day_indicator"); err != nil {
		t.Error(err)
	}
}
