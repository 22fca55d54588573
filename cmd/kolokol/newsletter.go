package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/email"
	"github.com/kolokol/kolokol/newsletter"
)

// emailConfig is the email edition's flags (serve, newsletter send).
type emailConfig struct {
	SMTP         string  // relay URL; "": the edition is off
	From         string  // "Name <addr>"
	KeyFile      string  // the subscribers key; "": DATA/secrets/subscribers.key
	DKIMKeyFile  string  // "": mails go unsigned
	DKIMSelector string  // the DNS record's selector
	DigestHour   int     // UTC
	Rate         float64 // mails per second at most
}

func (c *emailConfig) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.SMTP, "smtp", "", "SMTP relay of the email edition: smtp://[user[:password]@]host[:port] (STARTTLS) or smtps://…, ?password-file=FILE (0600) for the password; \"\" turns the edition off")
	fs.StringVar(&c.From, "mail-from", "", "sender of the email edition's mails, e.g. \"News <news@example.org>\" (needed with --smtp)")
	fs.StringVar(&c.KeyFile, "subscribers-key-file", "", "key that seals subscribers' addresses (32 bytes, mode 0600, made when missing; default DATA/secrets/subscribers.key): back it up apart from the database")
	fs.StringVar(&c.DKIMKeyFile, "dkim-key-file", "", "PEM private key (mode 0600) that DKIM-signs the mails; make one with: kolokol newsletter dkim-key --out FILE")
	fs.StringVar(&c.DKIMSelector, "dkim-selector", "", "the DKIM key's selector: its TXT record is at SELECTOR._domainkey.DOMAIN of --mail-from")
	fs.IntVar(&c.DigestHour, "digest-hour", 6, "hour (UTC, 0-23) after which each day's digest goes out")
	fs.Float64Var(&c.Rate, "mail-rate", 10, "mails per second at most through --smtp")
}

// desk builds the email edition; nil, nil when it is off.
func (c emailConfig) desk(store kolokol.Store, data, baseURL, siteName string, logger *slog.Logger) (*newsletter.Desk, error) {
	if c.SMTP == "" {
		for name, v := range map[string]string{"--mail-from": c.From, "--dkim-key-file": c.DKIMKeyFile, "--dkim-selector": c.DKIMSelector} {
			if v != "" {
				return nil, fmt.Errorf("%s without --smtp: the email edition is off without a relay", name)
			}
		}
		return nil, nil
	}
	if c.DigestHour < 0 || c.DigestHour > 23 {
		return nil, fmt.Errorf("--digest-hour %d: give an hour from 0 to 23 (UTC)", c.DigestHour)
	}
	if c.Rate < 0 {
		return nil, fmt.Errorf("--mail-rate %g: give mails per second, 0 for no limit", c.Rate)
	}
	relay, err := email.ParseRelay(c.SMTP)
	if err != nil {
		return nil, fmt.Errorf("--smtp: %w", err)
	}
	if c.From == "" {
		return nil, errors.New("--smtp needs --mail-from, the mails' sender, e.g. \"News <news@example.org>\"")
	}
	from, err := mail.ParseAddress(c.From)
	if err != nil || strings.ContainsAny(c.From, "\r\n") {
		return nil, fmt.Errorf("--mail-from %q: give a sender such as \"News <news@example.org>\"", c.From)
	}
	if err := email.CheckAddress(from.Address); err != nil {
		return nil, fmt.Errorf("--mail-from: %w", err)
	}
	// Every mail's links lead to the live site: https, as mail clients
	// and RFC 8058 expect (plain http only on loopback, for tests).
	u, err := url.Parse(baseURL)
	if err != nil || u.Scheme != "https" && !(u.Scheme == "http" && loopbackHost(u.Hostname())) {
		return nil, fmt.Errorf("--smtp needs --base-url to be the site's https address (mails link to it), not %q", baseURL)
	}
	sender := &email.Sender{Relay: relay, Rate: c.Rate, Retries: 3, Backoff: 2 * time.Second}
	if c.DKIMKeyFile != "" || c.DKIMSelector != "" {
		if c.DKIMKeyFile == "" || c.DKIMSelector == "" {
			return nil, errors.New("--dkim-key-file and --dkim-selector go together")
		}
		_, domain, _ := strings.Cut(from.Address, "@")
		if sender.DKIM, err = email.LoadDKIM(c.DKIMKeyFile, domain, c.DKIMSelector); err != nil {
			return nil, fmt.Errorf("--dkim-key-file: %w", err)
		}
	}
	keyFile := c.KeyFile
	if keyFile == "" {
		keyFile = filepath.Join(data, "secrets", "subscribers.key")
	}
	keys, err := newsletter.LoadKeys(keyFile)
	if err != nil {
		return nil, fmt.Errorf("--subscribers-key-file: %w", err)
	}
	return newsletter.New(store, newsletter.Options{Keys: keys, Mailer: sender, From: *from, BaseURL: strings.TrimRight(baseURL, "/"),
		SiteName: siteName, Log: logger, DigestHour: c.DigestHour}), nil
}

func loopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// runNewsletter is "kolokol newsletter": dkim-key makes a DKIM key and
// prints its DNS record; send sends a service's digest now.
func runNewsletter(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	usage := "usage: kolokol newsletter dkim-key --out FILE | kolokol newsletter send --data DIR --service CODE --kind digest --smtp URL --mail-from ADDR --base-url URL"
	if len(args) == 0 {
		return errors.New(usage)
	}
	switch args[0] {
	case "dkim-key":
		fs := flag.NewFlagSet("newsletter dkim-key", flag.ContinueOnError)
		fs.SetOutput(stderr)
		out := fs.String("out", "", "file to write the new private key to (mode 0600; refused if it exists)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *out == "" {
			return errors.New("newsletter dkim-key: give --out FILE")
		}
		record, err := email.GenerateDKIM(*out)
		if err != nil {
			return fmt.Errorf("newsletter dkim-key: %w", err)
		}
		fmt.Fprintf(stdout, "DKIM key written to %s.\nPublish this TXT record at SELECTOR._domainkey.DOMAIN (DOMAIN that of --mail-from), then start serve with --dkim-key-file %s --dkim-selector SELECTOR:\n\n%s\n", *out, *out, record)
		return nil
	case "send":
		fs := flag.NewFlagSet("newsletter send", flag.ContinueOnError)
		fs.SetOutput(stderr)
		data := fs.String("data", "./data", "data directory")
		db := fs.String("db", "", dbUsage)
		service := fs.String("service", "", "service code")
		kind := fs.String("kind", "digest", "what to send: digest (today's, once)")
		baseURL := fs.String("base-url", "", "the live site's public https address, which the mails link to")
		network := fs.String("network", defaultNetwork, "the network's name")
		var c emailConfig
		c.flags(fs)
		if err := envFlags(fs, getenv); err != nil {
			return err
		}
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *kind != "digest" {
			return fmt.Errorf("newsletter send --kind %q: only digest is sent by hand (alerts follow the breaking banner)", *kind)
		}
		if c.SMTP == "" || *service == "" {
			return errors.New("newsletter send: give --service and --smtp")
		}
		store, err := openStore(ctx, *data, *db, false)
		if err != nil {
			return err
		}
		defer store.Close()
		logger := slog.New(slog.NewTextHandler(stderr, nil))
		d, err := c.desk(store, *data, *baseURL, *network, logger)
		if err != nil {
			return err
		}
		n, err := d.SendDigest(ctx, *service, time.Now())
		fmt.Fprintf(stdout, "digest of %s: %d mails sent\n", *service, n)
		return err
	}
	return errors.New(usage)
}
