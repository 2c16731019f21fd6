package calc

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/envwatch/envwatch/waterquality"
)

// The names people give a column all mean it: spelling, case, full-width forms,
// subscripts, Chinese names and a unit in brackets.
func TestColumnNames(t *testing.T) {
	air := newMatcher(airAliases)
	for h, want := range map[string]string{
		"PM2.5": "pm2_5", "pm25": "pm2_5", "pm2.5": "pm2_5", "细颗粒物": "pm2_5", "PM2.5(μg/m³)": "pm2_5", "PM₂.₅": "pm2_5",
		"ＰＭ２．５": "pm2_5", "PM10 (ug/m3)": "pm10", "可吸入颗粒物": "pm10", "SO₂": "so2", "二氧化氮": "no2", "CO(mg/m³)": "co",
		"一氧化碳": "co", "臭氧": "o3", "O3-8h": "o3_8h", "O3_8H": "o3_8h", "时间": "time", "监测时间": "time", "Time": "time",
		"站点名称": "station", "o3_1h_max": "o3_1h_max",
	} {
		if got, _, ok := air.lookup(h); !ok || got != want {
			t.Errorf("air %q: %q (%v), want %q", h, got, ok, want)
		}
	}
	water := waterMatcher()
	for h, want := range map[string]string{
		"NH3-N": "nh3n", "氨氮": "nh3n", "氨氮(mg/L)": "nh3n", "pH": "ph", "PH值": "ph", "溶解氧": "do", "DO": "do", "COD": "cod",
		"化学需氧量": "cod", "高锰酸盐指数": "codmn", "CODMn": "codmn", "总磷": "tp", "TP(mg/L)": "tp", "Cr(VI)": "cr6", "六价铬": "cr6",
		"汞(µg/L)": "hg", "粪大肠菌群": "fc", "水温": "temp", "石油类": "oil",
	} {
		if got, _, ok := water.lookup(h); !ok || got != want {
			t.Errorf("water %q: %q (%v), want %q", h, got, ok, want)
		}
	}
}

func runAQI(t *testing.T, in string, opt AQIOptions) (string, string, error) {
	t.Helper()
	var out, errs bytes.Buffer
	err := AQI(strings.NewReader(in), &out, &errs, opt)
	return out.String(), errs.String(), err
}

// The examples of a clerk's sheets (HJ 633-2012 for 2022; PM2.5 150 → IAQI 200 and PM10
// 200 → 125, so a PM2.5 column left out would have given 125 轻度污染).
func TestCalcAQIReadsWhatClerksWrite(t *testing.T) {
	for _, c := range []struct {
		name, in, want string
	}{
		{"PM2.5 header", "time,PM2.5,pm10,so2,no2,co,o3\n2022-06-01 16:00,150,200,5,20,0.5,50\n", ",200,4,中度污染,pm2_5,\n"},
		{"Chinese headers, Excel date", "监测时间,细颗粒物,可吸入颗粒物\n2022/6/1 16:00,150,200\n", ",200,4,中度污染,pm2_5,\n"},
		{"units in the header", "时间,PM2.5(μg/m³),CO(μg/m³)\n2022/6/1 16:00,150,1500\n", "2022/6/1 16:00,150,1500,200,15,200,4,中度污染,pm2_5,\n"},
		// An hour ending 24:00 on 28 February 2026 ends on 1 March 00:00: still 2012 (PM2.5
		// 75 → IAQI 100; 114 under 2026). Alone, an IAQI ≤ 100 leaves the AQI NA (§5.3.1).
		{"24:00", "time,pm2_5\n2026-02-28 24:00,75\n", ",75,100,NA,NA,NA,NA,\n"},
		{"24时", "时间,PM2.5\n2026年2月28日 24时,75\n", ",75,100,NA,NA,NA,NA,\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, errs, err := runAQI(t, c.in, AQIOptions{})
			if err != nil || !strings.HasSuffix(out, c.want) {
				t.Errorf("err %v, stderr %q, output:\n%s\nwant it to end %q", err, errs, out, c.want)
			}
		})
	}
}

// Never computed without a column the user meant to give: a header that looks like a
// pollutant but is not understood, a column of the wrong kind for the mode, a unit not
// understood — each stops with what to write instead; every problem of the header at once.
func TestCalcAQIRefusesToGuess(t *testing.T) {
	for _, c := range []struct {
		name, in string
		opt      AQIOptions
		want     []string
	}{
		{"near miss", "time,pm2.5ug,pm10\n", AQIOptions{}, []string{`column "pm2.5ug" not understood; did you mean "pm2_5"?`}},
		{"daily o3", "time,pm2_5,o3\n", AQIOptions{Daily: true}, []string{`column "o3" (o3)`, "did you mean o3_8h?"}},
		{"hourly o3_1h_max", "time,pm2_5,o3_1h_max\n", AQIOptions{}, []string{`column "o3_1h_max"`, "belongs to --daily"}},
		{"unit", "time,PM2.5(ppm)\n", AQIOptions{}, []string{`column "PM2.5(ppm)": unit "ppm" not understood`}},
		{"two names for one", "time,PM2.5,细颗粒物\n", AQIOptions{}, []string{`columns "PM2.5" and "细颗粒物" are both pm2_5`}},
		{"all at once", "time,pm2.5ug,o3_1h_max\n", AQIOptions{}, []string{`"pm2.5ug" not understood`, `"o3_1h_max"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := runAQI(t, c.in+"2022-06-01 16:00,1,2\n", c.opt)
			for _, w := range c.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("err = %v, want it to say %q", err, w)
				}
			}
		})
	}
	// Columns that are not pollutants pass through; the platform's own extra columns too,
	// said once on stderr.
	out, errs, err := runAQI(t, "time,备注,pm2_5,pm2_5_24h\n2022-06-01 16:00,x,10,12\n", AQIOptions{})
	if err != nil || !strings.HasPrefix(out, "time,备注,pm2_5,pm2_5_24h,iaqi_pm2_5,") || !strings.Contains(errs, `column "pm2_5_24h" passed through, not used`) {
		t.Errorf("pass-through: %v\n%s%s", err, out, errs)
	}
}

// CO typed in µg/m³ under a mg/m³ header: computed (500, the table's cap) but warned on
// stderr and in the warnings column.
func TestCalcAQIWarnsImplausible(t *testing.T) {
	out, errs, err := runAQI(t, "time,co\n2022-06-01 16:00,1500\n", AQIOptions{})
	if err != nil || !strings.Contains(out, ",500,6,严重污染,co,co 1500 mg/m³ is above anything measured (60): was it in µg/m³?") ||
		!strings.Contains(errs, `line 2: column "co": warning:`) {
		t.Errorf("err %v\n%s%s", err, out, errs)
	}
}

// Water: NH3-N and pH under the names people write, 劣V where a dropped column would have
// said II; a µg/L header converted; implausible values warned; a near miss refused.
func TestCalcWaterReadsWhatClerksWrite(t *testing.T) {
	var out, errs bytes.Buffer
	in := "监测时间,断面名称,pH,溶解氧,NH3-N,总磷(mg/L),汞(µg/L)\n2022/1/5 10:00,S,7.2,8,2.5,0.1,0.05\n2022/1/6,S,12,8,0.1,0.1,0.05\n"
	if err := Water(strings.NewReader(in), &out, &errs, WaterOptions{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.Contains(lines[1], ",劣V,重度污染,nh3n:1.5,") || !strings.Contains(lines[0], "class_hg") ||
		!strings.Contains(lines[2], "pH 12 is outside anything surface water holds") {
		t.Errorf("output:\n%s\nstderr:\n%s", out.String(), errs.String())
	}
	for in, want := range map[string]string{
		"time,nh3\n":               `column "nh3" not understood; did you mean "nh3n"?`,
		"time,氨氮(ppm)\n":           `unit "ppm" not understood for nh3n`,
		"time,ph\n2022-01-05,15\n": `pH is 0–14`,
		"时间,PH,pH\n":               `columns "PH" and "pH" are both ph`,
		"timee,nh3n\nx,1\n":        `did you mean "time"?`,
	} {
		var errs bytes.Buffer
		err := Water(strings.NewReader(in), &bytes.Buffer{}, &errs, WaterOptions{})
		if (err == nil || !strings.Contains(err.Error(), want)) && !strings.Contains(errs.String(), want) {
			t.Errorf("input %q: err = %v, stderr %q, want %q", in, err, errs.String(), want)
		}
	}
}

// docs/calc.md lists every name understood (a name added to the tables and not to the
// docs is a name no user can know).
func TestDocsNameEveryColumn(t *testing.T) {
	b, err := os.ReadFile("../docs/calc.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	var names []string
	for _, a := range append(slices.Clone(airAliases), waterOther...) {
		names = append(names, a.name)
		names = append(names, a.names...)
	}
	for it := waterquality.Item(0); it < waterquality.NumItems; it++ {
		names = append(names, it.Code(), it.Name())
		names = append(names, waterAliases[it]...)
	}
	for _, n := range names {
		if !strings.Contains(doc, "`"+n+"`") {
			t.Errorf("docs/calc.md does not list %q", n)
		}
	}
}
