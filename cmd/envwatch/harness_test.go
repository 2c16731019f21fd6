package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/envwatch/envwatch/internal/testenv"
)

// influxdFor starts a real influxd for one test (data under dir) with the database db,
// stopped when the test ends — after its deferred calls, so after any envwatch it ran.
func influxdFor(t *testing.T, dir, db string) *testenv.Influxd {
	t.Helper()
	testenv.Integration(t)
	d, err := testenv.StartInfluxd(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Stop)
	if err := d.CreateDatabase(context.Background(), db, ""); err != nil {
		t.Fatal(err)
	}
	return d
}

// exampleConfig writes examples/luoyang.yaml pointed at influxURL, with its state under
// dir/state and further replacements (old, new, …), to dir/name; it returns the path.
func exampleConfig(t *testing.T, dir, name, influxURL string, replace ...string) string {
	t.Helper()
	b, err := os.ReadFile("../../examples/luoyang.yaml")
	if err != nil {
		t.Fatal(err)
	}
	pairs := append([]string{"url: http://127.0.0.1:8086", "url: " + influxURL, "state_dir: ./var/state", "state_dir: " + filepath.Join(dir, "state")}, replace...)
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(strings.NewReplacer(pairs...).Replace(string(b))), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
