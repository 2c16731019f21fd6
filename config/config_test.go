package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every file in examples/bad has one defect; the message must name the file, the line,
// the key and the value.
func TestBadConfigs(t *testing.T) {
	want := map[string]string{
		"unknown-key.yaml":                `examples/bad/unknown-key.yaml:8: field "pm25_targt" not found in type config.Target`,
		"bad-latitude.yaml":               `examples/bad/bad-latitude.yaml:4: air_stations[0].latitude: invalid value "134.65": must be between -90 and 90`,
		"latitude-type.yaml":              `examples/bad/latitude-type.yaml:7: air_stations[0].latitude: invalid value "north": want a number`,
		"duplicate-station.yaml":          `examples/bad/duplicate-station.yaml:5: air_stations[1].code: invalid value "1812A": duplicate station code`,
		"unknown-area.yaml":               `examples/bad/unknown-area.yaml:4: air_stations[0].area: invalid value "xigong": no area with this id`,
		"bad-target-class.yaml":           `examples/bad/bad-target-class.yaml:4: water_sections[0].target_class: invalid value "VI": want one of I, II, III, IV, V`,
		"area-cycle.yaml":                 `examples/bad/area-cycle.yaml:2: areas[0].parent: invalid value "xigong": the parents go round: luoyang → xigong → luoyang`,
		"bad-water-body.yaml":             `examples/bad/bad-water-body.yaml:4: water_sections[0].water_body: invalid value "reservoirs": want one of river, lake`,
		"bad-cron.yaml":                   `examples/bad/bad-cron.yaml:6: sources[0].schedule: invalid value "0 5 * * * *": expected exactly 5 fields, found 6: [0 5 * * * *]`,
		"unknown-kind.yaml":               `examples/bad/unknown-kind.yaml:5: sources[0].kind: invalid value "telegraf": unknown source kind (known: cnemc_csv, hj212, http_json, simulate, water_csv)`,
		"influx-bucket-and-database.yaml": `examples/bad/influx-bucket-and-database.yaml:6: influxdb.database: invalid value "envwatch": set either bucket (2.x/3.x) or database (1.8), not both`,
		"influx-url.yaml":                 `examples/bad/influx-url.yaml:4: influxdb.url: invalid value "127.0.0.1:8086": want an http:// or https:// URL`,
		"missing-code.yaml":               `examples/bad/missing-code.yaml:4: air_stations[0]: missing required key "code"`,
		"bad-timezone.yaml":               `examples/bad/bad-timezone.yaml:3: time_zone: invalid value "Asia/Beijing": unknown time zone`,
		"bad-target-days.yaml":            `examples/bad/bad-target-days.yaml:4: targets[0].good_days_target: invalid value "400": a number of days between 0 and 366`,
		"bad-target-number.yaml":          `examples/bad/bad-target-number.yaml:4: targets[0].pm25_target: invalid value "forty": want a number`,
		"bad-unit.yaml":                   `examples/bad/bad-unit.yaml:9: sources[0].cnemc_csv.units.co: invalid value "ppm": unsupported unit (want ug/m3 or mg/m3)`,
		"unit-pollutant.yaml":             `examples/bad/unit-pollutant.yaml:14: sources[0].http_json.units: unknown pollutant "pm25" (want pm2_5, pm10, so2, no2, co or o3)`,
		"waqi-units.yaml":                 `examples/bad/waqi-units.yaml:12: sources[0].http_json.units: not with preset waqi_city (it reads US AQI sub-indices, not concentrations)`,
		"bad-assessment.yaml":             `examples/bad/bad-assessment.yaml:4: assessment.percentile: invalid value "median": want one of interpolate, nearest_rank`,
		"hj212-no-password.yaml":          `examples/bad/hj212-no-password.yaml:10: sources[0].hj212.devices[0].mn: invalid value "LY0001": no password: set password_env or password_file (or auth: none for a logger that sends no usable PW)`,
		"hj212-password-env-unset.yaml":   `examples/bad/hj212-password-env-unset.yaml:11: sources[0].hj212.devices[0].password_env: invalid value "ENVWATCH_TEST_SURELY_UNSET_PW": the environment variable is not set or empty`,
		"hj212-cidr.yaml":                 `examples/bad/hj212-cidr.yaml:9: sources[0].hj212.allowed_addresses[1]: invalid value "10.1.2.300/24": want a CIDR such as 10.0.0.0/8`,
		"hj212-listen-port.yaml":          `examples/bad/hj212-listen-port.yaml:7: sources[0].hj212.listen: invalid value "localhost:99999": port must be a number between 0 and 65535`,
		"bad-duration.yaml":               `examples/bad/bad-duration.yaml:6: sources[0].timeout: invalid value "5 minutes": want a duration such as 30s, 5m or 1h`,
		"negative-duration.yaml":          `examples/bad/negative-duration.yaml:6: sources[0].lookback: invalid value "-1h": want a duration such as 30s, 5m or 1h`,
		"every-zero.yaml":                 `examples/bad/every-zero.yaml:6: sources[0].schedule: invalid value "@every 0s": @every needs an interval of at least 1s`,
		"scheme-overlapping-tiers.yaml":   `examples/bad/scheme-overlapping-tiers.yaml:12: assessments[0].schemes[0].pay[1].from: invalid value "3": overlaps the tier before (to 5): tiers must be in order`,
		"scheme-negative-rate.yaml":       `examples/bad/scheme-negative-rate.yaml:10: assessments[0].schemes[0].pay[0].rate: invalid value "-10": must not be negative`,
		"scheme-unknown-factor.yaml":      `examples/bad/scheme-unknown-factor.yaml:8: assessments[0].schemes[0].factor: invalid value "pm25_mean": unknown factor (want one of pm2_5, pm10, o3_p90, composite_index, composite_index_weighted, composite_index_yoy, pm2_5_yoy, pm10_yoy, good_day_ratio, sections_compliance, sections_class_i_iii_share)`,
		"scheme-base-without-target.yaml": `examples/bad/scheme-base-without-target.yaml:9: assessments[0].schemes[0].base: invalid value "target": unit xg has no pm25_target in targets: the base needs it`,
		"influx-url-credentials.yaml":     `examples/bad/influx-url-credentials.yaml:4: influxdb.url: credentials in the URL are refused (they would reach logs and process lists); use token_env or token_file (an API token, or "user:password" for InfluxDB 1.8)`,
	}
	files, err := filepath.Glob("../examples/bad/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(want) {
		t.Errorf("%d files in examples/bad, %d expectations", len(files), len(want))
	}
	for _, f := range files {
		name := filepath.Base(f)
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Load("examples/bad/"+name, b)
		if err == nil {
			t.Errorf("%s: loaded without error", name)
			continue
		}
		if got := err.Error(); got != want[name] {
			t.Errorf("%s:\n got: %s\nwant: %s", name, got, want[name])
		}
	}
}

func TestLuoyangExample(t *testing.T) {
	c, err := LoadFile("../examples/luoyang.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Stations) != 10 || len(c.Sections) != 13 || len(c.Targets) != 4 {
		t.Errorf("stations %d sections %d targets %d, want 10 13 4", len(c.Stations), len(c.Sections), len(c.Targets))
	}
	if c.InfluxDB.WriteBucket() != "envwatch/autogen" || c.Sources[0].Simulate.BackfillDays != 1100 {
		t.Errorf("bucket %q backfill %d", c.InfluxDB.WriteBucket(), c.Sources[0].Simulate.BackfillDays)
	}
	if g := c.Targets[1]; *g.GoodDays != 232 || *g.O3ExceedanceDays != 52 || g.PM25YoY.String() != "-5" {
		t.Errorf("2022 targets: %+v", g)
	}
}

func TestDefaults(t *testing.T) {
	c, err := Load("min.yaml", []byte("areas: [{id: a, name: A, kind: city}]\nsources: [{name: s, kind: simulate}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.TimeZone != "Asia/Shanghai" || c.StateDir != "./var/state" || c.Standards.AQIStandard != "auto" ||
		c.Sources[0].Simulate == nil || c.Sources[0].Simulate.BackfillDays != 400 || !c.Sources[0].On() {
		t.Errorf("defaults not applied: %+v", c)
	}
	if _, err := Load("empty.yaml", nil); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty file: %v", err)
	}
}

func FuzzLoad(f *testing.F) {
	b, _ := os.ReadFile("../examples/luoyang.yaml")
	f.Add(b)
	f.Add([]byte("areas: [{id: a}]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = Load("fuzz.yaml", b) // must not panic
	})
}

// Every malformed duration of a file is reported, each at its line and key.
func TestDurationErrorsAllAtOnce(t *testing.T) {
	in := `areas:
  - {id: luoyang, name: 洛阳市, kind: city}
sources:
  - name: a
    kind: simulate
    timeout: 30
  - name: b
    kind: simulate
    lookback: 5 minutes
`
	_, err := Load("d.yaml", []byte(in))
	if err == nil {
		t.Fatal("loaded")
	}
	want := "d.yaml:6: sources[0].timeout: invalid value \"30\": want a duration such as 30s, 5m or 1h\n" +
		"d.yaml:9: sources[1].lookback: invalid value \"5 minutes\": want a duration such as 30s, 5m or 1h"
	if err.Error() != want {
		t.Errorf("got:\n%s\nwant:\n%s", err, want)
	}
}

// auth: none is the explicit way to run a device without a password; with a password
// beside it, it is a contradiction.
func TestHJ212AuthNone(t *testing.T) {
	base := `areas:
  - {id: luoyang, name: 洛阳市, kind: city}
air_stations:
  - {code: 1812A, name: 市委党校, area: luoyang, latitude: 34.6546, longitude: 112.4266}
sources:
  - name: push
    kind: hj212
    hj212:
      devices:
        - {mn: LY0001, site: 1812A, kind: air, auth: none%s}
`
	c, err := Load("a.yaml", []byte(strings.Replace(base, "%s", "", 1)))
	if err != nil {
		t.Fatal(err)
	}
	k := c.Sources[0].HJ212
	if k.Devices[0].Auth != "none" || k.MaxAuthFailures != DefaultHJ212.MaxAuthFailures || k.FirstPacketTimeout != DefaultHJ212.FirstPacketTimeout {
		t.Errorf("defaults not applied: %+v", k)
	}
	_, err = Load("a.yaml", []byte(strings.Replace(base, "%s", ", password: x", 1)))
	if err == nil || !strings.Contains(err.Error(), "a.yaml:10: sources[0].hj212.devices[0].auth") {
		t.Errorf("auth none with a password: %v", err)
	}
}

// Keys and values of the wrong shape are all reported at once, each at its line with the
// key path — from the node tree, not from yaml.v3's message text.
func TestShapeErrorsAllAtOnce(t *testing.T) {
	in := `areas:
  - {id: luoyang, name: 洛阳市, kind: city}
air_stations: {code: 1812A}
influxdb:
  url: http://127.0.0.1:8086
  gzip: sometimes
  spool_max_bytes: [1, 2]
sources:
  - name: a
    kind: cnemc_csv
    cnemc_csv: {units: {co: [mg]}, dirr: x}
`
	_, err := Load("s.yaml", []byte(in))
	if err == nil {
		t.Fatal("loaded")
	}
	want := "s.yaml:3: air_stations: invalid value: want a list\n" +
		"s.yaml:6: influxdb.gzip: invalid value \"sometimes\": want true or false\n" +
		"s.yaml:7: influxdb.spool_max_bytes: invalid value: want an integer\n" +
		"s.yaml:11: sources[0].cnemc_csv.units.co: invalid value: want a string\n" +
		"s.yaml:11: field \"dirr\" not found in type config.CNEMCCSV"
	if err.Error() != want {
		t.Errorf("got:\n%s\nwant:\n%s", err, want)
	}
}

// An alias and an empty value decode as yaml.v3 decodes them: no shape error.
func TestShapeAcceptsAliasesAndNulls(t *testing.T) {
	in := `areas:
  - &city {id: luoyang, name: 洛阳市, kind: city}
time_zone:
influxdb:
`
	if _, err := Load("a.yaml", []byte(in)); err != nil {
		t.Errorf("refused: %v", err)
	}
}
