// Package spelling finds what a person probably meant by a name that is not understood —
// a query parameter, a CSV header — for the "did you mean" of a refusal.
package spelling

import "unicode"

// Distance is the optimal-string-alignment distance between a and b, by letter and
// ignoring case: an insertion, deletion, substitution or swap of two neighbours ("froce")
// is one edit, as people make them.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	eq := func(x, y rune) bool { return unicode.ToLower(x) == unicode.ToLower(y) }
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			c := 1
			if eq(ra[i-1], rb[j-1]) {
				c = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+c)
			if i > 1 && j > 1 && eq(ra[i-1], rb[j-2]) && eq(ra[i-2], rb[j-1]) {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// Nearest is the candidate closest to k and its distance (the first of equals, in the
// candidates' order); "" and -1 without candidates.
func Nearest(k string, candidates []string) (string, int) {
	best, bestD := "", -1
	for _, c := range candidates {
		if d := Distance(k, c); bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	return best, bestD
}
