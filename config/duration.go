package config

import (
	"time"

	"github.com/prometheus/common/model"
)

func modelDuration(d time.Duration) model.Duration { return model.Duration(d) }

// Duration converts a time.Duration for configuration literals in tests and defaults.
func Duration(d time.Duration) model.Duration { return model.Duration(d) }
