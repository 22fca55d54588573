package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/kolokol/kolokol"
)

func tokenCreate(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "./data", "data directory")
	name := fs.String("name", "", "what the token is for, e.g. \"wire importer\"")
	role := fs.String("role", "", "reporter, editor or admin")
	var services stringList
	fs.Var(&services, "service", "service code the token may touch (repeat, or comma-separate)")
	if err := envFlags(fs, getenv); err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	store, err := openStore(ctx, *data, false)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := checkServices(ctx, store, services); err != nil {
		return err
	}
	secret, hash := kolokol.NewToken()
	t := &kolokol.Token{Name: *name, Hash: hash, Role: kolokol.Role(*role), Services: services}
	if err := store.CreateToken(ctx, t); err != nil {
		return fmt.Errorf("create token: %s", kolokol.ErrorMessage(err))
	}
	fmt.Fprintf(stderr, "Created %s token %q (id %d). It is shown only once; only its hash is stored.\n", t.Role, t.Name, t.ID)
	fmt.Fprintln(stdout, secret)
	return nil
}

// checkServices refuses service codes the newsroom does not have, before
// anything is written.
func checkServices(ctx context.Context, store kolokol.Store, codes []string) error {
	for _, code := range codes {
		if _, err := store.FindServiceByCode(ctx, code); err != nil {
			return fmt.Errorf("service %q: %s", code, kolokol.ErrorMessage(err))
		}
	}
	return nil
}
