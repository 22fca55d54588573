// Package auth holds the credential primitives of newsroom accounts:
// argon2id password hashes and the password policy (with the list of common
// passwords shipped in the binary), TOTP second factors (RFC 6238) that
// refuse replayed codes, the enrolment QR code drawn as inline SVG, one-time
// recovery codes, and a Limiter that slows down guessing.
//
// It stores nothing and logs nothing: callers keep the hashes, secrets and
// last-used steps it returns. Its only package-level state is immutable data
// (the common-password list, decompressed once on first use).
package auth
