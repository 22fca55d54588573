package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestReadmeCurl runs every curl example in the README's shell code
// blocks against a real server, as printed: the request the command line
// makes (method, headers, body, as curl builds them) goes to the test's
// server in place of the README's addresses, with a token that may do
// everything in place of $T or $TOKEN. The comment under each example
// says what the server answers ("# 201 ..."); the test holds it to that.
// An id the README shows in an answer ("id":16) stands for the id the
// server gave, in the examples that follow.
func TestReadmeCurl(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	examples := curlExamples(string(readme))
	if len(examples) < 3 {
		t.Fatalf("found %d curl examples in the README; the test's reading of it is wrong", len(examples))
	}
	ta := newTestApp(t)
	ids := map[string]string{} // the README's id: the server's
	for _, ex := range examples {
		t.Run(ex.name(), func(t *testing.T) {
			req, err := ex.request(map[string]string{"T": ta.admin, "TOKEN": ta.admin}, ta.srv.URL, ids)
			if err != nil {
				t.Fatalf("%s: %v", ex.command, err)
			}
			if ex.status == 0 {
				t.Fatalf("%s: no comment under it says what the server answers (# 201 ...)", ex.command)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != ex.status {
				t.Fatalf("%s\nanswered %d, the README says %d: %s", ex.command, resp.StatusCode, ex.status, body)
			}
			if ex.id != "" {
				var got struct{ ID json.Number }
				if err := json.Unmarshal(body, &got); err != nil || got.ID == "" {
					t.Fatalf("the README shows an id in the answer, the server sent none: %s", body)
				}
				ids[ex.id] = got.ID.String()
			}
		})
	}
}

// curlExample is one curl command line of the README and what the README
// says it answers.
type curlExample struct {
	command string
	status  int
	id      string // an id the README shows in the answer
}

func (ex curlExample) name() string {
	for _, f := range strings.Fields(ex.command) {
		if readmeOrigin.MatchString(f) {
			return f
		}
	}
	return ex.command
}

var (
	answerComment = regexp.MustCompile(`^#\s*(\d{3})\b`)
	answerID      = regexp.MustCompile(`"id":\s*(\d+)`)
	readmeOrigin  = regexp.MustCompile(`^https?://(127\.0\.0\.1:8080|localhost:8080|news\.example\.org)`)
)

// curlExamples reads the curl commands of the README's sh code blocks: a
// command goes on while a quote is open or a line ends in a backslash.
func curlExamples(readme string) []curlExample {
	var out []curlExample
	inBlock := false
	var cmd strings.Builder
	open := false
	for _, line := range strings.Split(readme, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			inBlock = trimmed == "```sh" || trimmed == "```bash" || trimmed == "```shell"
			cmd.Reset()
			open = false
			continue
		}
		if !inBlock {
			continue
		}
		if open {
			cmd.WriteString("\n" + line)
		} else if strings.HasPrefix(trimmed, "curl ") {
			cmd.WriteString(trimmed)
		} else {
			if m := answerComment.FindStringSubmatch(trimmed); m != nil && len(out) > 0 && out[len(out)-1].status == 0 {
				out[len(out)-1].status, _ = strconv.Atoi(m[1])
				if id := answerID.FindStringSubmatch(trimmed); id != nil {
					out[len(out)-1].id = id[1]
				}
			}
			continue
		}
		s := cmd.String()
		open = quoteOpen(s) || strings.HasSuffix(s, "\\")
		if !open {
			out = append(out, curlExample{command: s})
			cmd.Reset()
		}
	}
	return out
}

func quoteOpen(s string) bool {
	var q rune
	for i, r := range s {
		switch {
		case q == 0 && (r == '\'' || r == '"'):
			q = r
		case q == r && (r == '\'' || s[i-1] != '\\'):
			q = 0
		}
	}
	return q != 0
}

// shellWords splits a command line as sh would: quotes, backslash-newline,
// and $NAME expanded outside single quotes.
func shellWords(s string, env map[string]string) ([]string, error) {
	var words []string
	var w strings.Builder
	inWord := false
	var q rune
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case q == '\'':
			if r == '\'' {
				q = 0
			} else {
				w.WriteRune(r)
			}
		case r == '\\' && i+1 < len(rs):
			i++
			if rs[i] != '\n' {
				w.WriteRune(rs[i])
				inWord = true
			}
		case r == '$':
			j := i + 1
			for j < len(rs) && (rs[j] == '_' || rs[j] >= 'A' && rs[j] <= 'Z' || rs[j] >= 'a' && rs[j] <= 'z' || rs[j] >= '0' && rs[j] <= '9') {
				j++
			}
			name := string(rs[i+1 : j])
			v, ok := env[name]
			if !ok {
				return nil, fmt.Errorf("$%s is not set by the README", name)
			}
			w.WriteString(v)
			inWord = true
			i = j - 1
		case q == '"':
			if r == '"' {
				q = 0
			} else {
				w.WriteRune(r)
			}
		case r == '\'' || r == '"':
			q = r
			inWord = true
		case r == ' ' || r == '\t' || r == '\n':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	if q != 0 {
		return nil, fmt.Errorf("an open quote")
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, nil
}

// request is the HTTP request curl makes of the command, sent to base
// instead of the README's origin. Only the options the README uses are
// known; any other is an error, so that a new example is read right.
func (ex curlExample) request(env map[string]string, base string, ids map[string]string) (*http.Request, error) {
	args, err := shellWords(ex.command, env)
	if err != nil {
		return nil, err
	}
	if len(args) == 0 || args[0] != "curl" {
		return nil, fmt.Errorf("not a curl command")
	}
	method, target, data := "", "", ""
	hasData := false
	hdr := http.Header{}
	for i := 1; i < len(args); i++ {
		a := args[i]
		next := func() (string, error) {
			if i+1 >= len(args) {
				return "", fmt.Errorf("%s without its value", a)
			}
			i++
			return args[i], nil
		}
		switch a {
		case "-s", "--silent", "-S", "--show-error", "-f", "--fail", "-sS":
		case "-X", "--request":
			if method, err = next(); err != nil {
				return nil, err
			}
		case "-H", "--header":
			h, err := next()
			if err != nil {
				return nil, err
			}
			k, v, ok := strings.Cut(h, ":")
			if !ok {
				return nil, fmt.Errorf("header %q", h)
			}
			hdr.Set(strings.TrimSpace(k), strings.TrimSpace(v))
		case "-d", "--data", "--data-raw", "--data-binary":
			d, err := next()
			if err != nil {
				return nil, err
			}
			if strings.HasPrefix(d, "@") && a != "--data-raw" {
				return nil, fmt.Errorf("data from a file (%s) is not run by this test", d)
			}
			if hasData {
				data += "&"
			}
			data, hasData = data+d, true
		default:
			if strings.HasPrefix(a, "-") {
				return nil, fmt.Errorf("curl option %s is not known to this test", a)
			}
			if target != "" {
				return nil, fmt.Errorf("two addresses: %s and %s", target, a)
			}
			target = a
		}
	}
	loc := readmeOrigin.FindStringIndex(target)
	if loc == nil {
		return nil, fmt.Errorf("the address %q is none of the README's own", target)
	}
	path := target[loc[1]:]
	for theirs, ours := range ids {
		path = strings.ReplaceAll(path, "/"+theirs+"/", "/"+ours+"/")
		if strings.HasSuffix(path, "/"+theirs) {
			path = strings.TrimSuffix(path, theirs) + ours
		}
	}
	if method == "" {
		method = "GET"
		if hasData {
			method = "POST"
		}
	}
	var body io.Reader
	if hasData {
		body = strings.NewReader(data)
		if hdr.Get("Content-Type") == "" {
			hdr.Set("Content-Type", "application/x-www-form-urlencoded") // as curl does
		}
	}
	req, err := http.NewRequest(method, base+path, body)
	if err != nil {
		return nil, err
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	return req, nil
}
