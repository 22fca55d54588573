package kolokol

import (
	"strings"
	"time"
)

var lineEnds = strings.NewReplacer("\r\n", "\n", "\r", "\n")

// CheckSecurityTxt checks a /.well-known/security.txt (RFC 9116) before it
// is published: at least one Contact, exactly one Expires in the future
// (at most a year away, as the RFC recommends), and nothing but fields and
// comments. It returns the text with line endings made CRLF-free and a
// final newline.
func CheckSecurityTxt(text string, now time.Time) (string, error) {
	// Every CR ends a line, alone or before an LF: one left inside a line
	// would be published as a line break by some readers and not others,
	// and the text would not be the same when checked again.
	text = lineEnds.Replace(strings.TrimSpace(text))
	if text == "" {
		return "", nil // removes it
	}
	if len(text) > 16<<10 {
		return "", FieldErrorf(EINVALID, "security_txt", "security.txt is at most 16 KiB")
	}
	if err := checkText("security_txt", text, 16<<10); err != nil {
		return "", err
	}
	contacts, expires := 0, 0
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(value) == "" || strings.ContainsAny(name, " \t") {
			return "", FieldErrorf(EINVALID, "security_txt", "line %d is neither a field (Name: value) nor a comment (#)", i+1)
		}
		value = strings.TrimSpace(value)
		switch strings.ToLower(name) {
		case "contact":
			if !strings.HasPrefix(value, "https://") && !strings.HasPrefix(value, "mailto:") && !strings.HasPrefix(value, "tel:") {
				return "", FieldErrorf(EINVALID, "security_txt", "line %d: a Contact is an https://, mailto: or tel: URI", i+1)
			}
			contacts++
		case "expires":
			t, err := time.Parse(time.RFC3339, value)
			if err != nil || !rfc3339Shape(value) {
				return "", FieldErrorf(EINVALID, "security_txt", "line %d: Expires is an RFC 3339 time, e.g. %s", i+1, now.AddDate(1, 0, 0).UTC().Format(time.RFC3339))
			}
			if !t.After(now) || t.After(now.AddDate(1, 0, 1)) {
				return "", FieldErrorf(EINVALID, "security_txt", "line %d: Expires must be in the future and at most a year away", i+1)
			}
			expires++
		}
	}
	if contacts == 0 {
		return "", FieldErrorf(EINVALID, "security_txt", "security.txt needs at least one Contact line")
	}
	if expires != 1 {
		return "", FieldErrorf(EINVALID, "security_txt", "security.txt needs exactly one Expires line")
	}
	return text + "\n", nil
}

// rfc3339Shape reports whether s is spelled as RFC 3339's date-time:
// YYYY-MM-DDTHH:MM:SS, optional fraction, then Z or ±HH:MM. time.Parse
// also takes a one-digit hour ("T0:00:00Z"), which the RFC and the
// programs that read security.txt do not; the values themselves are left
// to time.Parse.
func rfc3339Shape(s string) bool {
	const shape = "dddd-dd-ddTdd:dd:dd"
	if len(s) < len(shape)+1 {
		return false
	}
	for i := 0; i < len(shape); i++ {
		if shape[i] == 'd' && !isDigit(s[i]) || shape[i] != 'd' && s[i] != shape[i] {
			return false
		}
	}
	rest := s[len(shape):]
	if rest[0] == '.' {
		n := 1
		for n < len(rest) && isDigit(rest[n]) {
			n++
		}
		if n == 1 {
			return false
		}
		rest = rest[n:]
	}
	if rest == "Z" {
		return true
	}
	return len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && isDigit(rest[1]) && isDigit(rest[2]) &&
		rest[3] == ':' && isDigit(rest[4]) && isDigit(rest[5])
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
