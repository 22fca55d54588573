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
// binary: the 49,233 of zxcvbn (see data/SOURCE.md), all lengths kept,
// since the short ones are what long passwords are built from.
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

// Contains reports whether pw is on the list, ignoring case, also once the
// digits and symbols people tack on at the end are taken off
// ("Password2024!") and when it is one listed password repeated
// ("qwertyqwerty", "monkey123monkey123").
func (c *CommonPasswords) Contains(pw string) bool {
	pw = strings.ToLower(pw)
	if c.hasStem(pw) {
		return true
	}
	if u := repeatedUnit(pw); u != "" && c.hasStem(u) {
		return true
	}
	return false
}

// hasStem looks s up as it is, then without its trailing digits and symbols.
func (c *CommonPasswords) hasStem(s string) bool {
	if _, ok := c.set[s]; ok {
		return true
	}
	stem := strings.TrimRight(s, "0123456789!@#$%^&*()-_=+.?~ ")
	if len(stem) >= 4 && stem != s {
		_, ok := c.set[stem]
		return ok
	}
	return false
}

// repeatedUnit returns the shortest u such that s is u repeated two or more
// times, or "" if there is none.
func repeatedUnit(s string) string {
	for n := 1; n <= len(s)/2; n++ {
		if len(s)%n == 0 && s[n:] == s[:len(s)-n] { // period n, n divides len(s)
			return s[:n]
		}
	}
	return ""
}
