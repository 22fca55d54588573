// Package secretfile reads the files that hold secrets (an API token, a
// bucket's secret key): only when no one but the owner can read them.
package secretfile

import (
	"fmt"
	"io"
	"os"
	"runtime"
)

// Read returns the contents of the file at path, refusing a file that
// others may read (any mode bit beyond 0600) and one over max bytes.
func Read(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s: mode %04o lets others read the secret in it; chmod 600 it", path, fi.Mode().Perm())
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s: over %d bytes", path, max)
	}
	return b, nil
}
