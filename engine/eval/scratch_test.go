package eval

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestScratch(t *testing.T) {
	b := `"xxxxxxxxxx"`
	for i := 0; i < 9; i++ {
		v := fmt.Sprintf("v%d", i)
		b = fmt.Sprintf("cel.bind(%s, %s, %s)", v, b, "NEXT")
		_ = v
	}
	// build nested: cel.bind(v0, "xxxxxxxxxx", cel.bind(v1, v0+v0+..., ...))
	src := `"xxxxxxxxxx"`
	expr := "v8.size()"
	for i := 8; i >= 0; i-- {
		prev := "\"xxxxxxxxxx\""
		if i > 0 {
			prev = strings.Repeat(fmt.Sprintf("v%d+", i-1), 9) + fmt.Sprintf("v%d", i-1)
		}
		_ = prev
	}
	// simpler: explicit
	src = "cel.bind(a, 'xxxxxxxxxx', cel.bind(b, a+a+a+a+a+a+a+a+a+a, cel.bind(c, b+b+b+b+b+b+b+b+b+b, cel.bind(d, c+c+c+c+c+c+c+c+c+c, cel.bind(e, d+d+d+d+d+d+d+d+d+d, cel.bind(f, e+e+e+e+e+e+e+e+e+e, cel.bind(g, f+f+f+f+f+f+f+f+f+f, cel.bind(h, g+g+g+g+g+g+g+g+g+g, h.size()))))))))"
	_ = expr
	for _, s := range []string{src,
		"lists.range(1000).map(x, lists.range(1000)).map(l, l + l + l + l).size()",
		"[1,2,3,4,5,6,7,8,9,10].map(a, 'x').join('').split('').map(a, 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx').join('')",
	} {
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		t0 := time.Now()
		p, err := Compile(CEL, s, Options{})
		if err != nil {
			t.Fatal(err)
		}
		v, err := p.Eval(t.Context(), nil)
		runtime.ReadMemStats(&m1)
		fmt.Printf("%.30v %v %v alloc=%dMB\n", v, err, time.Since(t0), (m1.TotalAlloc-m0.TotalAlloc)>>20)
	}
}
