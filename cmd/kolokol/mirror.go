package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"text/tabwriter"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/export"
	"github.com/kolokol/kolokol/mirror"
	"github.com/kolokol/kolokol/render"
	"github.com/kolokol/kolokol/sign"
)

const mirrorUsage = `usage:
  kolokol mirror push --data DIR [--from TREE] [--mirror ID|NAME ...]
  kolokol mirror list --data DIR`

// mirrorCmd runs a mirror subcommand. Mirrors are configured in the
// newsroom or the Admin API; the command line pushes and lists.
func mirrorCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		return fmt.Errorf("%s", mirrorUsage)
	}
	switch args[0] {
	case "push":
		return mirrorPush(ctx, args[1:], stdout, stderr, getenv)
	case "list":
		return mirrorList(ctx, args[1:], stdout, stderr, getenv)
	}
	return fmt.Errorf("unknown mirror command %q\n%s", args[0], mirrorUsage)
}

// errPushFailed makes the exit status non-zero once every report is out.
var errPushFailed = errors.New("a push failed")

func mirrorPush(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("mirror push", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "./data", "data directory")
	dbFlag := fs.String("db", "", dbUsage)
	from := fs.String("from", "", "the signed export to push (a folder with manifest.json, SHA256SUMS and their .minisig); default: DATA/export, the one serve keeps")
	var only stringList
	fs.Var(&only, "mirror", "push to this mirror only, by id or name (repeat, or comma-separate); default: every live mirror")
	if err := parseFlags(fs, args, getenv, mirrorUsage); err != nil {
		return err
	}
	if *from == "" {
		*from = exportDir(*data)
	}
	// Ctrl-C stops the pushes between files; each mirror is then left as
	// the protocol allows, and the next push completes it.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	tree, err := mirror.OpenTree(*from)
	if err != nil {
		return err
	}
	defer tree.Close()
	store, err := openStore(ctx, *data, *dbFlag, false)
	if err != nil {
		return err
	}
	defer store.Close()
	all, err := store.FindMirrors(ctx)
	if err != nil {
		return fmt.Errorf("list mirrors: %w", err)
	}
	targets, err := pickMirrors(all, only)
	if err != nil {
		return err
	}
	if len(targets) == 0 {
		fmt.Fprintln(stderr, "No live mirror to push to: add one in the newsroom (Mirrors) or with POST /api/v1/mirrors.")
		return nil
	}
	keys := mirrorKeys(*data)
	p := &mirror.Pusher{Store: store, Secrets: keys, Dir: keys.Dir,
		Log: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	failed := 0
	for _, r := range p.Push(ctx, tree, targets) {
		if r.Err != nil {
			failed++
			fmt.Fprintf(stdout, "%d %s: FAILED: %v\n", r.Mirror.ID, r.Mirror.Name, r.Err)
			continue
		}
		res := r.Result
		line := fmt.Sprintf("%d %s: edition %d (was %d), %d written, %d deleted, %d unchanged", r.Mirror.ID, r.Mirror.Name,
			res.Edition, res.Previous, res.Uploaded, res.Deleted, res.Unchanged)
		if res.Completed != 0 {
			line += fmt.Sprintf(", after completing the interrupted push of edition %d", res.Completed)
		}
		if res.Verified {
			line += ", verified"
		}
		fmt.Fprintln(stdout, line)
	}
	if failed > 0 {
		return fmt.Errorf("%w: %d of %d mirrors", errPushFailed, failed, len(targets))
	}
	return nil
}

// pickMirrors returns the live mirrors named by id or name, or all live
// ones when none is named. A retired or unknown name is an error: a
// script naming one expects it pushed.
func pickMirrors(all []*kolokol.Mirror, only []string) ([]*kolokol.Mirror, error) {
	if len(only) == 0 {
		var live []*kolokol.Mirror
		for _, m := range all {
			if m.Live() {
				live = append(live, m)
			}
		}
		return live, nil
	}
	var out []*kolokol.Mirror
	for _, want := range only {
		id, _ := strconv.ParseInt(want, 10, 64)
		i := slices.IndexFunc(all, func(m *kolokol.Mirror) bool { return (m.ID == id || m.Name == want) && m.Live() })
		if i < 0 {
			return nil, fmt.Errorf("there is no live mirror %q (kolokol mirror list shows them)", want)
		}
		if !slices.Contains(out, all[i]) {
			out = append(out, all[i])
		}
	}
	return out, nil
}

func mirrorList(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("mirror list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "./data", "data directory")
	dbFlag := fs.String("db", "", dbUsage)
	if err := parseFlags(fs, args, getenv, mirrorUsage); err != nil {
		return err
	}
	store, err := openStore(ctx, *data, *dbFlag, false)
	if err != nil {
		return err
	}
	defer store.Close()
	list, err := store.FindMirrors(ctx)
	if err != nil {
		return fmt.Errorf("list mirrors: %w", err)
	}
	return writeMirrors(stdout, list)
}

// writeMirrors prints mirrors with their health: never a key.
func writeMirrors(w io.Writer, list []*kolokol.Mirror) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tKIND\tWHERE\tPUBLIC URL\tEDITION\tPUSHED\tVERIFIED\tLAST ERROR\tRETIRED")
	for _, m := range list {
		lastErr := "-"
		if m.Health.Error != "" {
			lastErr = minute(m.Health.ErrorAt, "") + " " + cell(m.Health.Error)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", m.ID, cell(m.Name), m.Kind, cell(mirrorWhere(m)), cell(m.PublicURL),
			m.Health.Edition, minute(m.Health.PushedAt, "never"), minute(m.Health.VerifiedAt, "never"), lastErr, minute(m.RetiredAt, "-"))
	}
	return tw.Flush()
}

// mirrorWhere is where a mirror's files go, in a line.
func mirrorWhere(m *kolokol.Mirror) string {
	switch m.Kind {
	case kolokol.MirrorS3:
		scheme := "http"
		if m.TLS {
			scheme = "https"
		}
		w := scheme + "://" + m.Endpoint + "/" + m.Bucket
		if m.Prefix != "" {
			w += "/" + m.Prefix
		}
		return w
	case kolokol.MirrorSFTP:
		return fmt.Sprintf("sftp://%s@%s:%d%s", m.User, m.Host, m.Port, m.RemotePath)
	}
	return m.Dir
}

// exportDir is the tree serve keeps for its mirrors: DATA/export.
func exportDir(data string) string { return filepath.Join(data, "export") }

// newPublisher is serve's mirror publisher: it exports to DATA/export, the
// whole site, signed for the site's origin, and pushes to every live
// mirror.
func newPublisher(store kolokol.Store, blobs kolokol.BlobStore, signer *sign.Signer, data string, ro render.Options, log *slog.Logger) (*mirror.Publisher, error) {
	origin, err := sign.CanonicalOrigin(ro.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("the base URL is not an origin of its own, which editions are signed for: %w", err)
	}
	ro.BaseURL = origin
	out := exportDir(data)
	stateDir, err := export.StateDir(data, out)
	if err != nil {
		return nil, err
	}
	e, err := export.New(store, blobs, export.Options{Out: out, StateDir: stateDir, Render: ro, Signer: signer, Log: log})
	if err != nil {
		return nil, err
	}
	keys := mirrorKeys(data)
	return &mirror.Publisher{Export: e, Tree: out, Mirrors: store, Log: log,
		Pusher: &mirror.Pusher{Store: store, Secrets: keys, Dir: keys.Dir, Log: log}}, nil
}
