package areas

import (
	"reflect"
	"sort"
	"testing"
)

func luoyang() *Tree {
	return New([]Node{{"henan", ""}, {"luoyang", "henan"}, {"xigong", "luoyang"}, {"jianxi", "luoyang"}, {"zhengzhou", "henan"}})
}

func TestWalks(t *testing.T) {
	tr := luoyang()
	if got := tr.Ancestors("xigong"); !reflect.DeepEqual(got, []string{"xigong", "luoyang", "henan"}) {
		t.Errorf("ancestors %v", got)
	}
	if got := tr.Children("luoyang"); !reflect.DeepEqual(got, []string{"xigong", "jianxi"}) {
		t.Errorf("children %v", got)
	}
	if !tr.Within("jianxi", "henan") || tr.Within("zhengzhou", "luoyang") || !tr.Within("luoyang", "luoyang") || tr.Within("nowhere", "henan") {
		t.Error("within")
	}
	var d []string
	for a := range tr.Descendants("luoyang") {
		d = append(d, a)
	}
	sort.Strings(d)
	if !reflect.DeepEqual(d, []string{"jianxi", "luoyang", "xigong"}) {
		t.Errorf("descendants %v", d)
	}
	if c := tr.Cycle(); c != nil {
		t.Errorf("cycle %v in a tree", c)
	}
}

// A cycle is found, and no walk loops on it.
func TestCycle(t *testing.T) {
	tr := New([]Node{{"a", "b"}, {"b", "c"}, {"c", "a"}, {"d", "a"}})
	c := tr.Cycle()
	sort.Strings(c)
	if !reflect.DeepEqual(c, []string{"a", "b", "c"}) {
		t.Errorf("cycle %v, want a b c", c)
	}
	if got := tr.Ancestors("d"); len(got) > 5 {
		t.Errorf("ancestors looped: %v", got)
	}
	if tr.Within("d", "x") {
		t.Error("within on a cycle")
	}
}
