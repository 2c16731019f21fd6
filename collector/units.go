package collector

import (
	"fmt"

	"github.com/envwatch/envwatch/airquality"
)

// AirUnits builds the converters of a source's units section (pollutant code → unit the
// source sends it in). Pollutants not listed are taken in GB 3095's units.
func AirUnits(units map[string]string) (map[string]airquality.UnitConverter, error) {
	out := make(map[string]airquality.UnitConverter, len(units))
	for code, unit := range units {
		p, ok := airquality.ParsePollutant(code)
		if !ok {
			return nil, fmt.Errorf("units.%s: not a pollutant code", code)
		}
		c, err := airquality.NewUnitConverter(p, unit)
		if err != nil {
			return nil, fmt.Errorf("units.%s: %w", code, err)
		}
		out[p.Code()] = c
	}
	return out, nil
}
