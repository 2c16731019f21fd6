package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A few kilobytes of nested aliases (10⁹ nodes expanded) are refused before decoding.
func TestAliasBombRefused(t *testing.T) {
	var b strings.Builder
	b.WriteString("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "l%d: &l%d [", i, i)
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*l%d", i-1)
		}
		b.WriteString("]\n")
	}
	_, err := Load("bomb.yaml", []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "expands to more than") {
		t.Errorf("alias bomb: %v", err)
	}
}

// A file over the size bound is refused while reading.
func TestHugeFileRefused(t *testing.T) {
	p := filepath.Join(t.TempDir(), "huge.yaml")
	f, _ := os.Create(p)
	line := "# " + strings.Repeat("x", 1022) + "\n"
	for written := 0; written <= MaxFileBytes; written += len(line) {
		f.WriteString(line)
	}
	f.Close()
	if _, err := LoadFile(p); err == nil || !strings.Contains(err.Error(), "larger than 16 MiB") {
		t.Errorf("huge file: %v", err)
	}
}

// Thousands of errors print as the first MaxErrors and a count.
func TestErrorsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("areas: [{id: a, name: A, kind: city}]\nsources: [{name: s, kind: simulate}]\nair_stations:\n")
	for i := 0; i < 150; i++ {
		fmt.Fprintf(&b, "  - {code: S%d, name: S, area: nowhere}\n", i)
	}
	_, err := Load("many.yaml", []byte(b.String()))
	if err == nil {
		t.Fatal("150 bad stations accepted")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != MaxErrors+1 || lines[len(lines)-1] != "… and 50 more errors" {
		t.Errorf("%d lines, last %q", len(lines), lines[len(lines)-1])
	}
}
