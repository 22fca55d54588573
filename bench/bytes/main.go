// Command bytes serves one file's bytes as a gzip-encoded HTML page at every
// path, with nothing but the HTTP server, for bench/wrk.sh: the ceiling of
// any handler on this machine, to tell the server's cost from ours.
//
//	go run ./bench/bytes [-fasthttp] ADDR FILE.gz
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"strconv"

	"github.com/valyala/fasthttp"
)

func main() {
	fast := flag.Bool("fasthttp", false, "serve with fasthttp rather than net/http")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: bytes [-fasthttp] ADDR FILE.gz")
		os.Exit(2)
	}
	addr := flag.Arg(0)
	body, err := os.ReadFile(flag.Arg(1))
	if err != nil {
		fmt.Fprintln(os.Stderr, "bytes:", err)
		os.Exit(1)
	}
	if *fast {
		err = fasthttp.ListenAndServe(addr, func(ctx *fasthttp.RequestCtx) {
			ctx.Response.Header.Set("Content-Type", "text/html; charset=utf-8")
			ctx.Response.Header.Set("Content-Encoding", "gzip")
			ctx.Response.SetBodyRaw(body)
		})
	} else {
		// Header values built once, assigned without allocating, as the
		// reader site does.
		ct, ce, cl := []string{"text/html; charset=utf-8"}, []string{"gzip"}, []string{strconv.Itoa(len(body))}
		err = http.ListenAndServe(addr, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			h := w.Header()
			h["Content-Type"], h["Content-Encoding"], h["Content-Length"] = ct, ce, cl
			w.Write(body)
		}))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bytes:", err)
		os.Exit(1)
	}
}
