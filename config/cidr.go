package config

import (
	"net"

	"go.yaml.in/yaml/v3"
)

// CIDR is a configured network ("10.0.0.0/8"), parsed once when the file is read: a value
// that is not one is an error at its line, and the sources use the network as parsed.
type CIDR struct{ *net.IPNet }

// UnmarshalYAML reads a CIDR scalar (checkShape reports a refusal at its key).
func (c *CIDR) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		if _, nw, err := net.ParseCIDR(n.Value); err == nil {
			c.IPNet = nw
			return nil
		}
	}
	return &valueError{"want a CIDR such as 10.0.0.0/8"}
}

// MarshalYAML writes the network as it is read.
func (c CIDR) MarshalYAML() (any, error) { return c.String(), nil }

// String is the network in CIDR notation ("" when unset).
func (c CIDR) String() string {
	if c.IPNet == nil {
		return ""
	}
	return c.IPNet.String()
}

// ParseCIDR parses a network as the configuration does.
func ParseCIDR(s string) (CIDR, error) {
	_, nw, err := net.ParseCIDR(s)
	return CIDR{nw}, err
}
