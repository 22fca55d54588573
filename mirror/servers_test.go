package mirror

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kolokol/kolokol/internal/realpart"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"golang.org/x/crypto/ssh"
)

// The S3 and SFTP tests run real servers on loopback (internal/realpart):
// versitygw (a pinned go install, see scripts/test.sh) and Debian's
// OpenSSH sshd.

// startVersity runs versitygw serving a new folder, with a bucket made,
// and returns the config of a target in it.
func startVersity(t *testing.T) S3Config {
	t.Helper()
	s := realpart.Versity(t, "mirror")
	return S3Config{Endpoint: s.Endpoint, Bucket: s.Bucket, Prefix: "site/news", Region: s.Region,
		AccessKey: s.AccessKey, SecretKey: s.SecretKey}
}

func s3Client(t *testing.T, c S3Config) *minio.Client {
	t.Helper()
	client, err := minio.New(c.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(c.AccessKey, c.SecretKey, ""), Region: c.Region})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// sshKey makes an ed25519 key pair: the private key in OpenSSH's format
// and the public key as an authorized_keys line.
func sshKey(t *testing.T) (private []byte, public string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(block), strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey())))
}

// startSSHD runs Debian's sshd on a loopback port with a throw-away host
// key and a user key of the test's own, for the user running the test,
// and returns the config of a target in a new folder (and that folder).
func startSSHD(t *testing.T) (SFTPConfig, string) {
	t.Helper()
	bin := realpart.Need(t, "sshd", "apt-get install openssh-server", "/usr/sbin/sshd")
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	// sshd wants its privilege-separation folder even when it runs as
	// the user it serves; as root here, it can be made.
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil && os.Geteuid() == 0 {
		t.Fatal(err)
	}
	dir := t.TempDir()
	hostPriv, hostPub := sshKey(t)
	userPriv, userPub := sshKey(t)
	write(t, filepath.Join(dir, "host_key"), string(hostPriv))
	os.Chmod(filepath.Join(dir, "host_key"), 0o600)
	write(t, filepath.Join(dir, "authorized_keys"), userPub+"\n")
	os.Chmod(filepath.Join(dir, "authorized_keys"), 0o644)
	port := realpart.FreePort(t)
	config := strings.Join([]string{
		"ListenAddress 127.0.0.1",
		"HostKey " + filepath.Join(dir, "host_key"),
		"PidFile " + filepath.Join(dir, "sshd.pid"),
		"AuthorizedKeysFile " + filepath.Join(dir, "authorized_keys"),
		"PermitRootLogin prohibit-password",
		"PasswordAuthentication no",
		"KbdInteractiveAuthentication no",
		"UsePAM no",
		"Subsystem sftp internal-sftp",
		"StrictModes no",
	}, "\n") + "\n"
	write(t, filepath.Join(dir, "sshd_config"), config)
	realpart.Start(t, port, bin, "-D", "-e", "-f", filepath.Join(dir, "sshd_config"), "-p", strconv.Itoa(port))
	remote := filepath.Join(t.TempDir(), "www")
	if err := os.Mkdir(remote, 0o755); err != nil {
		t.Fatal(err)
	}
	return SFTPConfig{Host: "127.0.0.1", Port: port, User: u.Username, Path: remote, PrivateKey: userPriv, HostKey: hostPub}, remote
}

// targetSuite pushes to a target as TestDirPush and TestDirPushKilled do
// for a directory: only what changed is written, and a push killed at a
// few points leaves a consistent mirror that the next push completes.
// fresh gives each subtest a target of its own, empty.
func targetSuite(t *testing.T, fresh func(t *testing.T) helperConfig) {
	open := func(t *testing.T, c helperConfig) Target {
		target, err := c.open()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { target.Close() })
		return target
	}
	s1 := firstSite()
	s2 := s1.with(site{"index.html": "<title>2</title>", "ru/a/1-паром/index.html": "<h1>2</h1>", "ru/a/50-новое/index.html": "<h1>new</h1>"},
		"fa/index.html")
	s3 := s2.with(site{"index.html": "<title>3</title>", "ru/a/2-паром/index.html": "<h1>3</h1>"}, "ru/a/50-новое/index.html")
	work := t.TempDir()

	t.Run("push, change, push", func(t *testing.T) {
		target := open(t, fresh(t))
		journal := filepath.Join(work, "journal-1")
		tree1 := writeTree(t, filepath.Join(work, "tree1"), 1, s1)
		res, _ := pushTo(t, target, tree1, journal)
		if res.Uploaded != len(s1) || !res.Verified {
			t.Errorf("first push: %+v", res)
		}
		checkEqual(t, target, tree1)
		tree2 := writeTree(t, filepath.Join(work, "tree2"), 2, s2)
		res, cnt := pushTo(t, target, tree2, journal)
		if got := sitePaths(cnt.puts); res.Uploaded != 3 || res.Deleted != 1 || len(got) != 3 || !res.Verified {
			t.Errorf("second push: %+v, wrote %q", res, got)
		}
		checkEqual(t, target, tree2)
		res, cnt = pushTo(t, target, tree2, journal)
		if res.Uploaded != 0 || cnt.steps != 0 {
			t.Errorf("the same edition again: %+v", res)
		}
	})

	for _, after := range []int{4, 6, 8, 10, 13} {
		t.Run(fmt.Sprintf("killed after %d", after), func(t *testing.T) {
			// Each run starts from edition 2 with a journal of its own.
			c := fresh(t)
			target := open(t, c)
			journal := filepath.Join(work, fmt.Sprint("journal-kill-", after))
			tree2 := writeTree(t, filepath.Join(work, fmt.Sprint("tree2-", after)), 2, s2)
			pushTo(t, target, tree2, journal)
			tree3dir := filepath.Join(work, fmt.Sprint("tree3-", after))
			tree3 := writeTree(t, tree3dir, 3, s3)
			cfg := c
			cfg.Tree, cfg.Journal = tree3dir, journal
			steps, finished := killedPush(t, cfg, after)
			if finished {
				t.Fatalf("finished in %d steps: %q", len(steps), steps)
			}
			cur, next := checkConsistent(t, target)
			t.Logf("killed after %q: current %d, next %d", steps[len(steps)-1], cur, next)
			if after%2 == 0 {
				res, _ := pushTo(t, target, tree3, journal)
				if !res.Verified {
					t.Errorf("resumed: %+v", res)
				}
				checkEqual(t, target, tree3)
				return
			}
			os.RemoveAll(tree3dir)
			tree4 := writeTree(t, filepath.Join(work, fmt.Sprint("tree4-", after)), 4, s3.with(site{"index.html": "<title>4</title>"}))
			res, _ := pushTo(t, target, tree4, journal)
			if (next == 3) != (res.Completed == 3) {
				t.Errorf("after a kill with next edition %d: %+v", next, res)
			}
			checkEqual(t, target, tree4)
		})
	}
}

// TestS3Push: the push protocol against a real S3-compatible server
// (versitygw), in a bucket under a prefix; objects get the content type
// they are served with, and a wrong secret is refused without retries
// past the first answer.
func TestS3Push(t *testing.T) {
	c := startVersity(t)
	n := 0
	targetSuite(t, func(t *testing.T) helperConfig {
		n++
		fc := c
		fc.Prefix = fmt.Sprintf("site/test%d", n)
		return helperConfig{Kind: "s3", S3: fc}
	})
	c.Prefix = "site/test1"

	client := s3Client(t, c)
	info, err := client.StatObject(t.Context(), c.Bucket, "site/test1/ru/index.html", minio.StatObjectOptions{})
	if err != nil {
		t.Fatalf("the page is not at its key under the prefix: %v", err)
	}
	if info.ContentType != "text/html; charset=utf-8" {
		t.Errorf("a page is served as %q", info.ContentType)
	}
	n = 0
	for obj := range client.ListObjects(t.Context(), c.Bucket, minio.ListObjectsOptions{Recursive: true}) {
		if obj.Err != nil {
			t.Fatal(obj.Err)
		}
		if !strings.HasPrefix(obj.Key, "site/test") || strings.Contains(obj.Key, "next-") {
			t.Errorf("object %q", obj.Key)
		}
		n++
	}
	if n == 0 {
		t.Error("no objects")
	}

	bad := c
	bad.SecretKey = "wrong"
	target, err := OpenS3(bad)
	if err != nil {
		t.Fatal(err)
	}
	tree := writeTree(t, filepath.Join(t.TempDir(), "tree"), 9, firstSite())
	_, err = Push(t.Context(), target, tree, Options{Journal: filepath.Join(t.TempDir(), "j"), Backoff: quick})
	if err == nil || !isPermanent(err) {
		t.Errorf("a wrong secret: %v", err)
	}
}

// TestSFTPPush: the push protocol against Debian's sshd; a server showing
// another host key than the pinned one is refused before anything is
// sent, and a symlink in the remote folder is refused as in a directory.
func TestSFTPPush(t *testing.T) {
	c, remote := startSSHD(t)
	var dirs []string
	targetSuite(t, func(t *testing.T) helperConfig {
		fc := c
		fc.Path = filepath.Join(remote, fmt.Sprint("test", len(dirs)))
		dirs = append(dirs, fc.Path)
		if err := os.Mkdir(fc.Path, 0o755); err != nil {
			t.Fatal(err)
		}
		return helperConfig{Kind: "sftp", SFTP: fc}
	})
	for _, dir := range dirs {
		if got := listDir(t, dir); len(got) == 0 || strings.Contains(strings.Join(got, " "), StagingDir) {
			t.Errorf("the remote folder holds %q", got)
		}
	}

	t.Run("wrong host key", func(t *testing.T) {
		_, other := sshKey(t)
		bad := c
		bad.HostKey = other
		target, err := OpenSFTP(bad)
		if err != nil {
			t.Fatal(err)
		}
		defer target.Close()
		tree := writeTree(t, filepath.Join(t.TempDir(), "tree"), 9, firstSite())
		_, err = Push(t.Context(), target, tree, Options{Journal: filepath.Join(t.TempDir(), "j"), Backoff: DefaultBackoff})
		if err == nil || !strings.Contains(err.Error(), "host key mismatch") || !isPermanent(err) {
			t.Errorf("pushed to a server with another host key: %v", err)
		}
	})

	t.Run("symlink", func(t *testing.T) {
		elsewhere := t.TempDir()
		dir := filepath.Join(t.TempDir(), "www")
		os.Mkdir(dir, 0o755)
		if err := os.Symlink(elsewhere, filepath.Join(dir, "ru")); err != nil {
			t.Fatal(err)
		}
		cfg := c
		cfg.Path = dir
		target, err := OpenSFTP(cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer target.Close()
		tree := writeTree(t, filepath.Join(t.TempDir(), "tree"), 1, firstSite())
		_, err = Push(t.Context(), target, tree, Options{Journal: filepath.Join(t.TempDir(), "j"), Backoff: quick})
		if err == nil || !strings.Contains(err.Error(), "symbolic link") {
			t.Errorf("pushed through a symlink: %v", err)
		}
		if got := listDir(t, elsewhere); len(got) != 0 {
			t.Errorf("written through the link: %q", got)
		}
	})

	t.Run("stopped", func(t *testing.T) {
		// A cancelled push stops with the context's error, not a retry.
		target, err := OpenSFTP(c)
		if err != nil {
			t.Fatal(err)
		}
		defer target.Close()
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		tree := writeTree(t, filepath.Join(t.TempDir(), "tree"), 1, firstSite())
		_, err = Push(ctx, target, tree, Options{Journal: filepath.Join(t.TempDir(), "j")})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("a cancelled push: %v", err)
		}
	})
}
