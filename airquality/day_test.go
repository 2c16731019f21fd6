package airquality

import (
	"fmt"
	"testing"
)

func TestDayRuns(t *testing.T) {
	d := DayFromDate(2025, 1, 1)
	got := DayRuns([]Day{d, d + 1, d + 2, d + 5, d + 7, d + 8})
	want := [][2]Day{{d, d + 2}, {d + 5, d + 5}, {d + 7, d + 8}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("DayRuns = %v, want %v", got, want)
	}
	if DayRuns(nil) != nil {
		t.Error("no days: runs")
	}
}
