//go:build !unix

package export

// lock is a no-op where flock does not exist: run one export of a
// directory at a time.
func lock(string) (func(), error) { return func() {}, nil }
