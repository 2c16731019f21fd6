package service

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/config"
	"github.com/envwatch/envwatch/indicator"
	"github.com/envwatch/envwatch/waterquality"
)

func write(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadSandDust(t *testing.T) {
	p := write(t, "sand.csv", "area,date,pollutants\n# a comment\nluoyang,2026-03-14\nluoyang,2026-03-15,pm10\nxigong,2026-03-15,pm2_5+pm10\n")
	got, err := readSandDust(p)
	if err != nil {
		t.Fatal(err)
	}
	d14, d15 := airquality.DayFromDate(2026, 3, 14), airquality.DayFromDate(2026, 3, 15)
	if got["luoyang"][d14] != airquality.SandBoth || got["luoyang"][d15] != airquality.SandPM10 || got["xigong"][d15] != airquality.SandBoth {
		t.Errorf("masks: %v", got)
	}
	for row, tc := range []struct{ body, want string }{
		{"luoyang,2026-02-30\n", `:1: column "date": invalid value "2026-02-30": want YYYY-MM-DD`},
		{"area,date\nluoyang,2026-03-14,so2\n", `:2: column "pollutants": invalid value "so2"`},
	} {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			_, err := readSandDust(write(t, "bad.csv", tc.body))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "bad.csv") {
				t.Errorf("%q: error %v, want file and %s", tc.body, err, tc.want)
			}
		})
	}
	if _, err := readSandDust(filepath.Join(t.TempDir(), "absent.csv")); err == nil || !strings.Contains(err.Error(), "sand-dust file") {
		t.Errorf("absent file: %v", err)
	}
}

func TestReadReported(t *testing.T) {
	p := write(t, "r.csv", "year,value\n2025,0.52\n2026,0.61\n")
	if v, err := readReported(p, 2026); err != nil || v == nil || v.String() != "0.61" {
		t.Errorf("2026: %v %v", v, err)
	}
	if v, err := readReported(p, 2024); err != nil || v != nil {
		t.Errorf("a year the file lacks: %v %v, want nil", v, err)
	}
	if _, err := readReported(write(t, "bad.csv", "year,value\n2026,abc\n"), 2026); err == nil || !strings.Contains(err.Error(), `bad.csv:2: column "value": invalid value "abc"`) {
		t.Errorf("bad value: %v", err)
	}
	big := write(t, "big.csv", "")
	os.Truncate(big, maxReferenced+1)
	if _, err := readReported(big, 2026); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("oversized file read: %v", err)
	}
}

// The translation of the reference configuration: areas, water sites (drinking-water
// sources as Class III with their volumes), options and targets as configured.
func TestCalculatorOfTheExample(t *testing.T) {
	cfg, err := config.LoadFile("../examples/luoyang.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := calculatorFor(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Areas) != 15 || c.Areas[1].ID != "laocheng" || c.Areas[1].Parent != "luoyang" {
		t.Errorf("areas: %d, second %+v", len(c.Areas), c.Areas[1])
	}
	var luhun *indicator.WaterSite
	for i := range c.Sites {
		if c.Sites[i].Code == "dw-luhun" {
			luhun = &c.Sites[i]
		}
	}
	if luhun == nil || !luhun.Source || luhun.Target != waterquality.ClassIII || luhun.Volume == nil || luhun.Volume.RatString() != "5000" || luhun.Body != waterquality.Lake {
		t.Errorf("陆浑水库水源地: %+v", luhun)
	}
	if c.Opt.Period.AQI.Version != airquality.Auto || c.Opt.Period.SandMissing {
		t.Errorf("options: %+v", c.Opt.Period)
	}
	var y2026 *indicator.Spec
	for i := range c.Specs {
		if c.Specs[i].Year == 2026 {
			y2026 = &c.Specs[i]
		}
	}
	if y2026 == nil || y2026.PM25.String() != "49" || *y2026.GoodDays != 225 || y2026.PM25YoY.String() != "-3" {
		t.Errorf("2026 targets: %+v", y2026)
	}
	if len(c.Assessments) != 1 || len(c.Assessments[0].Schemes) != 3 {
		t.Errorf("assessments: %+v", c.Assessments)
	}
}
