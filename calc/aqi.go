package calc

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"

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

// AQI reads concentrations as CSV and writes them back with the IAQIs, AQI, level,
// category and primary pollutant appended. Rows with errors are reported on errw.
func AQI(r io.Reader, w, errw io.Writer, opt AQIOptions) error {
	items := hourlyItems
	if opt.Daily {
		items = dailyItems
	}
	out := csv.NewWriter(w)
	var present []airquality.Item
	start := func(t *table) error {
		if _, ok := t.col["time"]; !ok {
			return errors.New(`line 1: the header has no "time" column`)
		}
		for _, it := range items {
			if _, ok := t.col[it.Code()]; ok {
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
		return out.Write(append(h, "aqi", "level", "category", "primary_pollutant"))
	}
	row := func(t *table, line int, rec []string) error {
		ts, _ := t.get(rec, "time")
		when, err := parseTime(ts, airquality.Shanghai)
		if err != nil {
			return err
		}
		vals := map[string]airquality.Value{}
		for _, name := range []string{"pm2_5", "pm10", "so2", "no2", "co", "o3", "o3_8h", "so2_24h", "o3_1h_max"} {
			s, ok := t.get(rec, name)
			if !ok || s == "" {
				continue
			}
			d, err := fixed.Parse(s)
			if err != nil {
				return fmt.Errorf("column %q: invalid value %q: not a decimal number", name, s)
			}
			if d < 0 {
				return fmt.Errorf("column %q: invalid value %q: negative concentration", name, s)
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
		return out.Write(outRec)
	}
	_, err := readTable(r, errw, row, start)
	out.Flush()
	if ferr := out.Error(); ferr != nil && err == nil {
		err = ferr
	}
	return err
}
