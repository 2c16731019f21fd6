// Package golden compares a test's output with a file under the test's testdata. With
// -update (go test ./pkg -run TestX -update) the file is rewritten instead — then review
// the diff by hand: a golden file is an expectation a person has checked, not a recording.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata (then review the diff by hand)")

// Assert compares got with testdata/name, or rewrites the file with -update.
func Assert(t testing.TB, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (create it with -update, then review it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("output differs from %s (rewrite it with -update, then review the diff):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}
