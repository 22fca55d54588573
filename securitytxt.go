package kolokol

import (
	"strings"
	"time"
)

// CheckSecurityTxt checks a /.well-known/security.txt (RFC 9116) before it
// is published: at least one Contact, exactly one Expires in the future
// (at most a year away, as the RFC recommends), and nothing but fields and
// comments. It returns the text with line endings made CRLF-free and a
// final newline.
func CheckSecurityTxt(text string, now time.Time) (string, error) {
	text = strings.ReplaceAll(strings.TrimSpace(text), "\r\n", "\n")
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
			if err != nil {
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
