package auth

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"strings"
	"sync"
)

//go:embed data/passwords.txt.gz
var commonGz []byte

// CommonPasswords is the list of commonly used passwords shipped in the
// binary (see data/SOURCE.md).
type CommonPasswords struct {
	set map[string]struct{}
}

// loadCommon decompresses the list once per process; the set is never
// written after, so sharing it is safe.
var loadCommon = sync.OnceValues(func() (*CommonPasswords, error) {
	zr, err := gzip.NewReader(bytes.NewReader(commonGz))
	if err != nil {
		return nil, fmt.Errorf("common passwords: %w", err)
	}
	c := &CommonPasswords{set: make(map[string]struct{}, 50_000)}
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" {
			c.set[strings.ToLower(w)] = struct{}{}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("common passwords: %w", err)
	}
	return c, nil
})

// Common returns the shipped list.
func Common() (*CommonPasswords, error) { return loadCommon() }

// Len is the number of passwords on the list.
func (c *CommonPasswords) Len() int { return len(c.set) }

// Contains reports whether pw is on the list, also once the digits and
// symbols people tack on at the end ("password2024!") are taken off.
func (c *CommonPasswords) Contains(pw string) bool {
	pw = strings.ToLower(pw)
	if _, ok := c.set[pw]; ok {
		return true
	}
	stem := strings.TrimRight(pw, "0123456789!@#$%^&*()-_=+.?~ ")
	if len(stem) >= 4 && stem != pw {
		_, ok := c.set[stem]
		return ok
	}
	return false
}
