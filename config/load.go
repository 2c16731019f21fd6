package config

import (
	"bytes"
	"fmt"
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

func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// LoadFile reads, decodes, defaults and validates a configuration file.
func LoadFile(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	return Load(path, b)
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
