package bundle

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/kolokol/kolokol/sign"
	"github.com/kolokol/kolokol/zim"
)

// zimSource is a ZIM file's content entries as a tree verify reads.
type zimSource struct{ r *zim.Reader }

func (z zimSource) Open(_ context.Context, path string) (io.ReadCloser, error) {
	data, _, err := z.r.Content(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w", path, fs.ErrNotExist)
		}
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

func (z zimSource) List(context.Context) ([]string, error) { return z.r.Paths(), nil }

// VerifyZIM checks a ZIM file made by Maker: every entry of its content
// is one its signed manifest lists, with the hash signed, and none is
// missing or added. The metadata Kiwix shows (title, description, the
// picture) is outside the manifest; the file's detached signature, when
// there is one, covers every byte (VerifyFile).
func VerifyZIM(ctx context.Context, path string, opt sign.Options) (*sign.Report, error) {
	r, err := zim.OpenFile(path)
	if err != nil {
		return nil, fmt.Errorf("verify %s: %w", path, err)
	}
	defer r.Close()
	if err := r.Checksum(); err != nil {
		// Damage or tampering: refused, as a file that does not match its
		// signature is.
		return nil, &sign.Refusal{Msg: fmt.Sprintf("%s is damaged or altered: %v", path, err), Reason: sign.ErrMalformed}
	}
	return sign.Verify(ctx, zimSource{r}, opt)
}

// VerifyFile checks a bundle against the detached signature beside it
// (path + ".minisig").
func VerifyFile(path string, keys sign.Keyring) (sign.Statement, error) {
	sig, err := os.ReadFile(path + sign.SigSuffix)
	if err != nil {
		return sign.Statement{}, fmt.Errorf("verify %s: its signature: %w", path, err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return sign.Statement{}, fmt.Errorf("verify %s: %w", path, err)
	}
	return sign.VerifyFile(path, data, sig, keys)
}
