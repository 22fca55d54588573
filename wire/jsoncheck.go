package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// checkJSON refuses what encoding/json would read without a word but
// read wrongly or dangerously: bytes that are not UTF-8 and lone UTF-16
// surrogates in \u escapes (both quietly become U+FFFD), trailing data
// after the item, nesting deeper than maxDepth, and a key given twice in
// one object (the decoder keeps the last, so two parties reading the same
// file could see two different stories). Keys are compared without case,
// as encoding/json matches them to fields ("versionCreated" of ninjs 3.x
// and "versioncreated" of 2.x fill the same one).
//
// One repetition is let through: the keys of a ninjs 1.x "renditions"
// object, since Business Wire's feed repeats "broadband" for each video
// format and each is a rendition of its own, which decodeRenditions keeps.
func checkJSON(data []byte) error {
	if !utf8.Valid(data) {
		return errors.New("the file is not UTF-8")
	}
	if !json.Valid(data) {
		dec := json.NewDecoder(bytes.NewReader(data))
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) {
				return fmt.Errorf("not well-formed JSON at byte %d: %v", se.Offset, se)
			}
			return fmt.Errorf("not well-formed JSON: %v", err)
		}
		off := int(dec.InputOffset())
		for off < len(data) && isSpace(data[off]) {
			off++
		}
		return fmt.Errorf("trailing data after the item, at byte %d", off+1)
	}
	type frame struct {
		object bool
		dups   bool // repeated keys allowed (ninjs 1.x renditions)
		keys   map[string]struct{}
	}
	var (
		stack   []frame
		lastKey string // the key whose value comes next, if in an object
	)
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '{', '[':
			if len(stack) >= maxDepth {
				return fmt.Errorf("nested more than %d deep at byte %d", maxDepth, i+1)
			}
			stack = append(stack, frame{object: c == '{', dups: c == '{' && lastKey == "renditions"})
			lastKey = ""
		case '}', ']':
			stack = stack[:len(stack)-1]
			lastKey = ""
		case '"':
			end, err := stringEnd(data, i)
			if err != nil {
				return err
			}
			raw := data[i : end+1]
			i = end
			// A string is a key when it is in an object and a colon follows.
			j := i + 1
			for j < len(data) && isSpace(data[j]) {
				j++
			}
			if len(stack) == 0 || !stack[len(stack)-1].object || j >= len(data) || data[j] != ':' {
				lastKey = ""
				continue
			}
			var key string
			if err := json.Unmarshal(raw, &key); err != nil {
				return fmt.Errorf("reading a key at byte %d: %v", i+1, err)
			}
			top := &stack[len(stack)-1]
			fold := strings.ToLower(key)
			if _, seen := top.keys[fold]; seen && !top.dups {
				return fmt.Errorf("the key %q is given twice in one object (at byte %d)", key, i+1)
			}
			if top.keys == nil {
				top.keys = make(map[string]struct{})
			}
			top.keys[fold] = struct{}{}
			lastKey = fold
		}
	}
	return nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// stringEnd finds the closing quote of the string opening at data[at],
// checking its \u escapes pair up; data is already known to be valid JSON.
func stringEnd(data []byte, at int) (int, error) {
	for i := at + 1; i < len(data); i++ {
		switch data[i] {
		case '"':
			return i, nil
		case '\\':
			if data[i+1] != 'u' {
				i++
				continue
			}
			r := hexRune(data[i+2 : i+6])
			switch {
			case r >= 0xD800 && r <= 0xDBFF:
				if i+11 < len(data) && data[i+6] == '\\' && data[i+7] == 'u' {
					if lo := hexRune(data[i+8 : i+12]); lo >= 0xDC00 && lo <= 0xDFFF {
						i += 11
						continue
					}
				}
				return 0, fmt.Errorf("\\u%04X at byte %d is half a UTF-16 surrogate pair", r, i+1)
			case r >= 0xDC00 && r <= 0xDFFF:
				return 0, fmt.Errorf("\\u%04X at byte %d is half a UTF-16 surrogate pair", r, i+1)
			}
			i += 5
		}
	}
	return 0, errors.New("unterminated string") // not reached: the JSON is valid
}

// hexRune reads four hex digits, which valid JSON guarantees after \u.
func hexRune(b []byte) rune {
	var r rune
	for _, c := range b {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		}
	}
	return r
}
