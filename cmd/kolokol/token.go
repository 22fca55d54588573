package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
)

const tokenUsage = `usage:
  kolokol token create --data DIR --name NAME --role reporter|editor|admin [--service CODE ...] [--expires 90d]
  kolokol token list --data DIR
  kolokol token revoke --data DIR ID`

// token runs a token subcommand. The command line is the machine's owner:
// it acts as a global admin, under the command's name in the audit log.
func token(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		return fmt.Errorf("%s", tokenUsage)
	}
	switch args[0] {
	case "create":
		return tokenCreate(ctx, args[1:], stdout, stderr, getenv)
	case "list":
		return tokenList(ctx, args[1:], stdout, stderr, getenv)
	case "revoke":
		return tokenRevoke(ctx, args[1:], stdout, stderr, getenv)
	}
	return fmt.Errorf("unknown token command %q\n%s", args[0], tokenUsage)
}

func cliActor(command string) kolokol.Actor {
	return kolokol.Actor{Name: "kolokol token " + command, Role: kolokol.RoleAdmin}
}

func tokenCreate(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "./data", "data directory")
	dbFlag := fs.String("db", "", dbUsage)
	name := fs.String("name", "", "what the token is for, e.g. \"wire importer\"")
	role := fs.String("role", "", "reporter, editor or admin")
	expires := fs.String("expires", "", "how long it works, e.g. 90d or 720h (default: until revoked)")
	var services stringList
	fs.Var(&services, "service", "service code the token may touch (repeat, or comma-separate)")
	if err := envFlags(fs, getenv); err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	var lifetime time.Duration
	if *expires != "" {
		var err error
		if lifetime, err = parseLifetime(*expires); err != nil {
			return fmt.Errorf("--expires %s: %w", *expires, err)
		}
	}
	store, err := openStore(ctx, *data, *dbFlag, false)
	if err != nil {
		return err
	}
	defer store.Close()
	t, secret, err := desk.New(store, nil, nil, time.Now).CreateToken(ctx, cliActor("create"),
		desk.TokenInput{Name: *name, Role: kolokol.Role(*role), Services: services, Lifetime: lifetime})
	if err != nil {
		return fmt.Errorf("create token: %s", kolokol.ErrorMessage(err))
	}
	until := "until revoked"
	if !t.ExpiresAt.IsZero() {
		until = "until " + t.ExpiresAt.Format("2006-01-02 15:04 UTC")
	}
	fmt.Fprintf(stderr, "Created %s token %q (id %d), working %s. It is shown only once; only its hash is stored.\n", t.Role, t.Name, t.ID, until)
	fmt.Fprintln(stdout, secret)
	return nil
}

// parseLifetime reads a token's lifetime: a Go duration (720h) or a whole
// number of days (90d), positive and at most desk.MaxTokenLifetime.
func parseLifetime(s string) (time.Duration, error) {
	const day = 24 * time.Hour
	maxDays := int64(desk.MaxTokenLifetime / day)
	var d time.Duration
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.ParseInt(n, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("give a whole number of days, such as 90d, or a duration such as 720h")
		}
		if days > maxDays { // before multiplying, which could overflow
			return 0, fmt.Errorf("a token may work for at most five years (%dd)", maxDays)
		}
		d = time.Duration(days) * day
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("give a number of days, such as 90d, or a duration such as 720h")
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("a token must work for some time, such as 90d; leave --expires out for one that works until revoked")
	}
	if d > desk.MaxTokenLifetime {
		return 0, fmt.Errorf("a token may work for at most five years (%dd)", maxDays)
	}
	return d, nil
}

func tokenList(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("token list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "./data", "data directory")
	dbFlag := fs.String("db", "", dbUsage)
	if err := parseFlags(fs, args, getenv, tokenUsage); err != nil {
		return err
	}
	store, err := openStore(ctx, *data, *dbFlag, false)
	if err != nil {
		return err
	}
	defer store.Close()
	list, err := desk.New(store, nil, nil, time.Now).Tokens(ctx, cliActor("list"))
	if err != nil {
		return fmt.Errorf("list tokens: %s", kolokol.ErrorMessage(err))
	}
	return writeTokens(stdout, list)
}

// writeTokens prints tokens as an aligned table: what each may do, who
// made it, when it stops working, the day it was last used. Never a hash.
func writeTokens(w io.Writer, list []*kolokol.Token) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tROLE\tSERVICES\tCREATED\tCREATED BY\tEXPIRES\tLAST USED\tREVOKED")
	for _, t := range list {
		services := "all"
		if len(t.Services) > 0 {
			services = strings.Join(t.Services, ",")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, cell(t.Name), t.Role, services,
			minute(t.CreatedAt, "-"), cell(t.CreatedBy), minute(t.ExpiresAt, "never"), date(t.LastUsed, "never"), minute(t.RevokedAt, "-"))
	}
	return tw.Flush()
}

// cell keeps a table cell on one line and never empty. Names are checked
// when tokens are made, but a database restored from elsewhere was not.
func cell(s string) string {
	if s = strings.Join(strings.Fields(s), " "); s == "" {
		return "-"
	}
	return s
}

func minute(t time.Time, zero string) string {
	if t.IsZero() {
		return zero
	}
	return t.UTC().Format("2006-01-02 15:04")
}

func date(t time.Time, zero string) string {
	if t.IsZero() {
		return zero
	}
	return t.UTC().Format("2006-01-02")
}

func tokenRevoke(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("token revoke", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "./data", "data directory")
	dbFlag := fs.String("db", "", dbUsage)
	if err := envFlags(fs, getenv); err != nil {
		return err
	}
	// The id may come before or after the flags.
	var ids []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		ids, args = append(ids, fs.Arg(0)), fs.Args()[1:]
	}
	if len(ids) != 1 {
		return fmt.Errorf("give the id of one token to revoke (kolokol token list shows them)\n%s", tokenUsage)
	}
	id, err := strconv.ParseInt(ids[0], 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("%q is not a token id (kolokol token list shows them)", ids[0])
	}
	store, err := openStore(ctx, *data, *dbFlag, false)
	if err != nil {
		return err
	}
	defer store.Close()
	t, err := desk.New(store, nil, nil, time.Now).RevokeToken(ctx, cliActor("revoke"), id)
	if err != nil {
		return fmt.Errorf("revoke token %d: %s", id, kolokol.ErrorMessage(err))
	}
	fmt.Fprintf(stdout, "Revoked token %d %q (%s) on %s; it is refused from the next request on.\n", t.ID, t.Name, t.Role, minute(t.RevokedAt, ""))
	return nil
}
