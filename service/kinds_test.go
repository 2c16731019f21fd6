package service

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/envwatch/envwatch/config"
)

// docs/design.md's checklist for a source kind names three existing files: the option
// struct (config/config.go), the kind in config.Kinds with its checks
// (config/validate_sources.go) and the factory in Kinds() (service/generation.go). The two lists of kinds
// must agree, or a kind validates and then cannot be built (or is built but refused).
func TestEveryConfiguredKindIsBuilt(t *testing.T) {
	var configured, built []string
	for _, k := range config.Kinds {
		configured = append(configured, k.Name)
	}
	for k := range Kinds(prometheus.NewRegistry(), nil) {
		built = append(built, k)
	}
	sort.Strings(configured)
	sort.Strings(built)
	if !slices.Equal(configured, built) {
		t.Errorf("config.Kinds %v, Kinds() %v: add the kind to both (docs/design.md, Adding things)", configured, built)
	}
}

// The checklist in docs/design.md is true of every kind this build has: each existing
// file it names exists, and each kind is where the checklist says a kind goes — an option
// field on config.Source keyed by its name (config/config.go), a row in config.Kinds
// (config/validate_sources.go), a factory in Kinds() (service/generation.go) and a section in
// docs/configuration.md.
func TestSourceKindChecklist(t *testing.T) {
	design, err := os.ReadFile("../docs/design.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(design), "**A source kind**")
	if !ok {
		t.Fatal("docs/design.md: no source kind checklist")
	}
	block, _, _ = strings.Cut(block, "\n\n**")
	named := regexp.MustCompile("`((?:config|cmd|collector|docs|service)/[a-z_./]+\\.(?:go|md))`").FindAllStringSubmatch(block, -1)
	if len(named) < 4 {
		t.Fatalf("checklist names %d files: %q", len(named), block)
	}
	for _, m := range named {
		if _, err := os.Stat(filepath.Join("..", m[1])); err != nil {
			t.Errorf("checklist names %s: %v", m[1], err)
		}
	}
	confDoc, err := os.ReadFile("../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	built := Kinds(prometheus.NewRegistry(), nil)
	src := reflect.TypeFor[config.Source]()
	for _, k := range config.Kinds {
		found := false
		for i := range src.NumField() {
			name, _, _ := strings.Cut(src.Field(i).Tag.Get("yaml"), ",")
			found = found || name == k.Name
		}
		if !found {
			t.Errorf("kind %s: no option field keyed %q on config.Source", k.Name, k.Name)
		}
		if built[k.Name] == nil {
			t.Errorf("kind %s: no factory in Kinds()", k.Name)
		}
		if !strings.Contains(string(confDoc), "### `"+k.Name+"`") {
			t.Errorf("kind %s: no section in docs/configuration.md", k.Name)
		}
	}
}
