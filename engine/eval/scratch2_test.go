package eval

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestScratch2(t *testing.T) {
	l := "[1,2,3,4,5,6,7,8,9,10]"
	for _, src := range []string{
		l + ".map(a, " + l + ".map(b, " + l + ".map(c, " + l + ".map(d, a+b+c+d))))",
		l + ".map(a, " + l + ".map(b, " + l + ".map(c, " + l + ".map(d, " + l + ".map(e, " + l + ".map(f, " + l + ".map(g, a+b+c+d+e+f+g)))))))",
		"lists.range(100000000).size()",
		"lists.range(1000000).map(x, x).size()",
		"lists.range(1000000).exists(x, x < 0)",
		"lists.range(100000).exists(x, x < 0)",
		"'aaaaaaaaaa'.split('').map(x, 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa').join('').size()",
		strings.Repeat("(", 300) + "1" + strings.Repeat(")", 300),
		strings.Repeat("a", 40000),
	} {
		t0 := time.Now()
		p, err := Compile(CEL, src, Options{})
		if err != nil {
			fmt.Printf("compile %.40q: %v (%v)\n", src, err, time.Since(t0))
			continue
		}
		v, err := p.Eval(context.Background(), nil)
		fmt.Printf("eval %.40q: %.50v %v (%v)\n", src, v, err, time.Since(t0))
	}
	for _, src := range []string{
		strings.Repeat("(", 3000) + "1" + strings.Repeat(")", 3000),
		strings.Repeat("!", 20000) + "true",
		strings.Repeat("1+", 6000) + "1",
		"map(1..1000000, map(1..1000000, #))",
		"reduce(1..100000000, #acc + #, 0)",
		strings.Repeat("a", 40000),
		"now()",
		"date('2024-01-01')",
	} {
		t0 := time.Now()
		p, err := Compile(Expr, src, Options{})
		if err != nil {
			fmt.Printf("compile %.40q: %v (%v)\n", src, err, time.Since(t0))
			continue
		}
		v, err := p.Eval(context.Background(), nil)
		fmt.Printf("eval %.40q: %.50v %v (%v)\n", src, v, err, time.Since(t0))
	}
}
