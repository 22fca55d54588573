// Command bytes serves one file's bytes as a gzip-encoded HTML page at every
// path with nothing but net/http, for bench/wrk.sh: the ceiling of any
// net/http handler on this machine, to tell the server's cost from ours.
//
//	go run ./bench/bytes ADDR FILE.gz
package main

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: bytes ADDR FILE.gz")
		os.Exit(2)
	}
	body, err := os.ReadFile(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bytes:", err)
		os.Exit(1)
	}
	// Header values built once, assigned without allocating, as the reader
	// site does.
	ct, ce, cl := []string{"text/html; charset=utf-8"}, []string{"gzip"}, []string{strconv.Itoa(len(body))}
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hdr := w.Header()
		hdr["Content-Type"], hdr["Content-Encoding"], hdr["Content-Length"] = ct, ce, cl
		w.Write(body)
	})
	if err := http.ListenAndServe(os.Args[1], h); err != nil {
		fmt.Fprintln(os.Stderr, "bytes:", err)
		os.Exit(1)
	}
}
