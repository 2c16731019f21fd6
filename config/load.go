package config

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/envwatch/envwatch/fixed"
)

// Error is a configuration error at a position.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Errors is a list of configuration errors.
type Errors []*Error

// Bounds of a configuration: a national one (342 cities, 1,900 stations, 3,600 sections)
// is under 2 MB and expands to a few hundred thousand YAML nodes; a file far beyond is a
// mistake or an attack, and is refused before it costs gigabytes.
const (
	MaxFileBytes = 16 << 20
	// MaxNodes bounds the document with its aliases expanded (a few kilobytes of nested
	// aliases expand to billions of nodes).
	MaxNodes = 2_000_000
	// MaxErrors printed per file; the rest are counted.
	MaxErrors = 100
)

func (es Errors) Error() string {
	n := min(len(es), MaxErrors)
	msgs := make([]string, n, n+1)
	for i, e := range es[:n] {
		msgs[i] = e.Error()
	}
	if len(es) > n {
		msgs = append(msgs, fmt.Sprintf("… and %d more errors", len(es)-n))
	}
	return strings.Join(msgs, "\n")
}

// LoadFile reads, decodes, defaults and validates a configuration file.
func LoadFile(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	defer f.Close()
	// Checked while reading, not by stat: a pipe or a growing file has no size to trust.
	b, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	if len(b) > MaxFileBytes {
		return nil, Errors{{File: path, Msg: fmt.Sprintf("the file is larger than %d MiB: not a configuration", MaxFileBytes>>20)}}
	}
	return Load(path, b)
}

// expandedNodes counts a document's nodes with every alias expanded, stopping past limit.
func expandedNodes(n *yaml.Node, limit int, memo map[*yaml.Node]int) int {
	if n == nil {
		return 0
	}
	if c, ok := memo[n]; ok {
		return c
	}
	memo[n] = limit + 1 // a cycle of aliases counts as too many
	total := 1
	if n.Kind == yaml.AliasNode {
		total += expandedNodes(n.Alias, limit, memo)
	}
	for _, c := range n.Content {
		if total > limit {
			break
		}
		total += expandedNodes(c, limit, memo)
	}
	memo[n] = total
	return total
}

// Load decodes a configuration; name is used in error messages.
func Load(name string, b []byte) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, Errors{syntaxError(name, err)}
	}
	if len(root.Content) == 0 {
		return nil, Errors{{File: name, Msg: "the file is empty"}}
	}
	if len(b) > MaxFileBytes {
		return nil, Errors{{File: name, Msg: fmt.Sprintf("the file is larger than %d MiB: not a configuration", MaxFileBytes>>20)}}
	}
	if n := expandedNodes(&root, MaxNodes, map[*yaml.Node]int{}); n > MaxNodes {
		return nil, Errors{{File: name, Msg: fmt.Sprintf("the document expands to more than %d nodes with its aliases: refused", MaxNodes)}}
	}
	if es := checkShape(name, &root, reflect.TypeFor[Config]()); len(es) > 0 {
		return nil, es
	}
	cfg := &Config{}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil {
		// checkShape has seen every key and value; what is left is yaml.v3's own refusal.
		return nil, Errors{syntaxError(name, err)}
	}
	cfg.applyDefaults()
	v := &validator{file: name, root: &root}
	cfg.validate(v)
	if len(v.errs) > 0 {
		return nil, v.errs
	}
	return cfg, nil
}

// syntaxError places yaml.v3's error ("yaml: line 12: did not find expected key") at its
// line: the parser reports a syntax error only as text.
func syntaxError(file string, err error) *Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, text, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil {
				return &Error{File: file, Line: n, Msg: text}
			}
		}
	}
	return &Error{File: file, Msg: msg}
}

// UnmarshalYAML reads a decimal scalar exactly (checkShape reports a refusal at its key).
func (n *Number) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind != yaml.ScalarNode {
		return &valueError{"want a number"}
	}
	d, err := fixed.Parse(node.Value)
	if err != nil {
		return &valueError{"want a number"}
	}
	n.Dec = d
	return nil
}

// MarshalYAML writes the number as a decimal.
func (n Number) MarshalYAML() (any, error) { return n.Dec.String(), nil }
