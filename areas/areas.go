// Package areas is the hierarchy of a configuration's areas — a country, its provinces,
// their cities, a city's districts and counties — as one tree every part of envwatch walks
// the same way: the engine's station sets, the indicators' units, the API's subtrees and
// the configuration's validation.
package areas

// Node is an area and the area it lies in ("" at the top).
type Node struct{ ID, Parent string }

// Tree is a hierarchy of areas. It is built once and only read.
type Tree struct {
	parent   map[string]string
	children map[string][]string
	order    []string // ids as given
}

// New builds the tree of nodes; children keep the order the nodes are given in.
func New(nodes []Node) *Tree {
	t := &Tree{parent: make(map[string]string, len(nodes)), children: map[string][]string{}}
	for _, n := range nodes {
		t.parent[n.ID] = n.Parent
		t.order = append(t.order, n.ID)
		if n.Parent != "" {
			t.children[n.Parent] = append(t.children[n.Parent], n.ID)
		}
	}
	return t
}

// Parent is the area id lies in, "" at the top or for an unknown id.
func (t *Tree) Parent(id string) string { return t.parent[id] }

// Children are the areas that name id as their parent.
func (t *Tree) Children(id string) []string { return t.children[id] }

// Ancestors lists id and every area above it, nearest first. A cycle (which validation
// refuses) ends the walk instead of looping.
func (t *Tree) Ancestors(id string) []string {
	var out []string
	for a := id; a != "" && len(out) <= len(t.parent); a = t.parent[a] {
		out = append(out, a)
	}
	return out
}

// Within reports whether area a is root or lies below it.
func (t *Tree) Within(a, root string) bool {
	for i, x := 0, a; x != "" && i <= len(t.parent); i, x = i+1, t.parent[x] {
		if x == root {
			return true
		}
	}
	return false
}

// Descendants is the set of root and every area below it.
func (t *Tree) Descendants(root string) map[string]bool {
	in := map[string]bool{root: true}
	queue := []string{root}
	for len(queue) > 0 {
		a := queue[0]
		queue = queue[1:]
		for _, c := range t.children[a] {
			if !in[c] {
				in[c] = true
				queue = append(queue, c)
			}
		}
	}
	return in
}

// Cycle returns the areas of a cycle of parents (a → b → a), or nil; the same cycle for the
// same nodes, starting from the first of them given.
func (t *Tree) Cycle() []string {
	done := map[string]bool{}
	for _, id := range t.order {
		if done[id] {
			continue
		}
		onPath := map[string]int{}
		var path []string
		for a := id; a != "" && !done[a]; a = t.parent[a] {
			if i, ok := onPath[a]; ok {
				return path[i:]
			}
			onPath[a] = len(path)
			path = append(path, a)
		}
		for _, a := range path {
			done[a] = true
		}
	}
	return nil
}
