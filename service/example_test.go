package service

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/envwatch/envwatch/collector/simulate"
	"github.com/envwatch/envwatch/reading"
)

// exampleGeneration opens examples/luoyang.yaml (state in a temporary directory, no
// InfluxDB) and feeds it its simulate source's hours ending in (from, to]: the example a
// bureau starts with, through the real engine.
func exampleGeneration(t *testing.T, from, to time.Time) *Generation {
	return exampleGenerationOf(t, from, to, nil)
}

// exampleGenerationOf is exampleGeneration of the example as edit changes it.
func exampleGenerationOf(t *testing.T, from, to time.Time, edit func([]byte) []byte) *Generation {
	t.Helper()
	b, err := os.ReadFile("../examples/luoyang.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		b = edit(b)
	}
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfgPath, bytes.Replace(b, []byte("state_dir: ./var/state"), []byte("state_dir: "+filepath.Join(dir, "state")), 1), 0o600)
	s, err := Open(cfgPath, slog.New(slog.NewTextHandler(io.Discard, nil)), Mode{Sink: Discard})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	var stations, sections []string
	for _, st := range s.cfg.Stations {
		stations = append(stations, st.Code)
	}
	for _, sec := range s.cfg.Sections {
		sections = append(sections, sec.Code)
	}
	for _, src := range s.cfg.DrinkingWaterSources {
		sections = append(sections, src.Code)
	}
	rs, err := simulate.New(2022, stations, sections, 0).Readings(context.Background(), from, to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.pl.Handle(context.Background(), &reading.Batch{Source: "demo", Readings: rs}); err != nil {
		t.Fatal(err)
	}
	return s
}
