package kolokol

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// MirrorKind is the kind of place a mirror's files are pushed to.
type MirrorKind string

const (
	MirrorDir  MirrorKind = "dir"  // a local directory (a disk another server serves, a USB stick)
	MirrorS3   MirrorKind = "s3"   // an S3-compatible bucket
	MirrorSFTP MirrorKind = "sftp" // a directory on a server reached over SSH
)

// Valid reports whether k is a known kind.
func (k MirrorKind) Valid() bool { return k == MirrorDir || k == MirrorS3 || k == MirrorSFTP }

// Mirror is a place the signed static site is pushed to, and the address
// where readers reach it. Its credential (an S3 secret key, an SSH private
// key) is not part of it: the database never holds one (see MirrorSecrets).
type Mirror struct {
	ID   int64
	Name string
	Kind MirrorKind
	// PublicURL is where readers reach the mirror's copy of the site
	// (https://bucket.example.net/site/); readers find it on the site's
	// mirrors page.
	PublicURL string

	// Dir is the local directory (MirrorDir): an absolute path.
	Dir string

	// S3 (MirrorS3). Endpoint is host[:port], without a scheme; TLS says
	// whether to speak https to it. Prefix is a folder inside the bucket
	// ("" for its root).
	Endpoint  string
	Bucket    string
	Prefix    string
	Region    string
	TLS       bool
	AccessKey string

	// SFTP (MirrorSFTP). HostKey is the server's public key in
	// authorized_keys format ("ssh-ed25519 AAAA…"): the only key accepted
	// from that server. RemotePath is the site's directory there.
	Host       string
	Port       int
	User       string
	RemotePath string
	HostKey    string

	CreatedAt time.Time
	UpdatedAt time.Time
	// RetiredAt is when admins retired it (blocked, or given up); zero:
	// it is live. A retired mirror is neither pushed to nor listed.
	RetiredAt time.Time

	Health MirrorHealth
}

// MirrorHealth is what the last pushes to a mirror found.
type MirrorHealth struct {
	Edition    int64     // the edition the mirror was last pushed; 0: none yet
	PushedAt   time.Time // when that push completed
	VerifiedAt time.Time // when the mirror's manifest was last read back as that edition
	Error      string    // the last push's error; "" when it succeeded
	ErrorAt    time.Time
}

// MirrorPush is the outcome of one push to a mirror, for its health.
type MirrorPush struct {
	At time.Time
	// Edition is what the mirror serves now, when Error is "".
	Edition int64
	// Verified: the mirror's manifest was read back and is that edition.
	Verified bool
	Error    string
}

// Where says where the mirror's files go, for admins and the audit log:
// never its credential.
func (m *Mirror) Where() string {
	switch m.Kind {
	case MirrorS3:
		where := "bucket " + m.Bucket + " at " + m.Endpoint
		if m.Prefix != "" {
			where += ", folder " + m.Prefix
		}
		return where
	case MirrorSFTP:
		return m.User + "@" + m.Host + ":" + strconv.Itoa(m.Port) + " " + m.RemotePath
	}
	return m.Dir
}

// Live reports whether the mirror is pushed to and listed.
func (m *Mirror) Live() bool { return m.RetiredAt.IsZero() }

// Normalize trims the fields people type.
func (m *Mirror) Normalize() {
	for _, p := range []*string{&m.Name, &m.PublicURL, &m.Dir, &m.Endpoint, &m.Bucket, &m.Region,
		&m.AccessKey, &m.Host, &m.User, &m.RemotePath, &m.HostKey} {
		*p = strings.TrimSpace(*p)
	}
	m.Prefix = strings.Trim(strings.TrimSpace(m.Prefix), "/")
	if m.Kind == MirrorSFTP && m.Port == 0 {
		m.Port = 22
	}
}

// bucketName is S3's rule for bucket names (lower case, digits, dots and
// hyphens, 3 to 63 long, starting and ending with a letter or digit).
var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// Validate checks a mirror before it is stored. Each kind's fields are
// checked, and the other kinds' must be empty, so that what the newsroom
// shows is what is used.
func (m *Mirror) Validate() error {
	if m.Name == "" {
		return FieldErrorf(EINVALID, "name", "a mirror needs a name (e.g. “bucket in Frankfurt”)")
	}
	if strings.ContainsAny(m.Name, "\r\n\t") {
		return FieldErrorf(EINVALID, "name", "a mirror's name is a single line")
	}
	if err := checkLine("name", m.Name, 100); err != nil {
		return err
	}
	if !m.Kind.Valid() {
		return FieldErrorf(EINVALID, "kind", "a mirror is a local directory (dir), an S3 bucket (s3) or an SFTP server (sftp), not %q", m.Kind)
	}
	if err := checkPublicURL(m.PublicURL); err != nil {
		return err
	}
	type field struct {
		name string
		set  bool
	}
	dir := []field{{"dir", m.Dir != ""}}
	s3 := []field{{"endpoint", m.Endpoint != ""}, {"bucket", m.Bucket != ""}, {"prefix", m.Prefix != ""},
		{"region", m.Region != ""}, {"tls", m.TLS}, {"access_key", m.AccessKey != ""}}
	sftp := []field{{"host", m.Host != ""}, {"port", m.Port != 0}, {"user", m.User != ""},
		{"remote_path", m.RemotePath != ""}, {"host_key", m.HostKey != ""}}
	var others [][]field
	switch m.Kind {
	case MirrorDir:
		others = [][]field{s3, sftp}
		if err := m.validateDir(); err != nil {
			return err
		}
	case MirrorS3:
		others = [][]field{dir, sftp}
		if err := m.validateS3(); err != nil {
			return err
		}
	case MirrorSFTP:
		others = [][]field{dir, s3}
		if err := m.validateSFTP(); err != nil {
			return err
		}
	}
	for _, fs := range others {
		for _, f := range fs {
			if f.set {
				return FieldErrorf(EINVALID, f.name, "%s is not a setting of a %s mirror", f.name, m.Kind)
			}
		}
	}
	return nil
}

func checkPublicURL(s string) error {
	u, err := url.Parse(s)
	if s == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(s, " \t\r\n\\") || len(s) > 2000 {
		return FieldErrorf(EINVALID, "public_url", "the public address must be an http(s) address where readers reach the mirror, such as https://mirror.example.net/, without a query")
	}
	return nil
}

func (m *Mirror) validateDir() error {
	if !strings.HasPrefix(m.Dir, "/") {
		return FieldErrorf(EINVALID, "dir", "the directory must be an absolute path, such as /srv/mirror")
	}
	return checkPathText("dir", m.Dir)
}

func (m *Mirror) validateS3() error {
	host, port, err := net.SplitHostPort(m.Endpoint)
	if err != nil {
		host, port = m.Endpoint, ""
	}
	if host == "" || strings.ContainsAny(m.Endpoint, "/ \\@?#") || (port != "" && !validPort(port)) {
		return FieldErrorf(EINVALID, "endpoint", "the endpoint is a host name with an optional port, such as s3.eu-central-1.amazonaws.com or 127.0.0.1:9000, without https://")
	}
	if !bucketName.MatchString(m.Bucket) || strings.Contains(m.Bucket, "..") {
		return FieldErrorf(EINVALID, "bucket", "%q is not a bucket name (3 to 63 lower-case letters, digits, dots and hyphens)", m.Bucket)
	}
	if m.Prefix != "" {
		if err := checkPathText("prefix", m.Prefix); err != nil {
			return err
		}
		for _, seg := range strings.Split(m.Prefix, "/") {
			if seg == "" || seg == "." || seg == ".." {
				return FieldErrorf(EINVALID, "prefix", "the prefix is a folder in the bucket such as site/ru, without empty, . or .. parts")
			}
		}
	}
	if err := checkLine("region", m.Region, 64); err != nil {
		return err
	}
	if m.AccessKey == "" {
		return FieldErrorf(EINVALID, "access_key", "an S3 mirror needs its access key id")
	}
	return checkLine("access_key", m.AccessKey, 256)
}

func (m *Mirror) validateSFTP() error {
	if m.Host == "" || strings.ContainsAny(m.Host, "/ \\@?#:") && net.ParseIP(m.Host) == nil {
		return FieldErrorf(EINVALID, "host", "the host is a name or an address, without a port or user")
	}
	if err := checkLine("host", m.Host, 255); err != nil {
		return err
	}
	if m.Port < 1 || m.Port > 65535 {
		return FieldErrorf(EINVALID, "port", "the port is 1 to 65535, not %d", m.Port)
	}
	if m.User == "" || strings.ContainsAny(m.User, " @:/\\") {
		return FieldErrorf(EINVALID, "user", "an SFTP mirror needs the user to sign in as")
	}
	if err := checkLine("user", m.User, 64); err != nil {
		return err
	}
	if m.RemotePath == "" {
		return FieldErrorf(EINVALID, "remote_path", "an SFTP mirror needs the directory of the site on the server")
	}
	if err := checkPathText("remote_path", m.RemotePath); err != nil {
		return err
	}
	return CheckHostKey(m.HostKey)
}

func validPort(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 1 && n <= 65535
}

// checkPathText refuses what a path never needs: control characters, a
// backslash, more than 1,024 bytes.
func checkPathText(field, p string) error {
	if err := checkText(field, p, 1024); err != nil {
		return err
	}
	if strings.ContainsAny(p, "\\\r\n\t") {
		return FieldErrorf(EINVALID, field, "%s must not contain a backslash or a line break", field)
	}
	return nil
}

// CheckHostKey checks an SSH public key in authorized_keys format ("TYPE
// BASE64 [comment]"): the key's own blob must name the same type. A
// mistyped pin is better refused now than at the first push.
func CheckHostKey(s string) error {
	fields := strings.Fields(s)
	bad := FieldErrorf(EINVALID, "host_key", "the host key is the server's public key as a line of known_hosts or authorized_keys: “ssh-ed25519 AAAA…” (ssh-keyscan shows it)")
	if len(fields) < 2 || strings.ContainsAny(s, "\r\n") || len(s) > 16<<10 {
		return bad
	}
	blob, err := base64.StdEncoding.DecodeString(fields[1])
	if err != nil || len(blob) < 4 {
		return bad
	}
	n := binary.BigEndian.Uint32(blob)
	if uint64(n) > uint64(len(blob)-4) || string(blob[4:4+n]) != fields[0] {
		return bad
	}
	return nil
}

// MirrorSecrets keeps mirrors' credentials (an S3 secret key, an SSH
// private key) out of the database, by mirror id: a copy of the database
// (a backup, a support request) then gives no one the keys to the mirrors.
type MirrorSecrets interface {
	// PutMirrorSecret stores (replaces) a mirror's secret.
	PutMirrorSecret(ctx context.Context, id int64, secret []byte) error
	// MirrorSecret returns it; ENOTFOUND when there is none.
	MirrorSecret(ctx context.Context, id int64) ([]byte, error)
	// DeleteMirrorSecret removes it; none is not an error.
	DeleteMirrorSecret(ctx context.Context, id int64) error
}

// Mirrors keeps the mirror targets and their health.
type Mirrors interface {
	// CreateMirror stores a new mirror, setting ID, CreatedAt and
	// UpdatedAt; a live mirror of the same name is ECONFLICT.
	CreateMirror(ctx context.Context, m *Mirror) error
	// UpdateMirror writes every setting of a live mirror (not its
	// health, times or retirement) and sets UpdatedAt; ENOTFOUND for an
	// unknown id, ECONFLICT for a retired one or a name taken.
	UpdateMirror(ctx context.Context, m *Mirror) error
	// RetireMirror sets RetiredAt to at; a retired mirror keeps its first
	// RetiredAt. ENOTFOUND for an unknown id.
	RetireMirror(ctx context.Context, id int64, at time.Time) error
	// FindMirrorByID returns a mirror, live or retired, with its health.
	FindMirrorByID(ctx context.Context, id int64) (*Mirror, error)
	// FindMirrors returns every mirror, retired ones too, by id.
	FindMirrors(ctx context.Context) ([]*Mirror, error)
	// RecordMirrorPush keeps what a push found: on success the edition,
	// push time (and verified time) and no error; on failure the error
	// and its time, the rest as it was. It changes nothing readers see.
	RecordMirrorPush(ctx context.Context, id int64, p MirrorPush) error
}
