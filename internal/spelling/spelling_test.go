package spelling

import (
	"fmt"
	"testing"
)

func TestDistance(t *testing.T) {
	for row, c := range []struct {
		a, b string
		want int
	}{
		{"year", "year", 0}, {"yaer", "year", 1}, {"froce", "force", 1}, {"froce", "from", 2}, {"PM2.5", "pm2.5", 0},
		{"nh3", "nh3n", 1}, {"氨氮", "氨氮(", 1}, {"", "abc", 3}, {"kitten", "sitting", 3},
	} {
		t.Run(fmt.Sprint(row), func(t *testing.T) {
			if got := Distance(c.a, c.b); got != c.want {
				t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
			}
		})
	}
	if n, d := Nearest("froce", []string{"source", "from", "to", "force"}); n != "force" || d != 1 {
		t.Errorf("Nearest froce: %q %d", n, d)
	}
	if n, d := Nearest("x", nil); n != "" || d != -1 {
		t.Errorf("Nearest without candidates: %q %d", n, d)
	}
}
