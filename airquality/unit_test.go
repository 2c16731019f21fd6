package airquality

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/envwatch/envwatch/fixed"
)

// GB 3095 keeps CO in mg/m³ and the rest in µg/m³; 1 mg = 1000 µg.
func TestUnitConverter(t *testing.T) {
	for row, c := range []struct {
		p         Pollutant
		unit, in  string
		want, err string
	}{
		{CO, "ug/m3", "800", "0.8", ""},
		{CO, "μg/m³", "1234.5678", "1.2345678", ""},
		{CO, "mg/m3", "1.2", "1.2", ""},
		{PM25, "mg/m3", "0.035", "35", ""},
		{O3, "mg/m³", "0.1605", "160.5", ""},
		{PM10, "µg/m³", "70", "70", ""},
		{SO2, "ppb", "5", "", `unit "ppb": want ug/m3 or mg/m3`},
		{NO2, "mg/m3", "900000000", "", "number out of range"},
	} {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			conv, err := NewUnitConverter(c.p, c.unit)
			if err == nil {
				var v fixed.Dec
				v, err = fixed.Parse(c.in)
				if err != nil {
					t.Fatal(err)
				}
				if v, err = conv.Convert(v); err == nil && v.String() != c.want {
					t.Errorf("%s %s %s = %s, want %s", c.p, c.in, c.unit, v, c.want)
				}
			}
			switch {
			case c.err == "" && err != nil:
				t.Errorf("%s %s %s: %v", c.p, c.in, c.unit, err)
			case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
				t.Errorf("%s %s %s: error %v, want %q", c.p, c.in, c.unit, err, c.err)
			}
		})
	}
	if _, err := (UnitConverter{mul: 1000}).Convert(fixed.Max); !errors.Is(err, fixed.ErrRange) {
		t.Errorf("overflow: %v, want ErrRange", err)
	}
	if CO.Unit() != "mg/m3" || PM25.Unit() != "ug/m3" {
		t.Error("storage units")
	}
}
