package calc

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/fixed"
)

// AQIOptions configure `envwatch calc aqi`.
type AQIOptions struct {
	Daily     bool
	Standard  airquality.Version
	O3OneHour airquality.O3OneHourRule
}

var (
	hourlyItems = []airquality.Item{airquality.ItemPM25, airquality.ItemPM10, airquality.ItemSO2,
		airquality.ItemNO2, airquality.ItemCO, airquality.ItemO3, airquality.ItemO3_8h}
	dailyItems = []airquality.Item{airquality.ItemPM25, airquality.ItemPM10, airquality.ItemSO2,
		airquality.ItemNO2, airquality.ItemCO, airquality.ItemO3_8h, airquality.ItemO3_1hMax}
)

// airLimits are the most any hourly or daily concentration has plausibly been (µg/m³, CO
// mg/m³): beyond it a value is still computed but flagged — most often a unit slip (CO in
// µg/m³, PM in mg/m³).
var airLimits = map[string]int64{"pm2_5": 1500, "pm10": 10000, "so2": 3000, "no2": 1000, "co": 60, "o3": 1200, "o3_8h": 1000,
	"so2_24h": 3000, "o3_1h_max": 1200}

// AQI reads concentrations as CSV and writes them back with the IAQIs, AQI, level,
// category, primary pollutant and warnings appended. Rows with errors are reported on
// errw; a header it cannot read with certainty stops it.
func AQI(r io.Reader, w, errw io.Writer, opt AQIOptions) error {
	items := hourlyItems
	if opt.Daily {
		items = dailyItems
	}
	out := csv.NewWriter(w)
	var present []airquality.Item
	cols := map[string]int{}     // canonical column → index
	scale := map[string]string{} // canonical column → unit conversion
	m := newMatcher(airAliases)
	start := func(t *table) error {
		var errs []string
		for i, h := range t.header {
			name, unit, ok := m.lookup(h)
			if !ok {
				k, _ := squash(h)
				if why, known := airKnownUnused[k]; known {
					if why != "" {
						fmt.Fprintf(errw, "line 1: column %q passed through, not used: %s\n", h, why)
					}
					continue
				}
				if sug, looks := m.suggest(h); looks {
					errs = append(errs, fmt.Sprintf("column %q not understood; did you mean %q? (docs/calc.md lists the accepted names)", h, sug))
				}
				continue
			}
			if why := wrongMode(name, opt.Daily); why != "" {
				errs = append(errs, fmt.Sprintf("column %q (%s): %s", h, name, why))
				continue
			}
			if j, dup := cols[name]; dup {
				errs = append(errs, fmt.Sprintf("columns %q and %q are both %s", t.header[j], h, name))
				continue
			}
			sc, err := airUnit(name, unit)
			if err != nil && name != "time" && name != "station" {
				errs = append(errs, fmt.Sprintf("column %q: %v", h, err))
				continue
			}
			cols[name], scale[name] = i, sc
		}
		if len(errs) > 0 {
			return fmt.Errorf("line 1: %s", strings.Join(errs, "; "))
		}
		if _, ok := cols["time"]; !ok {
			return errors.New(`line 1: the header has no time column ("time", "时间", "监测时间" …)`)
		}
		for _, it := range items {
			if _, ok := cols[it.Code()]; ok {
				present = append(present, it)
			}
		}
		if len(present) == 0 {
			return errors.New("line 1: the header names no pollutant column")
		}
		h := append([]string(nil), t.header...)
		for _, it := range present {
			h = append(h, "iaqi_"+it.Code())
		}
		return out.Write(append(h, "aqi", "level", "category", "primary_pollutant", "warnings"))
	}
	row := func(t *table, line int, rec []string) error {
		when, err := parseTime(strings.TrimSpace(rec[cols["time"]]), airquality.Shanghai)
		if err != nil {
			return fmt.Errorf("column %q: %w", t.header[cols["time"]], err)
		}
		vals := map[string]airquality.Value{}
		var warnings []string
		for _, name := range []string{"pm2_5", "pm10", "so2", "no2", "co", "o3", "o3_8h", "so2_24h", "o3_1h_max"} {
			i, ok := cols[name]
			if !ok {
				continue
			}
			s := strings.TrimSpace(rec[i])
			if s == "" {
				continue
			}
			d, err := fixed.Parse(s)
			if err != nil {
				return fmt.Errorf("column %q: invalid value %q: not a decimal number", t.header[i], s)
			}
			if d < 0 {
				return fmt.Errorf("column %q: invalid value %q: negative concentration", t.header[i], s)
			}
			if d, err = convert(d, scale[name]); err != nil {
				return fmt.Errorf("column %q: value %q: %w", t.header[i], s, err)
			}
			if lim := airLimits[name]; d > fixed.Int(lim) {
				unit, other := "µg/m³", "mg/m³"
				if name == "co" {
					unit, other = "mg/m³", "µg/m³"
				}
				msg := fmt.Sprintf("%s %s %s is above anything measured (%d): was it in %s?", name, d, unit, lim, other)
				warnings = append(warnings, msg)
				fmt.Fprintf(errw, "line %d: column %q: warning: %s\n", line, t.header[i], msg)
			}
			vals[name] = airquality.Some(d)
		}
		var res airquality.Result
		if opt.Daily {
			v := opt.Standard.Resolve(airquality.DayOf(when).Start())
			res = airquality.Daily(v, &airquality.DailyInput{PM25: vals["pm2_5"], PM10: vals["pm10"], SO2: vals["so2"],
				NO2: vals["no2"], CO: vals["co"], O3_8h: vals["o3_8h"], O3_1hMax: vals["o3_1h_max"]}, opt.O3OneHour)
		} else {
			v := opt.Standard
			if v == airquality.Auto {
				v = airquality.ForHourEnding(when)
			}
			res = airquality.Hourly(v, &airquality.HourlyInput{PM25: vals["pm2_5"], PM10: vals["pm10"], SO2: vals["so2"],
				NO2: vals["no2"], CO: vals["co"], O3: vals["o3"], SO2_24h: vals["so2_24h"], O3_8h: vals["o3_8h"]})
		}
		outRec := append([]string(nil), rec...)
		for _, it := range present {
			if res.Computed.Has(it) {
				outRec = append(outRec, strconv.Itoa(res.IAQI[it].Value))
			} else {
				outRec = append(outRec, "")
			}
		}
		if res.NA {
			outRec = append(outRec, "NA", "NA", "NA", "NA")
		} else {
			info := res.Level().Info()
			outRec = append(outRec, strconv.Itoa(res.AQI), strconv.Itoa(int(info.Level)), info.Category, res.Primary.Join("+"))
		}
		return out.Write(append(outRec, strings.Join(warnings, "; ")))
	}
	_, err := readTable(r, errw, row, start)
	out.Flush()
	if ferr := out.Error(); ferr != nil && err == nil {
		err = ferr
	}
	return err
}

// wrongMode says why a column does not belong to the hourly or the daily calculation.
func wrongMode(name string, daily bool) string {
	switch {
	case daily && name == "o3":
		return "the daily AQI takes ozone as the MDA8 (o3_8h) and optionally the daily maximum 1-h value (o3_1h_max), not a 1-h value; did you mean o3_8h?"
	case daily && name == "so2_24h":
		return "with --daily every column is a 24-h mean: give it as so2"
	case !daily && name == "o3_1h_max":
		return "a daily maximum belongs to --daily; the real-time AQI takes the hour's o3"
	}
	return ""
}

// convert applies a unit conversion of airUnit exactly.
func convert(d fixed.Dec, scale string) (fixed.Dec, error) {
	switch scale {
	case "/1000":
		r := d.Rat()
		r.Quo(r, big.NewRat(1000, 1))
		v, ok := fixed.FromRat(r)
		if !ok {
			return 0, fmt.Errorf("out of range")
		}
		return v, nil
	case "*1000":
		if d > fixed.Max/1000 {
			return 0, fmt.Errorf("out of range")
		}
		return d * 1000, nil
	}
	return d, nil
}
