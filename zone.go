package kolokol

import (
	"strings"
	"time"
)

// CheckZone checks a time zone a person chose: "" (none chosen) or an IANA
// name such as "Asia/Tehran". "Local" is refused: it is the server's zone,
// which differs from one server to the next.
func CheckZone(field, zone string) error {
	if zone == "" {
		return nil
	}
	if zone == "Local" || len(zone) > 64 || strings.ContainsAny(zone, " \t\r\n") {
		return FieldErrorf(EINVALID, field, "%q is not a time zone: give an IANA name such as Europe/Kyiv or Asia/Tehran", zone)
	}
	if _, err := time.LoadLocation(zone); err != nil {
		return FieldErrorf(EINVALID, field, "%q is not a time zone: give an IANA name such as Europe/Kyiv or Asia/Tehran", zone)
	}
	return nil
}
