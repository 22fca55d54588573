package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/desk"
)

// userAdd creates a newsroom account and prints its one-time enrolment
// link: the new user sets their own password and second factor there, so
// no one else ever knows them.
func userAdd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "./data", "data directory")
	dbFlag := fs.String("db", "", dbUsage)
	baseURL := fs.String("base-url", "http://127.0.0.1:8080", "public origin the link points at")
	email := fs.String("email", "", "the account's email, its sign-in name")
	name := fs.String("name", "", "the person's name")
	role := fs.String("role", "", "reporter, editor or admin: on each --service, or with neither --service nor --desk, admin for a global admin")
	var services, desks stringList
	fs.Var(&services, "service", "service code the account works on with --role (repeat, or comma-separate)")
	fs.Var(&desks, "desk", "a role on one service, as ru=editor (repeat, or comma-separate); instead of --role and --service")
	if err := envFlags(fs, getenv); err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	in := desk.UserInput{Email: *email, Name: *name, Role: kolokol.Role(*role), Services: services}
	if len(desks) > 0 && (*role != "" || len(services) > 0) {
		return fmt.Errorf("add user: give either --desk or --role with --service, not both")
	}
	for _, s := range desks {
		d, err := kolokol.ParseDesk(s)
		if err != nil {
			return fmt.Errorf("add user: %s", kolokol.ErrorMessage(err))
		}
		in.Desks = append(in.Desks, d)
	}
	store, err := openStore(ctx, *data, *dbFlag, false)
	if err != nil {
		return err
	}
	defer store.Close()
	// The command line is the machine's owner: it acts as a global admin.
	cli := kolokol.Actor{Name: "kolokol user add", Role: kolokol.RoleAdmin}
	u, token, err := desk.New(store, nil, nil, time.Now).AddUser(ctx, cli, in)
	if err != nil {
		return fmt.Errorf("add user: %s", kolokol.ErrorMessage(err))
	}
	what := string(u.Role) + " of every service"
	if len(u.Desks) > 0 {
		parts := make([]string, len(u.Desks))
		for i, d := range u.Desks {
			parts[i] = d.String()
		}
		what = strings.Join(parts, ", ")
	}
	fmt.Fprintf(stderr, "Added %s (%s). Send them this link; it works once, for %s:\n", u.Email, what, desk.EnrolmentLifetime)
	fmt.Fprintln(stdout, strings.TrimRight(*baseURL, "/")+"/newsroom/enrol/"+token)
	return nil
}
