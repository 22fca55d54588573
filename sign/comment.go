package sign

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Statement is what a signature's trusted comment says of an edition:
//
//	kolokol origin=https://news.example.org edition=42 time=2026-11-30T09:00:00Z
//
// minisign signs the comment with the file and prints it after verifying
// ("Trusted comment: kolokol origin=…"), so a reader without Kolokol sees
// which site and which edition the files are: a fake mirror can pass off
// neither another site's files nor an older edition unseen.
type Statement struct {
	Origin  string
	Edition int64
	Time    time.Time
	// File names the one file a detached signature is for (an offline
	// bundle, see SignFile): a signature moved to another file says so.
	// Empty for an edition's manifest and sums.
	File string
}

const statementHead = "kolokol "

// String is the trusted comment.
func (s Statement) String() string {
	c := fmt.Sprintf("%sorigin=%s edition=%d time=%s", statementHead, s.Origin, s.Edition, s.Time.UTC().Format(time.RFC3339))
	if s.File != "" {
		c += " file=" + s.File
	}
	return c
}

// ParseStatement reads a trusted comment. Fields are "key=value" split by
// single spaces; origin, edition and time must each be there once, in
// their one canonical form (so that a comment means one thing only).
// Other keys are skipped, so that a later Kolokol may add one without
// this version refusing its signatures; what they say is signed all the
// same.
func ParseStatement(c string) (Statement, error) {
	var s Statement
	if !strings.HasPrefix(c, statementHead) {
		return s, fmt.Errorf("trusted comment %q is not Kolokol's (it starts %q)", clip(c), strings.TrimSpace(statementHead))
	}
	if len(c) > maxTrustedComment {
		return s, fmt.Errorf("trusted comment of %d bytes", len(c))
	}
	seen := map[string]bool{}
	for _, field := range strings.Split(c[len(statementHead):], " ") {
		key, value, ok := strings.Cut(field, "=")
		if !ok || !validKey(key) || value == "" {
			return s, fmt.Errorf("trusted comment %q: field %q is not key=value", clip(c), clip(field))
		}
		for _, r := range value {
			if r <= ' ' || r >= 0x7f {
				return s, fmt.Errorf("trusted comment %q: field %q is not printable ASCII", clip(c), key)
			}
		}
		if seen[key] {
			return s, fmt.Errorf("trusted comment %q: %s given twice", clip(c), key)
		}
		seen[key] = true
		switch key {
		case "origin":
			o, err := CanonicalOrigin(value)
			if err != nil {
				return s, fmt.Errorf("trusted comment: %w", err)
			}
			if o != value {
				return s, fmt.Errorf("trusted comment: origin %q is not canonical (%q)", value, o)
			}
			s.Origin = value
		case "edition":
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil || n < 1 || strconv.FormatInt(n, 10) != value {
				return s, fmt.Errorf("trusted comment: edition %q is not a whole number from 1", value)
			}
			s.Edition = n
		case "time":
			t, err := time.Parse(time.RFC3339, value)
			if err != nil || t.Location() != time.UTC || t.Format(time.RFC3339) != value {
				return s, fmt.Errorf("trusted comment: time %q is not a UTC time like 2026-11-30T09:00:00Z", value)
			}
			s.Time = t
		case "file":
			if err := checkFileName(value); err != nil {
				return s, fmt.Errorf("trusted comment: %w", err)
			}
			s.File = value
		}
	}
	for _, key := range []string{"origin", "edition", "time"} {
		if !seen[key] {
			return s, fmt.Errorf("trusted comment %q has no %s", clip(c), key)
		}
	}
	return s, nil
}

func validKey(k string) bool {
	if k == "" || k[0] < 'a' || k[0] > 'z' {
		return false
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// clip keeps messages about hostile input short.
func clip(s string) string {
	if len(s) > 100 {
		return s[:100] + "…"
	}
	return s
}

// check reports whether the manifest says what its signature's comment
// says: the signed comment is what minisign shows a reader, the manifest
// is what Kolokol reads, and the two must not disagree.
func (s Statement) check(m *Manifest, keyID KeyID) error {
	switch {
	case m.Origin != s.Origin:
		return fmt.Errorf("its origin is %s but its signature says %s", m.Origin, s.Origin)
	case m.Edition != s.Edition:
		return fmt.Errorf("its edition is %d but its signature says %d", m.Edition, s.Edition)
	case !m.Time.Equal(s.Time):
		return fmt.Errorf("its time is %s but its signature says %s", m.Time.UTC().Format(time.RFC3339), s.Time.Format(time.RFC3339))
	case m.KeyID != keyID.String():
		return fmt.Errorf("it names key %s but key %s signed it", m.KeyID, keyID)
	}
	return nil
}
