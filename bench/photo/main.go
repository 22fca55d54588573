// Command photo writes the demo's generated landscape at a given size as a
// JPEG, for load tests that need a large upload: go run ./bench/photo W H FILE.
package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/kolokol/kolokol/demo"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: photo WIDTH HEIGHT FILE")
		os.Exit(2)
	}
	w, err1 := strconv.Atoi(os.Args[1])
	h, err2 := strconv.Atoi(os.Args[2])
	if err1 != nil || err2 != nil || w <= 0 || h <= 0 || w*h > 50_000_000 {
		fmt.Fprintln(os.Stderr, "photo: width and height must be positive, 50 megapixels at most")
		os.Exit(2)
	}
	b, err := demo.Photo(w, h)
	if err == nil {
		err = os.WriteFile(os.Args[3], b, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "photo:", err)
		os.Exit(1)
	}
}
