// Command gen writes a national-scale data set for benchmarks: CNEMC hourly CSV files for N
// stations (archive layout DIR/cnemc/YYYY-MM-DD/YYYY-MM-DDTHH.csv, ~1 % gaps, revised
// re-publications of 1 % of the hours as *.rev.csv), a water_csv file of monthly samples for
// M sections, and an envwatch configuration naming them. Deterministic from -seed.
//
//	go run ./bench/gen -out /tmp/national -stations 1900 -hours 8760 -sections 3600
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/collector/cnemc"
	"github.com/envwatch/envwatch/collector/simulate"
	"github.com/envwatch/envwatch/fixed"
	"github.com/envwatch/envwatch/reading"
)

func main() {
	out := flag.String("out", "bench/out/national", "output directory")
	nStations := flag.Int("stations", 1900, "stations")
	hours := flag.Int("hours", 8760, "hours from -start (default one year)")
	nSections := flag.Int("sections", 3600, "water sections (12 monthly samples each)")
	seed := flag.Uint64("seed", 1, "seed")
	startS := flag.String("start", "2025-01-01", "first day (Asia/Shanghai)")
	flag.Parse()
	start, err := time.ParseInLocation(time.DateOnly, *startS, airquality.Shanghai)
	if err != nil {
		fail(err)
	}
	var stations, sections []string
	for i := 0; i < *nStations; i++ {
		stations = append(stations, fmt.Sprintf("%04dA", 1000+i))
	}
	for i := 0; i < *nSections; i++ {
		sections = append(sections, fmt.Sprintf("w%04d", i))
	}
	sim := simulate.New(*seed, stations, nil, 0)
	dir := filepath.Join(*out, "cnemc")
	total := 0
	for h := 0; h < *hours; h += 24 { // a day at a time bounds memory
		from := start.Add(time.Duration(h) * time.Hour)
		to := start.Add(time.Duration(min(h+24, *hours)) * time.Hour)
		rs, _ := sim.Readings(context.Background(), from, to)
		if err := cnemc.WriteArchive(dir, rs); err != nil {
			fail(err)
		}
		total += len(rs)
		if err := revisions(dir, rs); err != nil {
			fail(err)
		}
	}
	if err := water(filepath.Join(*out, "water.csv"), sections, start, *seed); err != nil {
		fail(err)
	}
	if err := writeConfig(filepath.Join(*out, "envwatch.yaml"), *out, stations, sections); err != nil {
		fail(err)
	}
	fmt.Printf("%d station-hours (%d values) for %d stations, %d sections × 12 samples in %s\n", total, total*6, len(stations), len(sections), *out)
}

// revisions re-publishes 1 % of the hours with PM2.5 lowered by 1 (a data-review change).
func revisions(dir string, rs []reading.Reading) error {
	byHour := map[time.Time][]reading.Reading{}
	for _, r := range rs {
		if r.End.Unix()/3600%100 == 7 {
			rv := r
			rv.Values = append([]reading.Value(nil), r.Values...)
			if rv.Values[0].V > fixed.Int(1) {
				rv.Values[0].V -= fixed.Int(1)
			}
			byHour[r.End] = append(byHour[r.End], rv)
		}
	}
	for h, list := range byHour {
		local := h.In(airquality.Shanghai)
		f, err := os.Create(filepath.Join(dir, local.Format("2006-01-02"), local.Format("2006-01-02T15")+".rev.csv"))
		if err != nil {
			return err
		}
		if err := cnemc.Write(f, list); err != nil {
			return err
		}
		f.Close()
	}
	return nil
}

func water(path string, sections []string, start time.Time, seed uint64) error {
	sim := simulate.New(seed, nil, sections, 0)
	rs, _ := sim.Readings(context.Background(), start, start.AddDate(1, 0, 0))
	var b strings.Builder
	b.WriteString("time,section,ph,do,codmn,cod,bod5,nh3n,tp,tn,temp\n")
	for _, r := range rs {
		vals := map[string]string{}
		for _, v := range r.Values {
			vals[v.Code] = v.V.String()
		}
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", r.End.In(airquality.Shanghai).Format("2006-01-02 15:04"), r.Site,
			vals["ph"], vals["do"], vals["codmn"], vals["cod"], vals["bod5"], vals["nh3n"], vals["tp"], vals["tn"], vals["temp"])
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func writeConfig(path, out string, stations, sections []string) error {
	abs, _ := filepath.Abs(out)
	var b strings.Builder
	fmt.Fprintf(&b, "state_dir: %s/state\nareas:\n", abs)
	for i := 0; i < 190; i++ {
		fmt.Fprintf(&b, "  - {id: c%03d, name: City %d, kind: city}\n", i, i)
	}
	b.WriteString("air_stations:\n")
	for i, s := range stations {
		fmt.Fprintf(&b, "  - {code: %s, name: S%d, area: c%03d}\n", s, i, i%190)
	}
	b.WriteString("water_sections:\n")
	for i, s := range sections {
		fmt.Fprintf(&b, "  - {code: %s, name: W%d, water_body: river, level: national, target_class: III, area: c%03d}\n", s, i, i%190)
	}
	fmt.Fprintf(&b, "sources:\n  - {name: cnemc, kind: cnemc_csv, cnemc_csv: {dir: %s/cnemc}}\n  - {name: water, kind: water_csv, water_csv: {file: %s/water.csv}}\n", abs, abs)
	b.WriteString("influxdb: {url: INFLUX_URL, database: bench, batch_size: 5000}\n")
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gen:", err)
	os.Exit(1)
}
