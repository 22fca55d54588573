// Command testreport reads `go test -json` from stdin and prints what a
// plain `go test` prints (each package's ok or FAIL line, and the output
// of failing tests), then the tests that were skipped, so that one run
// gives both the results and the skips that KOLOKOL_REQUIRE_ALL forbids.
// It exits 1 when a test or package failed, and 3 when none failed but
// one was skipped and -no-skips is given.
//
//	go test -json ./... | go run ./scripts/testreport -no-skips
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

func main() {
	noSkips := flag.Bool("no-skips", false, "exit 3 when a test was skipped")
	flag.Parse()
	var (
		outputs = map[string][]string{} // package/test → output lines so far
		skips   []string
		failed  bool
		counts  = map[string]int{}
	)
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			// Not an event (a build error printed as is): pass it on.
			fmt.Println(sc.Text())
			continue
		}
		key := e.Package + " " + e.Test
		switch e.Action {
		case "output":
			if e.Test == "" {
				fmt.Print(e.Output) // the package's own lines: ok, FAIL, panics, build errors
				if strings.Contains(e.Output, "[no test files]") {
					counts["none"]++
				}
			} else {
				outputs[key] = append(outputs[key], e.Output)
			}
		case "fail":
			failed = true
			if e.Test != "" {
				fmt.Print(strings.Join(outputs[key], ""))
			} else {
				counts["fail"]++
			}
			delete(outputs, key)
		case "skip":
			if e.Test != "" {
				skips = append(skips, fmt.Sprintf("%s %s: %s", e.Package, e.Test, lastLine(outputs[key])))
			}
			delete(outputs, key)
		case "build-output":
			fmt.Print(e.Output) // a package that does not compile: the compiler's words
		case "build-fail":
			failed = true
		case "pass":
			if e.Test == "" {
				counts["ok"]++
			}
			delete(outputs, key)
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "testreport:", err)
		os.Exit(1)
	}
	fmt.Printf("go test summary: %d packages ok, %d packages failed, %d packages without tests, %d tests skipped\n",
		counts["ok"], counts["fail"], counts["none"], len(skips))
	for _, s := range skips {
		fmt.Println("skipped:", s)
	}
	switch {
	case failed:
		os.Exit(1)
	case *noSkips && len(skips) > 0:
		os.Exit(3)
	}
}

// lastLine is the skip's reason: the last line a test printed before it
// skipped, which t.Skip's message is.
func lastLine(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if l != "" && !strings.HasPrefix(l, "--- SKIP") && !strings.HasPrefix(l, "=== ") {
			return l
		}
	}
	return ""
}
