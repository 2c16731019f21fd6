package indicator

import (
	"fmt"
	"testing"
)

// Water words as the bulletins write them (《地表水环境质量评价办法》 classes in Roman
// numerals with 类; item names of GB 3838 Table 1).
func TestWaterWords(t *testing.T) {
	for row, c := range []struct{ got, want string }{
		{ClassText("zh", "III"), "Ⅲ类"}, {ClassText("zh", "劣V"), "劣Ⅴ类"}, {ClassText("en", "II"), "Class II"},
		{ClassText("en", "劣V"), "worse than V"}, {ClassText("zh", ""), ""},
		{LevelText("zh", "national"), "国考"}, {LevelText("zh", "provincial"), "省考"}, {LevelText("en", "national"), "national"},
		{ItemText("zh", "tp"), "总磷"}, {ItemText("en", "nh3n"), "NH3N"}, {ItemText("zh", "nosuch"), "nosuch"},
	} {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("%q, want %q", c.got, c.want)
			}
		})
	}
}
