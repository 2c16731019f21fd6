package calc

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/envwatch/envwatch/airquality"
)

func golden(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCalcAQIGolden(t *testing.T) {
	cases := []struct {
		name string
		opt  AQIOptions
	}{
		{"aqi_daily", AQIOptions{Daily: true}},
		{"aqi_hourly", AQIOptions{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errs bytes.Buffer
			err := AQI(strings.NewReader(golden(t, c.name+".in.csv")), &out, &errs, c.opt)
			if !errors.Is(err, ErrBadRows) {
				t.Errorf("err = %v, want ErrBadRows", err)
			}
			if got, want := out.String(), golden(t, c.name+".out.csv"); got != want {
				t.Errorf("output:\n%s\nwant:\n%s", got, want)
			}
			if got, want := errs.String(), golden(t, c.name+".err"); got != want {
				t.Errorf("stderr:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// Forcing one standard and excluding the 2012 O3 1-h indicator (§6.2 AQI₆: D4 → 137).
func TestCalcAQIOptions(t *testing.T) {
	in := "time,pm2_5,pm10,so2,no2,co,o3_8h,o3_1h_max\n2025-07-10,30,60,6,25,0.7,200,320\n"
	var out bytes.Buffer
	if err := AQI(strings.NewReader(in), &out, &bytes.Buffer{}, AQIOptions{Daily: true, O3OneHour: airquality.O3OneHourExclude}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(out.String(), ",137,3,轻度污染,o3_8h,\n") {
		t.Errorf("AQI₆ D4: %s", out.String())
	}
	out.Reset()
	in = "time,pm2_5\n2022-06-01,75\n"
	if err := AQI(strings.NewReader(in), &out, &bytes.Buffer{}, AQIOptions{Daily: true, Standard: airquality.V2026}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "2022-06-01,75,114,") {
		t.Errorf("forced 2026: %s", out.String())
	}
}

func TestCalcAQIHeaderErrors(t *testing.T) {
	for in, want := range map[string]string{
		"":                  "input is empty",
		"pm2_5,pm10\n1,2\n": `no time column`,
		"time,foo\nx,1\n":   "names no pollutant column",
		"time,pm10,pm10\n":  `column "pm10" appears twice`,
	} {
		err := AQI(strings.NewReader(in), &bytes.Buffer{}, &bytes.Buffer{}, AQIOptions{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("input %q: err = %v, want %q", in, err, want)
		}
	}
}

func TestCalcWaterGolden(t *testing.T) {
	cases := []struct {
		name string
		opt  WaterOptions
		bad  bool
	}{
		{"water", WaterOptions{}, true},
		{"water_period", WaterOptions{Period: "quarter"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errs bytes.Buffer
			err := Water(strings.NewReader(golden(t, c.name+".in.csv")), &out, &errs, c.opt)
			if c.bad != errors.Is(err, ErrBadRows) || (!c.bad && err != nil) {
				t.Errorf("err = %v", err)
			}
			if got, want := out.String(), golden(t, c.name+".out.csv"); got != want {
				t.Errorf("output:\n%s\nwant:\n%s", got, want)
			}
			if c.bad {
				if got, want := errs.String(), golden(t, c.name+".err"); got != want {
					t.Errorf("stderr:\n%s\nwant:\n%s", got, want)
				}
			}
		})
	}
}

func TestCalcWaterHeaderErrors(t *testing.T) {
	for in, want := range map[string]string{
		"time,w99999\n":       `column "w99999": unknown HJ 212 water code "w99999"`,
		"time,hg,w20111\n":    `columns "hg" and "w20111" are both hg`,
		"time,note\nx,1\n":    "names no water-quality item",
		"section,nh3n\nA,1\n": `no time column`,
	} {
		err := Water(strings.NewReader(in), &bytes.Buffer{}, &bytes.Buffer{}, WaterOptions{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("input %q: err = %v, want %q", in, err, want)
		}
	}
}

// calc water honours flag columns as the collector does: a D-flagged NH3-N 6.50 leaves the
// evaluation (it would be 劣V); an L flag or "0.02L" is below detection, never an exceedance.
func TestCalcWaterFlags(t *testing.T) {
	in := "time,section,body,do,nh3n,nh3n_flag,tp\n" +
		"2025-01-05,W1,river,7.0,6.50,D,0.05\n" +
		"2025-01-05,W2,river,7.0,0.02L,,0.05\n" +
		"2025-01-05,W3,river,7.0,3.0,L,0.05\n"
	var out bytes.Buffer
	if err := Water(strings.NewReader(in), &out, &bytes.Buffer{}, WaterOptions{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{
		"time,section,body,do,nh3n,nh3n_flag,tp,class_do,class_nh3n,class_tp,class,status,main_pollutants,warnings",
		"2025-01-05,W1,river,7.0,6.50,D,0.05,II,,II,II,优,,", // DO 7.0: Class II (I needs ≥ 7.5)
		"2025-01-05,W2,river,7.0,0.02L,,0.05,II,I,II,II,优,,",
		"2025-01-05,W3,river,7.0,3.0,L,0.05,II,I,II,II,优,,",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}
