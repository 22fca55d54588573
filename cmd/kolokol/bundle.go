package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/bundle"
	"github.com/kolokol/kolokol/render"
	"github.com/kolokol/kolokol/sign"
)

const bundleUsage = "usage: kolokol bundle zim|epub --data DIR --service CODE --base-url URL [--days N] [--out FILE]"

// bundleCmd writes one offline edition of a service (package bundle) and
// its signature beside it.
func bundleCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 || (args[0] != "zim" && args[0] != "epub") {
		return fmt.Errorf("give the format, zim or epub\n%s", bundleUsage)
	}
	kind := kolokol.BundleKind(args[0])
	fs := flag.NewFlagSet("bundle "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "./data", "data directory (database, media and the signing key)")
	dbFlag := fs.String("db", "", dbUsage)
	service := fs.String("service", "", "the service's code, e.g. fa")
	days := fs.Int("days", 7, "the stories published in the last N days (up to now)")
	out := fs.String("out", "", "the file to write (FILE.zim or FILE.epub; default CODE-YYYY-MM-DD.zim|epub here); its signature goes beside it as FILE.zim.minisig")
	baseURL := fs.String("base-url", "", "the site's public origin, e.g. https://news.example.org: the edition is signed for it and links to it")
	network := fs.String("network", defaultNetwork, "the network's name, as serve's --network: the bundle's publisher")
	mediaS3 := mediaS3Flag(fs)
	if err := parseFlags(fs, args[1:], getenv, bundleUsage); err != nil {
		return err
	}
	switch {
	case *service == "":
		return fmt.Errorf("--service: give the service's code\n%s", bundleUsage)
	case !kolokol.ValidServiceCode(*service):
		return fmt.Errorf("--service %q: not a service code (fa, en, sr-latn)\n%s", *service, bundleUsage)
	}
	if *out == "" {
		// The name the mirrors page gives the day's edition.
		*out = *service + "-" + time.Now().UTC().Format(time.DateOnly) + "." + string(kind)
	}
	switch {
	case !strings.HasSuffix(*out, "."+string(kind)):
		return fmt.Errorf("--out %s: a %s bundle's file name ends .%s", *out, kind, kind)
	case *days < 1 || *days > 366:
		return fmt.Errorf("--days %d: give from 1 to 366 days", *days)
	}
	if fi, err := os.Stat(filepath.Dir(*out)); err != nil || !fi.IsDir() {
		return fmt.Errorf("--out %s: the folder %s does not exist", *out, filepath.Dir(*out))
	}
	origin, err := siteOrigin(*baseURL)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	store, err := openStore(ctx, *data, *dbFlag, false)
	if err != nil {
		return err
	}
	defer store.Close()
	blobs, err := openBlobs(ctx, *data, *mediaS3)
	if err != nil {
		return err
	}
	now := time.Now()
	signer, err := sign.LoadSigner(*data, now)
	if err != nil {
		return fmt.Errorf("signing key: %w", err)
	}
	b, err := render.New(store, readerOptions(signer, origin, "", *network))
	if err != nil {
		return err
	}
	m := &bundle.Maker{Render: b, Blobs: blobs, Signer: signer, Network: *network}
	to := now.UTC().Truncate(time.Second)
	r, err := m.Write(ctx, kind, *service, to.AddDate(0, 0, -*days), to, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d stories, %d bytes, sha256 %s; signature %s%s\n", r.Path, r.Stories, r.Size, r.SHA256, r.Path, sign.SigSuffix)
	return nil
}
