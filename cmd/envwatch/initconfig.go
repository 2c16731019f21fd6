package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/alecthomas/kingpin/v2"

	"github.com/envwatch/envwatch/collector/cnemc"
	"github.com/envwatch/envwatch/collector/filetrack"
	"github.com/envwatch/envwatch/config"
)

// initConfigCmd writes a configuration for a city, provinces or the country from CNEMC
// files: every station with its city, the city's province and its coordinates.
type initConfigCmd struct {
	files             []string
	cities, provinces []string
	country           bool
	sourceDir         string
	stateDir          string
	influxURL         string
}

func (c *initConfigCmd) register(app *kingpin.Application, _ *environ) *kingpin.CmdClause {
	cmd := app.Command("init-config", "Write a configuration (areas, air stations, a cnemc_csv source, the provinces' and the country's city rankings) from CNEMC files, for cities, provinces or the whole country.")
	cmd.Arg("file", "CNEMC CSV files (the live feed or the archive); their stations are united.").Required().ExistingFilesVar(&c.files)
	cmd.Flag("city", "A city to include, as the feed names it (洛阳市) or by id (luoyang); repeatable.").StringsVar(&c.cities)
	cmd.Flag("province", "A province to include (河南省, henan); repeatable.").StringsVar(&c.provinces)
	cmd.Flag("country", "Every station of the files.").BoolVar(&c.country)
	cmd.Flag("source-dir", "The folder the cnemc_csv source reads (default: the archive the first file lies in).").StringVar(&c.sourceDir)
	cmd.Flag("state-dir", "The state directory of the configuration.").Default("./var/state").StringVar(&c.stateDir)
	cmd.Flag("influxdb-url", "InfluxDB 1.8 URL; empty: no InfluxDB (compute only).").Default("http://127.0.0.1:8086").StringVar(&c.influxURL)
	return cmd
}

// dayFolder is an archive's day folder (…/2026-07-01/2026-07-01T12.csv).
var dayFolder = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func (c *initConfigCmd) run(env *environ) int {
	known := map[string]cnemc.StationInfo{}
	for _, f := range c.files {
		fh, err := os.Open(f)
		if err != nil {
			fmt.Fprintf(env.stderr, "envwatch: %v\n", err)
			return 1
		}
		if st, err := fh.Stat(); err == nil && st.Size() > filetrack.DefaultMaxSize {
			fh.Close()
			fmt.Fprintf(env.stderr, "envwatch: %s: %d bytes, larger than a file source reads (%d)\n", f, st.Size(), filetrack.DefaultMaxSize)
			return 1
		}
		err = cnemc.StationList(io.LimitReader(fh, filetrack.DefaultMaxSize), f, known)
		fh.Close()
		if err != nil {
			fmt.Fprintf(env.stderr, "envwatch: %v\n", err)
			return 1
		}
	}
	o := config.GenOptions{Cities: c.cities, Provinces: c.provinces, Country: c.country, SourceDir: c.sourceDir, StateDir: c.stateDir, InfluxURL: c.influxURL}
	for _, s := range known {
		o.Stations = append(o.Stations, config.GenStation{Code: s.Code, Name: s.Name, City: s.City, Latitude: s.Latitude, Longitude: s.Longitude})
	}
	sort.Slice(o.Stations, func(i, j int) bool { return o.Stations[i].Code < o.Stations[j].Code })
	names := make([]string, 0, len(c.files))
	for _, f := range c.files {
		names = append(names, filepath.Base(f))
	}
	o.Origin = strings.Join(names, ", ")
	if len(names) > 3 {
		o.Origin = fmt.Sprintf("%s … %s (%d files)", names[0], names[len(names)-1], len(names))
	}
	if o.SourceDir == "" {
		dir := filepath.Dir(c.files[0])
		if dayFolder.MatchString(filepath.Base(dir)) {
			dir = filepath.Dir(dir)
		}
		o.SourceDir = dir
	}
	out, err := config.Generate(o)
	if err != nil {
		fmt.Fprintf(env.stderr, "envwatch: %v\n", err)
		return 1
	}
	if _, err := config.Load("generated", out); err != nil { // what is written must load
		fmt.Fprintf(env.stderr, "envwatch: the generated configuration does not validate: %v\n", err)
		return 1
	}
	_, _ = env.stdout.Write(out)
	return 0
}
