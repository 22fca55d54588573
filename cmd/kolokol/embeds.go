package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/kolokol/kolokol/internal/secretfile"
	"github.com/kolokol/kolokol/oembed"
)

// embedFlags are serve's flags for the cards of posts on social networks.
type embedFlags struct {
	metaTokenFile *string
	endpoints     *string
}

func newEmbedFlags(fs *flag.FlagSet) embedFlags {
	return embedFlags{
		metaTokenFile: fs.String("meta-token-file", "", "file (mode 0600) holding a Meta app access token (APPID|TOKEN): the newsroom then fetches cards of Instagram and Facebook posts; without it they are written by hand"),
		endpoints:     fs.String("embed-endpoints", "", "comma-separated NETWORK=URL pairs replacing the endpoints cards are fetched from (youtube, x, tiktok, graph, telegram), e.g. for a relay; each an https URL"),
	}
}

// options reads the flags: the token's file, checked to be the owner's
// alone, and the endpoints.
func (f embedFlags) options() (oembed.Options, error) {
	var o oembed.Options
	if *f.metaTokenFile != "" {
		b, err := secretfile.Read(*f.metaTokenFile, 4<<10)
		if err != nil {
			return o, fmt.Errorf("--meta-token-file: %w", err)
		}
		o.MetaToken = strings.TrimSpace(string(b))
		if o.MetaToken == "" || strings.ContainsAny(o.MetaToken, " \t\r\n") {
			return o, fmt.Errorf("--meta-token-file %s: give one token (APPID|TOKEN) on one line", *f.metaTokenFile)
		}
	}
	if *f.endpoints == "" {
		return o, nil
	}
	fields := map[string]*string{"youtube": &o.YouTube, "x": &o.X, "tiktok": &o.TikTok, "graph": &o.Graph, "telegram": &o.Telegram}
	for pair := range strings.SplitSeq(*f.endpoints, ",") {
		name, u, ok := strings.Cut(strings.TrimSpace(pair), "=")
		p, known := fields[name]
		if !ok || !known {
			return o, fmt.Errorf("--embed-endpoints: %q is not NETWORK=URL with a network among youtube, x, tiktok, graph, telegram", pair)
		}
		*p = u
	}
	// Checked here, so that a bad address stops the start with its name.
	if _, err := oembed.New(o); err != nil {
		return o, fmt.Errorf("--embed-endpoints: %w", err)
	}
	return o, nil
}
