package service

import (
	"testing"

	"github.com/envwatch/envwatch/internal/realhours"
	"github.com/envwatch/envwatch/reading"
)

// realHours are the published CNEMC hours of 1 June 2022 of stations 1812A and 1814A
// (internal/realhours): the real-data fixture of the exposition and now tests.
func realHours(t *testing.T) []reading.Reading { return realhours.Readings(t) }
