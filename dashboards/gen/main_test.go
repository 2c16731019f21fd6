package main

import (
	"os"
	"path/filepath"
	"testing"
)

// The committed JSON is what Grafana loads; it must be what the generator writes.
func TestGeneratedDashboardsUpToDate(t *testing.T) {
	files, _ := filepath.Glob("../*.json")
	if len(files) != len(Dashboards()) {
		t.Errorf("%d dashboard files, the generator makes %d", len(files), len(Dashboards()))
	}
	for name, d := range Dashboards() {
		want, err := Render(d)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join("..", name))
		if err != nil {
			t.Fatalf("%s: %v (run: cd dashboards && go run ./gen)", name, err)
		}
		if string(got) != string(want) {
			t.Errorf("%s differs from the generator's output: run `cd dashboards && go run ./gen`", name)
		}
		imp, err := ForImport(d)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := os.ReadFile(filepath.Join("..", importDir, name)); err != nil || string(got) != string(imp) {
			t.Errorf("%s/%s differs from the generator's output (%v): run `cd dashboards && go run ./gen`", importDir, name, err)
		}
	}
}
