package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

func TestCLI(t *testing.T) {
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "data")
	env := func(string) string { return "" }
	var out, errb bytes.Buffer
	if err := run(ctx, []string{"version"}, &out, &errb, env); err != nil || !strings.HasPrefix(out.String(), "kolokol ") {
		t.Fatalf("version: %v %q", err, out.String())
	}
	if err := run(ctx, []string{"token", "create", "--data", data, "--name", "x", "--role", "admin"}, &out, &errb, env); err == nil || !strings.Contains(err.Error(), "no Kolokol database") {
		t.Fatalf("token create without a database: %v", err)
	}
	app, err := NewApp(ctx, data, "http://example.test", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Store.CreateService(ctx, &kolokol.Service{Code: "ru", Tag: "ru", Script: "Cyrl", Direction: kolokol.LTR, Name: "Русский", TimeZone: "Europe/Moscow"}); err != nil {
		t.Fatal(err)
	}
	app.Close()
	for name, want := range map[string]os.FileMode{data: 0o700, filepath.Join(data, "kolokol.db"): 0o600} {
		if fi, err := os.Stat(name); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v (%v)", name, fi.Mode().Perm(), want, err)
		}
	}

	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string // in the error; "" for success
	}{
		{"editor", []string{"--name", "wire", "--role", "editor", "--service", "ru"}, nil, ""},
		{"from env", []string{"--name", "env", "--role", "admin"}, map[string]string{"KOLOKOL_DATA": data}, ""},
		{"unknown service", []string{"--name", "x", "--role", "editor", "--service", "zz"}, nil, `"zz"`},
		{"bad role", []string{"--name", "x", "--role", "boss", "--service", "ru"}, nil, "role"},
		{"no services", []string{"--name", "x", "--role", "reporter"}, nil, "services"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"token", "create"}, tt.args...)
			if tt.env == nil {
				args = append(args, "--data", data)
			}
			var out, errb bytes.Buffer
			err := run(ctx, args, &out, &errb, func(k string) string { return tt.env[k] })
			if tt.want == "" {
				if err != nil || !strings.HasPrefix(out.String(), "kk_") {
					t.Fatalf("err %v, out %q", err, out.String())
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want %q", err, tt.want)
			}
		})
	}
}

// TestServeDemo runs the real serve command: it seeds the demo, prints the
// admin token, answers /healthz and shuts down cleanly on SIGTERM, after
// answering the request in flight.
func TestServeDemo(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	data := filepath.Join(t.TempDir(), "demo")
	var out, errb syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(context.Background(), []string{"serve", "--demo", "--data", data}, &out, &errb, func(k string) string {
			switch k {
			case "KOLOKOL_ADDR":
				return addr
			case "KOLOKOL_ADMIN_ADDR":
				return "127.0.0.1:0"
			case "KOLOKOL_NET_HTTP":
				if testNetHTTP() {
					return "true"
				}
			}
			return ""
		})
	}()
	var resp *http.Response
	for i := 0; i < 100; i++ {
		if resp, err = http.Get("http://" + addr + "/healthz"); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("server did not come up: %v\n%s", err, errb.String())
	}
	resp.Body.Close()
	// The admin listener serves the counters, on its own port.
	if m := regexp.MustCompile(`metrics: (http://\S+)`).FindStringSubmatch(out.String()); m == nil {
		t.Errorf("no metrics address printed: %q", out.String())
	} else if r, err := http.Get(m[1]); err != nil || r.StatusCode != 200 {
		t.Errorf("metrics: %v %v", r, err)
	} else {
		body, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if !strings.Contains(string(body), `kolokol_http_requests_total{route="GET /healthz",status="200"}`) {
			t.Errorf("metrics lack the health check:\n%s", body)
		}
		if r, _ := http.Get("http://" + addr + "/metrics"); r != nil && r.StatusCode == 200 {
			t.Error("the public listener serves the metrics")
		}
	}
	for _, want := range []string{"admin token: kk_", "demo editor: editor@demo.kolokol.example  password: ", "demo admin: admin@demo.kolokol.example  password: "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("serve --demo did not print %q: %q", want, out.String())
		}
	}
	// A request in flight when SIGTERM arrives (an article still being
	// sent) is read and answered before serve returns.
	token := regexp.MustCompile(`admin token: (kk_\S+)`).FindStringSubmatch(out.String())
	if token == nil {
		t.Fatalf("no admin token printed: %q", out.String())
	}
	busy, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	article := `{"service": "en", "headline": "Filed as the server stops", "body": "x"}`
	fmt.Fprintf(busy, "POST /api/v1/articles HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		token[1], len(article), article[:20])
	time.Sleep(100 * time.Millisecond)
	syscall.Kill(os.Getpid(), syscall.SIGTERM)
	select {
	case err := <-done:
		t.Fatalf("serve returned (%v) with a request in flight", err)
	case <-time.After(300 * time.Millisecond):
	}
	io.WriteString(busy, article[20:])
	busy.SetReadDeadline(time.Now().Add(10 * time.Second))
	if resp, err := http.ReadResponse(bufio.NewReader(busy), nil); err != nil || resp.StatusCode != http.StatusCreated {
		t.Errorf("the request in flight at SIGTERM: %v %v", resp, err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not shut down on SIGTERM")
	}
	if strings.Contains(errb.String(), "127.0.0.1:") && strings.Contains(errb.String(), "remote") {
		t.Errorf("logs mention a remote address: %s", errb.String())
	}
}

// TestServeRefusesBadSafetyFlags: a wrong onion address, proxy list or
// country database stops the server before it listens, saying which flag.
func TestServeRefusesBadSafetyFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--onion", "http://news.example.org"}, "--onion"},
		{[]string{"--onion", "http://abc.onion/some/path"}, "--onion"},
		{[]string{"--trusted-proxies", "10.0.0.0/8, the CDN"}, "--trusted-proxies"},
		{[]string{"--geo-db", filepath.Join(t.TempDir(), "missing.mmdb")}, "missing.mmdb"},
		{[]string{"--admin-addr", "not an address"}, "--admin-addr"},
		// /metrics has no authentication: loopback only, unless asked.
		{[]string{"--admin-addr", "0.0.0.0:0"}, "--admin-public"},
		{[]string{"--admin-addr", ":0"}, "--admin-public"},
		{[]string{"--admin-addr", "[::]:0"}, "--admin-public"},
		{[]string{"--admin-addr", "192.0.2.1:9464"}, "--admin-public"},
		{[]string{"--session-idle", "1s"}, "--session-idle"},
		{[]string{"--session-idle", "24h"}, "--session-idle"},
	} {
		args := append([]string{"serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0"}, c.args...)
		var out, errb syncBuffer
		// Already cancelled: a flag that is not refused ends in another
		// error or a clean stop, never in a server that runs on.
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		err := run(ctx, args, &out, &errb, func(string) string { return "" })
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want an error naming %s", c.args, err, c.want)
		}
	}
}

// TestAdminExposure: the admin listener stays on loopback unless
// --admin-public says otherwise, and then the server warns.
func TestAdminExposure(t *testing.T) {
	for _, c := range []struct {
		addr    string
		public  bool
		exposed bool
		err     string // in the error; "" for none
	}{
		{"", false, false, ""},
		{"127.0.0.1:9464", false, false, ""},
		{"127.8.9.10:9464", false, false, ""},
		{"[::1]:9464", false, false, ""},
		{"localhost:9464", false, false, ""},
		{"127.0.0.1:9464", true, false, ""}, // public allowed, not needed: no warning
		{"0.0.0.0:9464", false, false, "--admin-public"},
		{":9464", false, false, "--admin-public"},
		{"[::]:9464", false, false, "--admin-public"},
		{"192.0.2.1:9464", false, false, "--admin-public"},
		{"[2001:db8::1]:9464", false, false, "--admin-public"},
		{"[fe80::1%eth0]:9464", false, false, "--admin-public"},
		{"0.0.0.0:9464", true, true, ""},
		{":9464", true, true, ""},
		{"192.0.2.1:9464", true, true, ""},
		{"not an address", true, false, "--admin-addr"},
	} {
		exposed, err := adminExposure(t.Context(), c.addr, c.public)
		if exposed != c.exposed || (c.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), c.err) {
			t.Errorf("adminExposure(%q, %t) = %t, %v; want %t and an error naming %q", c.addr, c.public, exposed, err, c.exposed, c.err)
		}
	}
}

// TestServeAdminPublic: with KOLOKOL_ADMIN_PUBLIC the server listens on a
// non-loopback admin address, and says loudly that it does.
func TestServeAdminPublic(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0", "--admin-addr", "0.0.0.0:0"}, &out, &errb,
			func(k string) string {
				if k == "KOLOKOL_ADMIN_PUBLIC" {
					return "true"
				}
				return ""
			})
	}()
	// Wait for the listener to be up; the server stops when ctx ends.
	for !strings.Contains(out.String(), "metrics: ") {
		select {
		case err := <-done:
			t.Fatalf("serve returned %v before it listened:\n%s", err, errb.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve returned %v", err)
	}
	if !strings.Contains(errb.String(), "level=WARN") || !strings.Contains(errb.String(), "NOT ON LOOPBACK") {
		t.Errorf("no warning about the public admin listener:\n%s", errb.String())
	}
}
