package config

import (
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// Duration is a configured length of time, written as Prometheus writes durations
// ("30s", "5m", "1h30m", "7d"). A value that is not one — "-1h", "5 minutes", "30" — is an
// error at its line and key, like every other configuration error.
type Duration time.Duration

// UnmarshalYAML reads a duration scalar (checkShape reports a refusal at its key).
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return &valueError{"want a duration such as 30s, 5m or 1h"}
	}
	v, err := model.ParseDuration(n.Value)
	if err != nil {
		return &valueError{"want a duration such as 30s, 5m or 1h"}
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML writes the duration as it is read.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// String formats the duration the way it is configured ("1h30m", "7d").
func (d Duration) String() string { return model.Duration(d).String() }
