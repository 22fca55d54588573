// Package pgtest gives tests a real PostgreSQL server: one cluster per test
// binary, started on first use on a free loopback port from the Debian
// binaries (/usr/lib/postgresql/N/bin) and stopped by Main, with a new,
// empty database for each test. KOLOKOL_TEST_POSTGRES=postgres://… uses a
// running server instead; its role must be allowed to CREATE DATABASE.
//
// Without the binaries (and without KOLOKOL_TEST_POSTGRES) a test skips
// saying why, unless KOLOKOL_REQUIRE_ALL=1 (CI), under which it fails: a
// store that is not tested must not look tested.
package pgtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// EnvServer names a running server to test against instead of starting one.
const EnvServer = "KOLOKOL_TEST_POSTGRES"

// MinVersion is the oldest PostgreSQL the store supports and the tests use.
const MinVersion = 15

var (
	once     sync.Once
	srv      *server
	startErr error
	missing  string // why the server cannot be had at all (skip, not fail)
)

// server is the cluster the tests share, or the outside one.
type server struct {
	base  *url.URL // the server's address without a database
	admin *sql.DB  // connected to the maintenance database "postgres"
	dir   string   // the cluster's directory; "" for an outside server
	bin   string
	asPG  bool // run the binaries as the postgres account (we are root)
}

// Main runs the tests of m and then stops the cluster, if one was started.
// Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if err := stop(); err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// DSN returns the URL of a new, empty database for t on the test server,
// dropped when t ends.
func DSN(t testing.TB) string {
	t.Helper()
	once.Do(func() { srv, startErr = start() })
	if missing != "" {
		if os.Getenv("KOLOKOL_REQUIRE_ALL") == "1" {
			t.Fatalf("%s, and KOLOKOL_REQUIRE_ALL=1", missing)
		}
		t.Skip(missing)
	}
	if startErr != nil {
		t.Fatalf("start PostgreSQL: %v", startErr)
	}
	name := "kt_" + randomHex(6)
	ctx := context.Background()
	// The name is ours (letters and digits): no quoting question arises.
	if _, err := srv.admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		// FORCE: a store a failed test left open must not keep its
		// database alive.
		if _, err := srv.admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u := *srv.base
	u.Path = "/" + name
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func start() (*server, error) {
	if dsn := os.Getenv(EnvServer); dsn != "" {
		u, err := url.Parse(dsn)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return nil, fmt.Errorf("%s is not a postgres:// URL", EnvServer)
		}
		admin, err := openAdmin(u)
		if err != nil {
			return nil, fmt.Errorf("connect to %s (%s): %w", EnvServer, u.Redacted(), err)
		}
		return &server{base: u, admin: admin}, nil
	}
	bin := findBin()
	if bin == "" {
		missing = fmt.Sprintf("PostgreSQL %d or later is not installed (apt-get install -y postgresql; scripts/test.sh installs it), and %s is not set", MinVersion, EnvServer)
		return nil, nil
	}
	s := &server{bin: bin, asPG: os.Geteuid() == 0}
	var err error
	if s.dir, err = os.MkdirTemp("", "kolokol-pg-"); err != nil {
		return nil, err
	}
	if err := s.initdb(); err != nil {
		os.RemoveAll(s.dir)
		return nil, err
	}
	// A port free a moment ago may be taken by the time the server binds
	// it; another is tried then.
	for attempt := 0; ; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		if err = s.launch(port); err == nil {
			break
		}
		if attempt == 2 {
			stopCluster(s)
			return nil, err
		}
	}
	if s.admin, err = openAdmin(s.base); err != nil {
		stopCluster(s)
		return nil, err
	}
	return s, nil
}

// launch starts the cluster on port.
func (s *server) launch(port int) error {
	err := s.run("pg_ctl", "-D", s.data(), "-l", s.log(), "-w", "-t", "60", "-o",
		// Durability is worth nothing in a cluster that lives for one
		// test run; without it, each test's database comes quicker.
		"-h 127.0.0.1 -p "+strconv.Itoa(port)+" -k "+s.dir+
			" -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
		"start")
	if err == nil {
		s.base = &url.URL{Scheme: "postgres", User: url.User("postgres"), Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
			RawQuery: "sslmode=disable"}
	}
	return err
}

// Cluster is a PostgreSQL of one test's own, for a test that stops and
// starts it under a running newsroom. It is stopped when the test ends.
type Cluster struct {
	s    *server
	port int
}

// NewCluster starts a cluster for t, with an empty database "kolokol".
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	bin := findBin()
	if bin == "" {
		msg := fmt.Sprintf("PostgreSQL %d or later is not installed (apt-get install -y postgresql; scripts/test.sh installs it)", MinVersion)
		if os.Getenv("KOLOKOL_REQUIRE_ALL") == "1" {
			t.Fatalf("%s, and KOLOKOL_REQUIRE_ALL=1", msg)
		}
		t.Skip(msg)
	}
	s := &server{bin: bin, asPG: os.Geteuid() == 0}
	var err error
	if s.dir, err = os.MkdirTemp("", "kolokol-pg-"); err != nil {
		t.Fatal(err)
	}
	if err := s.initdb(); err != nil {
		os.RemoveAll(s.dir)
		t.Fatal(err)
	}
	port, err := freePort()
	if err == nil {
		err = s.launch(port)
	}
	if err != nil {
		os.RemoveAll(s.dir)
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s.admin != nil {
			s.admin.Close()
		}
		stopCluster(s)
	})
	if s.admin, err = openAdmin(s.base); err != nil {
		t.Fatal(err)
	}
	if _, err := s.admin.Exec("CREATE DATABASE kolokol"); err != nil {
		t.Fatal(err)
	}
	return &Cluster{s: s, port: port}
}

// DSN is the URL of the cluster's database "kolokol".
func (c *Cluster) DSN() string {
	u := *c.s.base
	u.Path = "/kolokol"
	return u.String()
}

// Stop shuts the server down, as an operator's restart does (fast:
// sessions are cut).
func (c *Cluster) Stop(t testing.TB) {
	t.Helper()
	if err := c.s.run("pg_ctl", "-D", c.s.data(), "-m", "fast", "-w", "stop"); err != nil {
		t.Fatal(err)
	}
}

// Start starts it again on the same port.
func (c *Cluster) Start(t testing.TB) {
	t.Helper()
	if err := c.s.launch(c.port); err != nil {
		t.Fatal(err)
	}
}

func openAdmin(base *url.URL) (*sql.DB, error) {
	u := *base
	u.Path = "/postgres"
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var v int
	if err := db.QueryRowContext(ctx, "SELECT current_setting('server_version_num')::int / 10000").Scan(&v); err != nil {
		db.Close()
		return nil, err
	}
	if v < MinVersion {
		db.Close()
		return nil, fmt.Errorf("the server is PostgreSQL %d; the store needs %d or later", v, MinVersion)
	}
	return db, nil
}

// findBin returns the bin directory of the newest installed PostgreSQL of
// at least MinVersion.
func findBin() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return version(b) - version(a) })
	for _, d := range dirs {
		if version(d) < MinVersion {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d
		}
	}
	return ""
}

func version(bin string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(bin)))
	return v
}

func (s *server) data() string { return filepath.Join(s.dir, "data") }
func (s *server) log() string  { return filepath.Join(s.dir, "log") }

func (s *server) initdb() error {
	if s.asPG {
		// initdb refuses to run as root: the cluster belongs to the
		// postgres account Debian's package made.
		pg, err := user.Lookup("postgres")
		if err != nil {
			return fmt.Errorf("running as root, the cluster needs the postgres account: %w", err)
		}
		uid, _ := strconv.Atoi(pg.Uid)
		gid, _ := strconv.Atoi(pg.Gid)
		if err := os.Chown(s.dir, uid, gid); err != nil {
			return err
		}
	}
	return s.run("initdb", "-D", s.data(), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")
}

// run runs one of the server's programs, as the postgres account when we
// are root, and returns its output with its error.
func (s *server) run(prog string, args ...string) error {
	path := filepath.Join(s.bin, prog)
	var cmd *exec.Cmd
	if s.asPG {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		msg := out.String()
		if b, rerr := os.ReadFile(s.log()); rerr == nil {
			msg += "\nserver log:\n" + tail(string(b), 2000)
		}
		return fmt.Errorf("%s: %w\n%s", prog, err, msg)
	}
	return nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func stop() error {
	if srv == nil {
		return nil
	}
	var errs []error
	if srv.admin != nil {
		errs = append(errs, srv.admin.Close())
	}
	if srv.dir != "" {
		errs = append(errs, stopCluster(srv))
	}
	srv = nil
	return errors.Join(errs...)
}

func stopCluster(s *server) error {
	err := s.run("pg_ctl", "-D", s.data(), "-m", "immediate", "-w", "stop")
	return errors.Join(err, os.RemoveAll(s.dir))
}
