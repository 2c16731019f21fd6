package config

import (
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// valueError is returned by the configuration's own scalar types (Number, Duration, CIDR)
// for a value they cannot read; checkShape puts it at its key and line.
type valueError struct{ want string }

func (e *valueError) Error() string { return e.want }

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

// checkShape walks the document beside the Go type it decodes into and reports, all at
// once and each at its line and key path, the keys the type does not have and the values
// of the wrong shape. yaml.v3 reports these only as text ("line 7: cannot unmarshal ...");
// checking the node tree ourselves gives the positions without parsing its messages.
func checkShape(file string, root *yaml.Node, t reflect.Type) Errors {
	c := shapeChecker{file: file}
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		c.check(root.Content[0], t, nil)
	}
	return c.errs
}

type shapeChecker struct {
	file string
	errs Errors
}

func (c *shapeChecker) add(n *yaml.Node, format string, args ...any) {
	c.errs = append(c.errs, &Error{File: c.file, Line: n.Line, Msg: fmt.Sprintf(format, args...)})
}

// invalid reports a value of the wrong shape: its text when it is a scalar.
func (c *shapeChecker) invalid(n *yaml.Node, p path, want string) {
	if n.Kind == yaml.ScalarNode {
		c.add(n, "%s: invalid value %q: %s", p, n.Value, want)
		return
	}
	c.add(n, "%s: invalid value: %s", p, want)
}

func (c *shapeChecker) check(n *yaml.Node, t reflect.Type, p path) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // an empty value leaves the field at its zero value
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		if err := reflect.New(t).Interface().(yaml.Unmarshaler).UnmarshalYAML(n); err != nil {
			c.invalid(n, p, err.Error())
		}
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		c.check(n, t.Elem(), p)
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			c.invalid(n, p, "want a mapping")
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			f, ok := fieldByKey(t, key.Value)
			if !ok {
				c.add(key, "field %q not found in type %s", key.Value, t)
				continue
			}
			c.check(val, f.Type, p.with(key.Value))
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			c.invalid(n, p, "want a mapping")
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			c.check(n.Content[i+1], t.Elem(), p.with(n.Content[i].Value))
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			c.invalid(n, p, "want a list")
			return
		}
		for i, e := range n.Content {
			c.check(e, t.Elem(), p.with(i))
		}
	default:
		if n.Kind != yaml.ScalarNode {
			c.invalid(n, p, want(t))
			return
		}
		// yaml.v3 resolves the scalar (0x10, 1_000, true/false); only whether it fits matters.
		if err := n.Decode(reflect.New(t).Interface()); err != nil {
			c.invalid(n, p, want(t))
		}
	}
}

// fieldByKey finds the struct field a YAML key decodes into (the key is the yaml tag's
// name, or the lower-cased field name as yaml.v3 does).
func fieldByKey(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		if name == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// want names what a scalar of kind t must be, for people.
func want(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "want an integer"
	case reflect.Float32, reflect.Float64:
		return "want a number"
	case reflect.Bool:
		return "want true or false"
	case reflect.String:
		return "want a string"
	}
	return "want a " + t.String()
}
