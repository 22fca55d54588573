// Package mirror pushes the signed static site to mirrors: local
// directories, S3-compatible buckets and SFTP servers. A push uploads only
// what changed, and is atomic as a verifier sees it: a push stopped at any
// point (killed, out of disk, cut off) leaves every file of the mirror as
// the current signed manifest lists it or as the signed next one does, and
// the next push completes it (see Push).
//
// Mirrors are untrusted carriers: what one answers (its manifest, its
// files) is checked as hostile input before anything is done with it.
package mirror

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/kolokol/kolokol/sign"
)

// StagingDir is where local-directory and SFTP targets write a file before
// renaming it into place: one folder at the target's root, emptied at the
// start and removed at the end of every push, so that a killed push leaves
// its partial files in one known place rather than beside the site's.
const StagingDir = ".kolokol-staging"

// Limits on paths: S3 keys are at most 1,024 bytes, and file systems name
// a file in at most 255.
const (
	maxPathBytes    = 1024
	maxSegmentBytes = 255
)

// signedFiles are the files an edition carries at its root beside the
// site's own, current and next: a manifest never lists them, and a push
// writes them itself.
var signedFiles = []string{
	sign.ManifestFile, sign.ManifestFile + sign.SigSuffix, sign.SumsFile, sign.SumsFile + sign.SigSuffix,
}

// reserved reports whether p is a name the protocol writes itself at the
// root: the signed files, their next- versions and the staging folder.
func reserved(p string) bool {
	first, _, _ := strings.Cut(p, "/")
	if first == StagingDir {
		return true
	}
	for _, f := range signedFiles {
		if p == f || p == sign.NextPrefix+f {
			return true
		}
	}
	return false
}

// CheckPath refuses a path from a manifest that could write outside the
// target's root or over the files the push protocol keeps: it must be
// relative, slash-separated, UTF-8, without empty, "." or ".." segments, a
// backslash, NUL or other control characters, and not one of the signed
// files or the staging folder. Every path a push writes, reads or deletes
// passes here first, those from a mirror's own manifest included.
func CheckPath(p string) error {
	switch {
	case p == "":
		return fmt.Errorf("empty path")
	case len(p) > maxPathBytes:
		return fmt.Errorf("path %.40q… is %d bytes long, more than %d", p, len(p), maxPathBytes)
	case !utf8.ValidString(p):
		return fmt.Errorf("path %q is not UTF-8", p)
	case strings.HasPrefix(p, "/"):
		return fmt.Errorf("path %q is absolute", p)
	case strings.Contains(p, `\`):
		return fmt.Errorf("path %q contains a backslash", p)
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("path %q contains a control character (U+%04X)", p, r)
		}
	}
	for _, seg := range strings.Split(p, "/") {
		switch {
		case seg == "":
			return fmt.Errorf("path %q has an empty segment", p)
		case seg == "." || seg == "..":
			return fmt.Errorf("path %q has a %q segment", p, seg)
		case len(seg) > maxSegmentBytes:
			return fmt.Errorf("path %q has a segment of %d bytes, more than %d", p, len(seg), maxSegmentBytes)
		}
	}
	if reserved(p) {
		return fmt.Errorf("path %q is a name the push itself writes", p)
	}
	return nil
}

// checkOwnPath is CheckPath for the names the protocol writes itself.
func checkOwnPath(p string) error {
	if reserved(p) {
		return nil
	}
	return CheckPath(p)
}
