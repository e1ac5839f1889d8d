// Package textdist measures how far apart two names are, for the "did you
// mean" hints of the loader, the expression front ends and the command
// contract. It imports only the standard library.
package textdist

// maxRunes bounds the work: longer names are never close to anything.
const maxRunes = 64

// Distance is the edit distance between a and b in runes (Levenshtein,
// with a swap of two neighbours counted as one edit). Names longer than 64
// runes are only ever 0 from themselves and far from anything else.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > maxRunes || len(rb) > maxRunes {
		if a == b {
			return 0
		}
		return 1 << 10
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
