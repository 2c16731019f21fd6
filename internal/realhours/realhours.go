// Package realhours is the real-data fixture of the service's and the command's tests: the
// CNEMC publication of 2022-06-01 for Luoyang as archived by GitHub HeQinWill/CNEMC
// (docs/standards.md, "Data sources"), verbatim, embedded.
package realhours

import (
	"bytes"
	_ "embed"
	"testing"

	"github.com/envwatch/envwatch/airquality"
	"github.com/envwatch/envwatch/collector/cnemc"
	"github.com/envwatch/envwatch/reading"
)

//go:embed cnemc_luoyang_hourly_20220601.csv
var file []byte

// File is the publication as archived (a source directory's file in end-to-end tests).
func File() []byte { return bytes.Clone(file) }

// Readings are the published hours of 1 June 2022 of stations 1812A and 1814A.
func Readings(t testing.TB) []reading.Reading {
	t.Helper()
	m, _ := cnemc.Preset(cnemc.PresetArchive)
	p := &cnemc.Parser{Mapping: m, Location: airquality.Shanghai, Stations: map[string]bool{"1812A": true, "1814A": true}}
	rs, _, err := p.Parse(bytes.NewReader(file), "refdata")
	if err != nil {
		t.Fatal(err)
	}
	return rs
}
