package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
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

var yamlLine = regexp.MustCompile(`^line (\d+): (.*)$`)

// Load decodes a configuration; name is used in error messages.
func Load(name string, b []byte) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, Errors{yamlError(name, err)}
	}
	cfg := &Config{}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			var es Errors
			for _, m := range te.Errors {
				es = append(es, withKey(lineError(name, m), &root))
			}
			return nil, es
		}
		if err.Error() == "EOF" {
			return nil, Errors{{File: name, Msg: "the file is empty"}}
		}
		return nil, Errors{withKey(yamlError(name, err), &root)}
	}
	cfg.applyDefaults()
	v := &validator{file: name, root: &root}
	cfg.validate(v)
	if len(v.errs) > 0 {
		return nil, v.errs
	}
	return cfg, nil
}

var invalidValue = regexp.MustCompile(`^invalid value "(.*)": `)

// withKey adds the key path to an "invalid value" error yaml.v3 reported by line only.
func withKey(e *Error, root *yaml.Node) *Error {
	m := invalidValue.FindStringSubmatch(e.Msg)
	if m == nil || e.Line == 0 {
		return e
	}
	if p, ok := findScalar(root, nil, e.Line, m[1]); ok {
		e.Msg = p.String() + ": " + e.Msg
	}
	return e
}

func findScalar(n *yaml.Node, p path, line int, value string) (path, bool) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if r, ok := findScalar(c, p, line, value); ok {
				return r, true
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if r, ok := findScalar(c, p.with(i), line, value); ok {
				return r, true
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if r, ok := findScalar(n.Content[i+1], p.with(n.Content[i].Value), line, value); ok {
				return r, true
			}
		}
	case yaml.ScalarNode:
		return p, n.Line == line && n.Value == value
	}
	return nil, false
}

// lineError turns yaml.v3's "line 12: field x not found in type config.T" into
// "file:12: field "x" not found in type config.T".
func lineError(file, msg string) *Error {
	m := yamlLine.FindStringSubmatch(msg)
	if m == nil {
		return &Error{File: file, Msg: msg}
	}
	n, _ := strconv.Atoi(m[1])
	text := m[2]
	if f := regexp.MustCompile(`^field (\S+) not found in type (\S+)$`).FindStringSubmatch(text); f != nil {
		text = fmt.Sprintf("field %q not found in type %s", f[1], f[2])
	}
	if f := regexp.MustCompile("^cannot unmarshal (!!\\w+) `(.*)` into (\\S+)$").FindStringSubmatch(text); f != nil {
		text = fmt.Sprintf("invalid value %q: want %s", f[2], goTypeName(f[3]))
	}
	return &Error{File: file, Line: n, Msg: text}
}

func goTypeName(t string) string {
	switch {
	case strings.HasPrefix(t, "int"), t == "*int":
		return "an integer"
	case strings.HasPrefix(t, "float"):
		return "a number"
	case t == "bool", t == "*bool":
		return "true or false"
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case t == "string":
		return "a string"
	}
	return t
}

func yamlError(file string, err error) *Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	return lineError(file, msg)
}

// UnmarshalYAML reads a decimal scalar exactly.
func (n *Number) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: invalid value: want a number", node.Line)
	}
	d, err := fixed.Parse(node.Value)
	if err != nil {
		return fmt.Errorf("line %d: invalid value %q: want a number", node.Line, node.Value)
	}
	n.Dec = d
	return nil
}

// MarshalYAML writes the number as a decimal.
func (n Number) MarshalYAML() (any, error) { return n.Dec.String(), nil }
