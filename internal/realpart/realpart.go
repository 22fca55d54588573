// Package realpart starts the real servers tests run against (an
// S3-compatible server, sshd, Varnish, …) on loopback ports, and stops
// them when the test ends. A test whose program is missing skips, saying
// how to install it, unless KOLOKOL_REQUIRE_ALL=1 (CI), where it fails.
package realpart

import (
	"context"
	"fmt"
	"go/build"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Need finds a program: on PATH, in the Go bin directory, or at one of
// the paths given. install says how to get it.
func Need(t testing.TB, name, install string, paths ...string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	gobin := os.Getenv("GOBIN")
	if gobin == "" {
		gobin = filepath.Join(build.Default.GOPATH, "bin")
	}
	for _, p := range append(paths, filepath.Join(gobin, name), filepath.Join("/usr/sbin", name)) {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	msg := fmt.Sprintf("%s is not installed (%s; scripts/test.sh installs it)", name, install)
	if os.Getenv("KOLOKOL_REQUIRE_ALL") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// FreePort returns a loopback port nothing listens on now.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Start runs a server until the test ends, and waits until port takes
// connections (or the server exits, which fails the test). It returns a
// function that stops the server before then.
func Start(t testing.TB, port int, name string, args ...string) (stop func()) {
	t.Helper()
	cmd := exec.Command(name, args...)
	log := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	done := false
	stop = func() {
		if done {
			return
		}
		done = true
		// SIGTERM first (Varnish's manager stops its worker on
		// it), then a kill.
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("%s said:\n%s", filepath.Base(name), log.String())
		}
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.After(30 * time.Second)
	for {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return stop
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("%s exited before it listened: %v\n%s", name, err, log.String())
		case <-deadline:
			t.Fatalf("%s did not listen on %s in 30s\n%s", name, addr, log.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// S3 is an S3-compatible server with one bucket.
type S3 struct {
	Endpoint, Bucket, Region, AccessKey, SecretKey string
	// Stop stops the server before the test ends (to test an outage).
	Stop func()
	// Start starts it again, on the same port and folder, after Stop.
	Start func(t testing.TB)
}

// Client is a client of the server, for a test to look with.
func (s S3) Client(t testing.TB) *minio.Client {
	t.Helper()
	c, err := minio.New(s.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(s.AccessKey, s.SecretKey, ""), Region: s.Region})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// VersityVersion is the versitygw scripts/test.sh installs.
const VersityVersion = "v1.8.0"

// Versity runs versitygw serving a new folder on a loopback port, with
// bucket made.
func Versity(t testing.TB, bucket string) S3 {
	t.Helper()
	bin := Need(t, "versitygw", "go install github.com/versity/versitygw/cmd/versitygw@"+VersityVersion)
	root := t.TempDir()
	port := FreePort(t)
	const access, secret = "kolokol-test", "kolokol-test-secret-key"
	args := []string{"--access", access, "--secret", secret, "--port", fmt.Sprintf("127.0.0.1:%d", port), "posix", root}
	s := S3{Endpoint: fmt.Sprintf("127.0.0.1:%d", port), Bucket: bucket, Region: "us-east-1", AccessKey: access, SecretKey: secret}
	stop := Start(t, port, bin, args...)
	s.Stop = func() { stop() }
	s.Start = func(t testing.TB) { stop = Start(t, port, bin, args...) }
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.Client(t).MakeBucket(ctx, bucket, minio.MakeBucketOptions{Region: s.Region}); err != nil {
		t.Fatalf("make bucket: %v", err)
	}
	return s
}
