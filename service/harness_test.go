package service

import (
	"os"
	"testing"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/collector/cnemc"
	"github.com/envwatch/envwatch/reading"
)

// realHours are the published CNEMC hours of 1 June 2022 of stations 1812A and 1814A
// (testdata/README.md): the real-data fixture of the exposition and now tests.
func realHours(t *testing.T) []reading.Reading {
	t.Helper()
	f, err := os.Open("testdata/cnemc_luoyang_hourly_20220601.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, _ := cnemc.Preset(cnemc.PresetArchive)
	p := &cnemc.Parser{Mapping: m, Location: airquality.Shanghai, Stations: map[string]bool{"1812A": true, "1814A": true}}
	rs, _, err := p.Parse(f, "refdata")
	if err != nil {
		t.Fatal(err)
	}
	return rs
}
