package mirror

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// SFTPConfig is a directory on a server reached over SSH.
type SFTPConfig struct {
	Host string
	Port int
	User string
	// Path is the site's directory on the server (absolute, or relative to
	// the user's home).
	Path string
	// PrivateKey signs in (OpenSSH or PEM format, without a passphrase).
	PrivateKey []byte
	// HostKey is the server's public key in authorized_keys format: the
	// only key accepted. A server that shows any other is refused, since
	// a censor in the middle would show its own.
	HostKey string
}

// SFTP is a target on an SSH server: files are written under StagingDir
// and moved into place with the posix-rename extension (rename(2) on the
// server: atomic, replacing the old file). Symlinks under the site's
// directory are refused, as for Dir.
type SFTP struct {
	cfg    *ssh.ClientConfig
	addr   string
	root   string
	name   string
	dialer net.Dialer

	mu   sync.Mutex
	conn *ssh.Client
	c    *sftp.Client
}

// handshakeTimeout bounds the SSH handshake, which takes no context.
const handshakeTimeout = 30 * time.Second

// OpenSFTP checks the keys; it connects on first use, and again after a
// connection breaks, so that a retry gets a fresh one.
func OpenSFTP(c SFTPConfig) (*SFTP, error) {
	name := "sftp://" + c.User + "@" + net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) + "/" + strings.TrimPrefix(c.Path, "/")
	signer, err := ssh.ParsePrivateKey(c.PrivateKey)
	if err != nil {
		return nil, Permanent(fmt.Errorf("open %s: the private key: %w", name, err))
	}
	pinned, _, _, _, err := ssh.ParseAuthorizedKey([]byte(c.HostKey))
	if err != nil {
		return nil, Permanent(fmt.Errorf("open %s: the pinned host key: %w", name, err))
	}
	algos := []string{pinned.Type()}
	if pinned.Type() == ssh.KeyAlgoRSA {
		algos = []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256}
	}
	cfg := &ssh.ClientConfig{
		User: c.User,
		Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)},
		// Only the pinned key: a server showing another is refused before
		// anything is sent.
		HostKeyCallback:   ssh.FixedHostKey(pinned),
		HostKeyAlgorithms: algos,
		Timeout:           handshakeTimeout,
	}
	root := path.Clean(c.Path)
	if root == "" || strings.ContainsAny(root, "\x00\\") {
		return nil, Permanent(fmt.Errorf("open %s: the remote path %q is not usable", name, c.Path))
	}
	return &SFTP{cfg: cfg, addr: net.JoinHostPort(c.Host, strconv.Itoa(c.Port)), root: root, name: name}, nil
}

func (s *SFTP) String() string { return s.name }

// client returns the connection, dialling if there is none.
func (s *SFTP) client(ctx context.Context) (*sftp.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.c != nil {
		return s.c, nil
	}
	nc, err := s.dialer.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", s.name, err)
	}
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(handshakeTimeout))
	cc, chans, reqs, err := ssh.NewClientConn(nc, s.addr, s.cfg)
	if !stop() {
		err = errors.Join(err, ctx.Err())
	}
	if err != nil {
		nc.Close()
		err = fmt.Errorf("connect to %s: %w", s.name, err)
		if strings.Contains(err.Error(), "host key mismatch") || strings.Contains(err.Error(), "unable to authenticate") {
			return nil, Permanent(err)
		}
		return nil, err
	}
	nc.SetDeadline(time.Time{})
	conn := ssh.NewClient(cc, chans, reqs)
	c, err := sftp.NewClient(conn)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("start sftp on %s: %w", s.name, err)
	}
	s.conn, s.c = conn, c
	return c, nil
}

// do runs op on the connection; ctx ending closes it (sftp calls take no
// context), and an error that is not the server's answer about a file
// drops it, so that the next try connects again.
func (s *SFTP) do(ctx context.Context, op func(*sftp.Client) error) error {
	c, err := s.client(ctx)
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { s.drop(c) })
	err = op(c)
	if !stop() {
		return errors.Join(err, ctx.Err())
	}
	var status *sftp.StatusError
	if err != nil && !errors.As(err, &status) && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrPermission) && !isPermanent(err) {
		s.drop(c)
	}
	return err
}

func (s *SFTP) drop(c *sftp.Client) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.c == c && c != nil {
		s.c.Close()
		s.conn.Close()
		s.c, s.conn = nil, nil
	}
}

// Close ends the connection.
func (s *SFTP) Close() error {
	s.mu.Lock()
	c := s.c
	s.mu.Unlock()
	s.drop(c)
	return nil
}

// noLinks is Dir.noLinks over SFTP.
func (s *SFTP) noLinks(c *sftp.Client, p string, parents bool) error {
	segs := strings.Split(p, "/")
	for i := range segs {
		sub := strings.Join(segs[:i+1], "/")
		full := path.Join(s.root, sub)
		fi, err := c.Lstat(full)
		last := i == len(segs)-1
		switch {
		case errors.Is(err, fs.ErrNotExist) && last:
			return nil
		case errors.Is(err, fs.ErrNotExist) && parents:
			if err := c.Mkdir(full); err != nil {
				// Another writer may have made it meanwhile.
				if fi, serr := c.Lstat(full); serr != nil || !fi.IsDir() {
					return fmt.Errorf("make folder %s on %s: %w", sub, s.name, err)
				}
			}
			continue
		case errors.Is(err, fs.ErrNotExist):
			return err
		case err != nil:
			return fmt.Errorf("look at %s on %s: %w", sub, s.name, err)
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return Permanent(fmt.Errorf("%s on %s is a symbolic link; a mirror's files are never written through one (remove it)", sub, s.name))
		}
		if !last && !fi.IsDir() {
			return Permanent(fmt.Errorf("%s on %s is a file where %s needs a folder", sub, s.name, p))
		}
	}
	return nil
}

// Get reads a file.
func (s *SFTP) Get(ctx context.Context, p string, limit int64) ([]byte, error) {
	if err := checkOwnPath(p); err != nil {
		return nil, Permanent(err)
	}
	var b []byte
	err := s.do(ctx, func(c *sftp.Client) error {
		if err := s.noLinks(c, p, false); err != nil {
			return err
		}
		f, err := c.Open(path.Join(s.root, p))
		if err != nil {
			return err
		}
		defer f.Close()
		b, err = readLimited(f, p, limit)
		return err
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read %s on %s: %w", p, s.name, fs.ErrNotExist)
	} else if err != nil {
		return nil, fmt.Errorf("read %s on %s: %w", p, s.name, err)
	}
	return b, nil
}

// Put writes a file under StagingDir, then renames it into place.
func (s *SFTP) Put(ctx context.Context, p string, data []byte) error {
	if err := checkOwnPath(p); err != nil {
		return Permanent(err)
	}
	err := s.do(ctx, func(c *sftp.Client) error {
		if err := s.noLinks(c, p, true); err != nil {
			return err
		}
		// The staging folder, made if missing ("x" stands for its files).
		if err := s.noLinks(c, StagingDir+"/x", true); err != nil {
			return err
		}
		tmp := path.Join(s.root, StagingDir, tempName())
		f, err := c.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL)
		if err != nil {
			return err
		}
		_, err = f.ReadFrom(bytes.NewReader(data))
		if _, ok := c.HasExtension("fsync@openssh.com"); ok && err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = ctx.Err()
		}
		if err == nil {
			err = c.PosixRename(tmp, path.Join(s.root, p))
		}
		if err != nil {
			c.Remove(tmp)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("write %s on %s: %w", p, s.name, err)
	}
	return nil
}

// Delete removes a file and the folders it leaves empty.
func (s *SFTP) Delete(ctx context.Context, p string) error {
	if err := checkOwnPath(p); err != nil {
		return Permanent(err)
	}
	err := s.do(ctx, func(c *sftp.Client) error {
		if err := s.noLinks(c, p, false); err != nil {
			return err
		}
		if err := c.Remove(path.Join(s.root, p)); err != nil {
			return err
		}
		for dir := path.Dir(p); dir != "."; dir = path.Dir(dir) {
			if c.RemoveDirectory(path.Join(s.root, dir)) != nil { // not empty: stop there
				break
			}
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("delete %s on %s: %w", p, s.name, err)
	}
	return nil
}

// Clean removes the staging folder and what a killed push left in it.
func (s *SFTP) Clean(ctx context.Context) error {
	err := s.do(ctx, func(c *sftp.Client) error {
		dir := path.Join(s.root, StagingDir)
		fi, err := c.Lstat(dir)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		} else if err != nil {
			return err
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return Permanent(fmt.Errorf("%s is a symbolic link; a mirror's files are never written through one (remove it)", StagingDir))
		}
		if !fi.IsDir() {
			return Permanent(fmt.Errorf("%s is a file, not the push's folder; remove it", StagingDir))
		}
		list, err := c.ReadDir(dir)
		if err != nil {
			return err
		}
		for _, fi := range list {
			if err := c.Remove(path.Join(dir, fi.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
		return c.RemoveDirectory(dir)
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("clean %s on %s: %w", StagingDir, s.name, err)
	}
	return nil
}
