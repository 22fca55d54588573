package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kolokol/kolokol/render"
	"github.com/kolokol/kolokol/sign"
)

const keyUsage = `usage:
  kolokol key show --data DIR
  kolokol key rotate --data DIR`

// key runs a signing key subcommand. The key lives in DIR/signing/ (see
// package sign); nothing here ever prints the secret key.
func key(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		return fmt.Errorf("%s", keyUsage)
	}
	fs := flag.NewFlagSet("key "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "./data", "data directory")
	if err := envFlags(fs, getenv); err != nil {
		return err
	}
	if args[0] != "show" && args[0] != "rotate" {
		return fmt.Errorf("unknown key command %q\n%s", args[0], keyUsage)
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q\n%s", fs.Arg(0), keyUsage)
	}
	if args[0] == "rotate" {
		return keyRotate(*data, stdout)
	}
	return keyShow(*data, stdout, stderr)
}

// keyShow prints what readers need to trust the key: its id, the
// fingerprint to publish, the retired keys and the file itself. It makes
// the key on first use, as an export would, so that the fingerprint can
// be published before the first mirror exists.
func keyShow(data string, stdout, stderr io.Writer) error {
	_, err := os.Stat(filepath.Join(data, sign.SigningDir, sign.SecretFile))
	made := errors.Is(err, fs.ErrNotExist)
	s, err := sign.LoadSigner(data, time.Now())
	if err != nil {
		return fmt.Errorf("signing key: %w", err)
	}
	if made {
		fmt.Fprintf(stderr, "Made a new signing key in %s.\n", filepath.Join(data, sign.SigningDir))
	}
	printKeyring(stdout, s.Keyring(), data)
	return nil
}

func keyRotate(data string, stdout io.Writer) error {
	s, err := sign.RotateSigner(data, time.Now())
	if err != nil {
		return fmt.Errorf("rotate the signing key: %w", err)
	}
	ring := s.Keyring()
	if len(ring.Retired) > 0 {
		fmt.Fprintf(stdout, "Retired key %s. Mirrors verify again once re-exported: editions it signed now fail `kolokol verify` with the new kolokol.pub.\n", ring.Retired[0].ID)
	}
	fmt.Fprintln(stdout, "Publish the new fingerprint wherever readers find the old one.")
	fmt.Fprintln(stdout)
	printKeyring(stdout, ring, data)
	return nil
}

func printKeyring(w io.Writer, ring sign.Keyring, data string) {
	fmt.Fprintf(w, "key id:      %s\n", ring.Current.ID)
	fmt.Fprintf(w, "fingerprint: %s\n", ring.Fingerprint())
	fmt.Fprintf(w, "             (the SHA-256 of kolokol.pub: readers check it with `sha256sum kolokol.pub`)\n")
	for i, k := range ring.Retired {
		label := "retired:    "
		if i > 0 {
			label = "            "
		}
		fmt.Fprintf(w, "%s %s, retired %s\n", label, k.ID, k.Retired.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(w, "\nkolokol.pub (%s, and in every export):\n%s", filepath.Join(data, sign.SigningDir, sign.PublicKeyFile), ring.Marshal())
}

// defaultNetwork is the network's name when none is given.
const defaultNetwork = "Kolokol"

// readerOptions are the options of reader pages, the live site's and an
// export's alike: the mirrors pages show the signing key's id and
// fingerprint.
func readerOptions(s *sign.Signer, baseURL, onion, network string) render.Options {
	ring := s.Keyring()
	if strings.TrimSpace(network) == "" {
		network = defaultNetwork
	}
	return render.Options{BaseURL: baseURL, SiteName: network, Onion: onion,
		KeyID: ring.Current.ID.String(), KeyFingerprint: ring.Fingerprint()}
}
