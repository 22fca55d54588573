package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/kolokol/kolokol/bundle"
	"github.com/kolokol/kolokol/sign"
)

const verifyUsage = "usage: kolokol verify OUTDIR|URL|FILE.zim|FILE.epub --pubkey KEYFILE [--min-edition N] [--origin ORIGIN] [--timeout 10m]"

// verify checks an export or a mirror against the newsroom's signature.
// It exits 0 when every file is the signed edition's (or a signed next
// edition's, mid-push), 1 when the mirror is refused, 2 when it could not
// tell (a usage mistake, an unreadable key, a network failure).
func verify(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pubkey := fs.String("pubkey", "", "the newsroom's kolokol.pub, checked by its fingerprint (not the mirror's copy)")
	minEdition := fs.Int64("min-edition", 0, "refuse an edition older than this one: the newest you have seen")
	origin := fs.String("origin", "", "refuse an edition signed for another site than this origin (https://news.example.org)")
	timeout := fs.Duration("timeout", 10*time.Minute, "give up after this long")
	if err := envFlags(fs, getenv); err != nil {
		return err
	}
	targets, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if *timeout <= 0 {
		return fmt.Errorf("--timeout %s: give how long to try, such as 10m", *timeout)
	}
	if len(targets) != 1 {
		return fmt.Errorf("give one export directory or mirror URL\n%s", verifyUsage)
	}
	target := targets[0]
	if *pubkey == "" {
		return fmt.Errorf("--pubkey: give the newsroom's public key file (kolokol.pub)\n%s", verifyUsage)
	}
	ring, err := readPubkey(*pubkey)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(target); err == nil && fi.Mode().IsRegular() {
		return verifyBundle(ctx, stdout, target, ring, sign.Options{Keys: ring, MinEdition: *minEdition, Origin: *origin})
	}
	var src sign.Source
	if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") {
		if src, err = sign.NewHTTPSource(target, nil); err != nil {
			return err
		}
	} else {
		if fi, err := os.Stat(target); err != nil || !fi.IsDir() {
			return fmt.Errorf("%s is not a directory (give an export directory, or a mirror's http(s):// address)", target)
		}
		src = sign.Dir(target)
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	r, err := sign.Verify(ctx, src, sign.Options{Keys: ring, MinEdition: *minEdition, Origin: *origin})
	if r != nil {
		printReport(stdout, r)
	}
	if err != nil {
		return err
	}
	return nil
}

func readPubkey(name string) (sign.Keyring, error) {
	f, err := os.Open(name)
	if err != nil {
		return sign.Keyring{}, fmt.Errorf("--pubkey: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 4<<20))
	if err != nil {
		return sign.Keyring{}, fmt.Errorf("--pubkey %s: %w", name, err)
	}
	ring, err := sign.ParseKeyring(data)
	if err != nil {
		return sign.Keyring{}, fmt.Errorf("--pubkey %s: %w", name, err)
	}
	return ring, nil
}

func printReport(w io.Writer, r *sign.Report) {
	fmt.Fprintf(w, "edition %d of %s, %s, signed by key %s\n", r.Edition.Edition, r.Edition.Origin, r.Edition.Time.Format(time.RFC3339), r.KeyID)
	if r.Next != nil {
		fmt.Fprintf(w, "next edition %d, %s, is being pushed\n", r.Next.Edition, r.Next.Time.Format(time.RFC3339))
	}
	for _, f := range r.Findings {
		fmt.Fprintf(w, "%-10s %s: %s\n", f.Kind, f.Path, f.Detail)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	if !r.Listed {
		fmt.Fprintln(w, "note: files the manifest does not list cannot be seen over HTTP; verify a downloaded copy to look for them")
	}
	bad := r.Count(sign.Missing) + r.Count(sign.Altered) + r.Count(sign.Unlisted) + r.Count(sign.Unreadable)
	switch {
	case bad > 0:
		fmt.Fprintf(w, "FAILED: %d files checked; %d missing, %d altered, %d unlisted, %d unreadable\n", r.Files,
			r.Count(sign.Missing), r.Count(sign.Altered), r.Count(sign.Unlisted), r.Count(sign.Unreadable))
	case r.InProgress():
		fmt.Fprintf(w, "OK, mid-update: %d files checked; the mirror is being updated (%d files of the next edition already or still to come), which is not tampering\n", r.Files, r.Count(sign.Updating))
	default:
		fmt.Fprintf(w, "OK: %d files checked, every one as signed\n", r.Files)
	}
}

// parseInterspersed parses flags before and after the positional
// arguments ("verify DIR --pubkey K"), which flag.Parse alone stops at.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// exitCode is what the process exits with after err: 1 when a mirror was
// refused (it is not the signed edition asked for), as minisign does for a
// bad signature; 2 for anything else.
func exitCode(err error) int {
	var refusal *sign.Refusal
	if errors.As(err, &refusal) {
		return 1
	}
	return 2
}

// verifyBundle checks an offline edition: a ZIM file against the signed
// manifest inside it, and any bundle against its detached signature
// beside it (FILE.minisig), which a ZIM file may lack when it was passed
// on alone.
func verifyBundle(ctx context.Context, stdout io.Writer, path string, ring sign.Keyring, opt sign.Options) error {
	sigPath := path + sign.SigSuffix
	_, sigErr := os.Stat(sigPath)
	switch {
	case strings.HasSuffix(path, ".zim"):
		r, err := bundle.VerifyZIM(ctx, path, opt)
		if r != nil {
			printReport(stdout, r)
		}
		if err != nil {
			return err
		}
	case strings.HasSuffix(path, ".epub"):
		if sigErr != nil {
			return fmt.Errorf("%s: an EPUB is checked by its signature, %s, which is not beside it", path, sigPath)
		}
	default:
		return fmt.Errorf("%s is not a directory, a ZIM file (.zim) nor an EPUB (.epub)\n%s", path, verifyUsage)
	}
	if sigErr != nil {
		fmt.Fprintf(stdout, "no %s beside it: the file's every byte is not checked, only its content\n", sigPath)
		return nil
	}
	st, err := bundle.VerifyFile(path, ring)
	if err != nil {
		return err
	}
	if opt.Origin != "" && st.Origin != opt.Origin {
		return fmt.Errorf("%s is signed for %s, not %s", path, st.Origin, opt.Origin)
	}
	fmt.Fprintf(stdout, "%s: signature verified: %s, edition %d, made %s (%s)\n", path, st.Origin, st.Edition,
		st.Time.UTC().Format(time.RFC3339), st.File)
	return nil
}
