package sign

import (
	"fmt"
	"time"
)

// A whole file (an offline bundle: a ZIM or an EPUB handed from one
// reader to the next) is signed on its own, detached, in minisign's
// format: `minisign -Vm FILE -p kolokol.pub` checks it without Kolokol and
// prints the trusted comment, which names the site, the time and the
// bundle (its name as the newsroom published it: a reader may have saved
// it under another, which changes nothing of what was signed).

// maxFileName bounds a signed file's name.
const maxFileName = 200

// checkFileName allows plain file names of printable ASCII without
// spaces or slashes: the name is one field of the trusted comment.
func checkFileName(name string) error {
	if name == "" || len(name) > maxFileName || name == "." || name == ".." {
		return fmt.Errorf("file name %q is empty, too long or a directory", clip(name))
	}
	for _, r := range name {
		if r <= ' ' || r >= 0x7f || r == '/' || r == '\\' {
			return fmt.Errorf("file name %q is not a plain ASCII name without spaces or slashes", clip(name))
		}
	}
	return nil
}

// SignFile signs data, the contents of the file called name, saying st
// of it (st.File is set to name): the .minisig file to put beside it.
func (s *Signer) SignFile(name string, data []byte, st Statement) ([]byte, error) {
	if err := checkFileName(name); err != nil {
		return nil, fmt.Errorf("sign %s: %w", clip(name), err)
	}
	origin, err := CanonicalOrigin(st.Origin)
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", name, err)
	}
	if st.Edition < 1 {
		return nil, fmt.Errorf("sign %s: edition %d is not a whole number from 1", name, st.Edition)
	}
	st.Origin, st.Time, st.File = origin, st.Time.UTC().Truncate(time.Second), name
	sig, err := signMessage(s.key, s.id, data, "signature from kolokol secret key "+s.id.String(), st.String())
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", name, err)
	}
	return sig.Marshal(), nil
}

// VerifyFile checks data, the contents of the file called name, against
// its detached signature sig by one of keys, and returns what the
// signature says of it.
func VerifyFile(name string, data, sig []byte, keys Keyring) (Statement, error) {
	st, _, _, err := checkSignature(data, sig, name, keys)
	if err != nil {
		return Statement{}, err
	}
	return st, nil
}
