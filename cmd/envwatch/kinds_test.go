package main

import (
	"slices"
	"sort"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/envwatch/envwatch/config"
)

// docs/design.md's checklist for a source kind names three existing files: the option
// struct (config/config.go), the kind in config.Kinds with its checks
// (config/validate_sources.go) and the factory in kinds() (here). The two lists of kinds
// must agree, or a kind validates and then cannot be built (or is built but refused).
func TestEveryConfiguredKindIsBuilt(t *testing.T) {
	var configured, built []string
	for _, k := range config.Kinds {
		configured = append(configured, k.Name)
	}
	for k := range kinds(prometheus.NewRegistry()) {
		built = append(built, k)
	}
	sort.Strings(configured)
	sort.Strings(built)
	if !slices.Equal(configured, built) {
		t.Errorf("config.Kinds %v, kinds() %v: add the kind to both (docs/design.md, Adding things)", configured, built)
	}
}
