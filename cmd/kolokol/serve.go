package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/api"
	"github.com/kolokol/kolokol/auth"
	"github.com/kolokol/kolokol/bundle"
	"github.com/kolokol/kolokol/cdn"
	"github.com/kolokol/kolokol/changelog"
	"github.com/kolokol/kolokol/demo"
	"github.com/kolokol/kolokol/desk"
	"github.com/kolokol/kolokol/geo"
	"github.com/kolokol/kolokol/ingest"
	"github.com/kolokol/kolokol/lease"
	"github.com/kolokol/kolokol/media"
	"github.com/kolokol/kolokol/metrics"
	"github.com/kolokol/kolokol/mirror"
	"github.com/kolokol/kolokol/newsletter"
	"github.com/kolokol/kolokol/newsroom"
	"github.com/kolokol/kolokol/oembed"
	"github.com/kolokol/kolokol/render"
	"github.com/kolokol/kolokol/search"
	"github.com/kolokol/kolokol/sign"
	"github.com/kolokol/kolokol/site"
	_ "time/tzdata" // service time zones must work on hosts without zoneinfo
)

// mirrorKeys is where mirrors' keys are kept: DATA/mirrors/<id>.key,
// beside the database, never in it.
func mirrorKeys(data string) mirror.Keys { return mirror.Keys{Dir: filepath.Join(data, "mirrors")} }

// App is the wired server, separate from flag parsing so tests build it.
type App struct {
	Store kolokol.Store
	Desk  *desk.Desk
	Site  *site.Site
	// Changes follows the change log for the process's consumers.
	Changes *changelog.Hub
	// Mirrors keeps the export in DATA/export and every live mirror at
	// its newest edition; serve runs it.
	Mirrors *mirror.Publisher
	// Purger purges a CDN's copies of the pages each change touches (nil
	// without --cdn-purge); serve runs it.
	Purger *cdn.Purger
	// Search is this server's search index, DATA/search: each server
	// keeps its own, fed from the shared change log by a follower with a
	// cursor of its own.
	Search *search.Index
	// Bundles publishes the daily offline editions (nil: none); serve
	// runs it.
	Bundles *bundle.Schedule
	Handler http.Handler
	// Metrics serves the Prometheus counters, for the admin listener.
	Metrics http.Handler
	metrics *metrics.Metrics
	images  *media.Worker
	geo     *geo.Resolver
	sources *auth.Sources
	// Routes are the patterns of every route that needs a signed-in user
	// or a token: the API's and the newsroom's.
	Routes []string
	// Newsletter is the email edition (nil without --smtp); serve runs it.
	Newsletter *newsletter.Desk
}

// Config is what a server is built from: the flags of serve.
type Config struct {
	Data string
	// DB names the database (see dbUsage); "" is DATA/kolokol.db.
	DB      string
	BaseURL string
	Logger  *slog.Logger
	// Onion is the site's onion origin, for Onion-Location and the safety
	// pages.
	Onion string
	// Network is the network's name, the masthead of the portal and of
	// every service without a brand of its own; "" is "Kolokol".
	Network string
	// Geo chooses each reader's notices; the zero value: none known.
	Geo geo.Options
	// AccessLog logs each request: method, route, status, duration, size.
	AccessLog bool
	// SessionIdle ends newsroom sessions unused for this long; zero: the
	// default (desk.IdleTimeout).
	SessionIdle time.Duration
	// CDNPurge is the CDN's purge call (--cdn-purge); nil: none.
	CDNPurge *cdn.Config
	// CDNTTL is how long a CDN may keep a page (--cdn-ttl); zero: as
	// browsers, 30 seconds.
	CDNTTL time.Duration
	// MediaS3 is the file of the bucket the media are kept in
	// (--media-s3); "": DATA/media.
	MediaS3 string
	// Embeds fetches the cards of posts on social networks (--meta-token-file,
	// --embed-endpoints); the zero value asks the networks themselves.
	Embeds oembed.Options
	// Bundles are the offline editions published each day (--bundles);
	// none: no schedule.
	Bundles bundleConfig
	// Email is the email edition (--smtp and the flags beside it); its
	// zero value (no relay) turns the edition off.
	Email emailConfig
}

// bundleConfig is the daily offline editions' schedule (package bundle).
type bundleConfig struct {
	Kinds            []kolokol.BundleKind
	Days, Hour, Keep int
}

// NewApp wires the store, desk, reader site and API.
func NewApp(ctx context.Context, data, baseURL string, logger *slog.Logger) (*App, error) {
	return NewAppWith(ctx, Config{Data: data, BaseURL: baseURL, Logger: logger})
}

// NewAppWith wires a server from its configuration.
func NewAppWith(ctx context.Context, cfg Config) (*App, error) {
	logger, data, baseURL := cfg.Logger, cfg.Data, cfg.BaseURL
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SessionIdle != 0 {
		if err := desk.CheckSessionIdle(cfg.SessionIdle); err != nil {
			return nil, fmt.Errorf("--session-idle: %w", err)
		}
	}
	if cfg.Onion != "" {
		if u, err := url.Parse(cfg.Onion); err != nil || u.Scheme != "http" && u.Scheme != "https" || !strings.HasSuffix(u.Hostname(), ".onion") || u.Path != "" {
			return nil, fmt.Errorf("--onion %q: give the onion origin, e.g. http://abc…xyz.onion", cfg.Onion)
		}
		cfg.Onion = strings.TrimRight(cfg.Onion, "/")
	}
	resolver, err := geo.New(cfg.Geo)
	if err != nil {
		return nil, err
	}
	store, err := openStore(ctx, data, cfg.DB, true)
	if err != nil {
		return nil, err
	}
	blobs, err := openBlobs(ctx, data, cfg.MediaS3)
	if err != nil {
		store.Close()
		return nil, err
	}
	// The signing key: editions for mirrors are signed with it, and the
	// mirrors pages show its fingerprint. A rotated key is taken up at
	// the next start.
	signer, err := sign.LoadSigner(data, time.Now())
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("signing key: %w", err)
	}
	pages := readerOptions(signer, baseURL, cfg.Onion, cfg.Network)
	letters, err := cfg.Email.desk(store, data, baseURL, pages.SiteName, logger)
	if err != nil {
		store.Close()
		return nil, err
	}
	// The live server's pages link the form; the export's never do
	// (render.Options.Static), as a mirror has no server to post to.
	pages.Email = letters != nil
	builder, err := render.New(store, pages)
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("load templates: %w", err)
	}
	// Images are processed in a child process (kolokol media-worker), one
	// upload at a time: the decoders stay away from the reader site, and the
	// WebAssembly encoder, which the GC cannot interrupt, cannot stall it.
	exe, err := os.Executable()
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("find the kolokol binary for the media worker: %w", err)
	}
	images := media.NewWorker(func() *exec.Cmd {
		cmd := exec.Command(exe, "media-worker")
		cmd.Stderr = os.Stderr
		return cmd
	})
	d := desk.New(store, blobs, images, nil)
	d.SetLogger(logger)
	d.SetMirrorSecrets(mirrorKeys(data))
	embeds, err := oembed.New(cfg.Embeds)
	if err != nil {
		images.Close()
		store.Close()
		return nil, fmt.Errorf("cards of posts: %w", err)
	}
	d.SetEmbeds(embeds)
	if cfg.SessionIdle != 0 {
		if err := d.SetSessionIdle(cfg.SessionIdle); err != nil {
			images.Close()
			store.Close()
			return nil, fmt.Errorf("--session-idle: %w", err)
		}
	}
	index, err := search.Open(search.Dir(data), store, logger)
	if err != nil {
		images.Close()
		store.Close()
		return nil, err
	}
	siteOpts := site.Options{Geo: resolver, Notices: store.FindNotices, Onion: cfg.Onion,
		HSTS: strings.HasPrefix(baseURL, "https://"), Setting: store.FindSetting, CDNTTL: cfg.CDNTTL,
		Search: readerSearch(index)}
	if letters != nil {
		siteOpts.Newsletter = letters
	}
	s := site.New(builder, blobs, logger, nil, siteOpts)
	// The page cache follows the change log from its end (it starts
	// empty), caught up by the desk after every operation and by polling
	// for what other processes write.
	followers := []*changelog.Follower{changelog.New(store, "", s.Consumer(), logger)}
	pub, err := newPublisher(store, blobs, signer, data, pages, logger)
	if err != nil {
		// A site without an origin of its own (a base URL with a path)
		// runs; it cannot sign editions for mirrors.
		logger.Warn("mirrors are not pushed", "err", err)
	} else {
		followers = append(followers, changelog.New(store, "", changelog.Consumer{Apply: pub.Apply}, logger))
	}
	var purger *cdn.Purger
	if cfg.CDNPurge != nil {
		// Woken by the hub, it purges in its own goroutine: an editor's
		// request does not wait for the CDN's API.
		purger = cdn.NewPurger(store, cfg.CDNPurge, render.Deps, logger)
		followers = append(followers, changelog.New(store, "", purger.Consumer(), logger))
	}
	followers = append(followers, changelog.New(store, index.CursorName(), changelog.Consumer{Apply: index.Apply, Rebuild: index.Rebuild}, logger))
	if letters != nil {
		// A breaking banner wakes the alerts at once; they read the log
		// from a cursor of their own (newsletter.Desk.SendAlerts).
		followers = append(followers, changelog.New(store, "", changelog.Consumer{Apply: func(_ context.Context, cs []*kolokol.Change) error {
			for _, c := range cs {
				if c.Kind == kolokol.ChangeBreaking {
					letters.Wake()
					break
				}
			}
			return nil
		}}, logger))
	}
	hub := changelog.NewHub(logger, followers...)
	if err := hub.Start(ctx); err != nil {
		index.Close()
		images.Close()
		store.Close()
		return nil, fmt.Errorf("change log: %w", err)
	}
	d.OnCommit(hub.Poke)
	mux := http.NewServeMux()
	s.Register(mux)
	a := api.New(store, d, logger, baseURL)
	a.SetBodyCheck(render.Dropped)
	a.Register(mux)
	apiRoutes := a.Routes()
	// Sign-in sources are hashed under a key all servers on the store
	// share, so that a source's failures are one count on all of them.
	sources := auth.NewSources()
	key, err := d.SourceKey(ctx)
	if err != nil {
		images.Close()
		store.Close()
		return nil, fmt.Errorf("sign-in throttle: %w", err)
	}
	sources.SetKey(key)
	nr, err := newsroom.New(store, d, logger, newsroom.Options{Secure: strings.HasPrefix(baseURL, "https://"),
		StylePath: builder.StylePath(), Preview: builder.Preview, Reader: s.Handler(), Origin: baseURL,
		ClientAddr: resolver.ClientAddr, Sources: sources, Search: newsroomSearch(index)})
	if err != nil {
		index.Close()
		images.Close()
		store.Close()
		return nil, fmt.Errorf("newsroom: %w", err)
	}
	nr.Register(mux)
	var access *slog.Logger
	if cfg.AccessLog {
		access = logger.With("log", "access")
	}
	m := metrics.New(access)
	var editions *bundle.Schedule
	if len(cfg.Bundles.Kinds) > 0 {
		if builder.Origin() == "" {
			logger.Warn("no offline editions: they need the site's address (--base-url)")
		} else {
			editions = &bundle.Schedule{Maker: &bundle.Maker{Render: builder, Blobs: blobs, Signer: signer, Network: cmp.Or(cfg.Network, defaultNetwork)},
				Store: store, Kinds: cfg.Bundles.Kinds, Days: cfg.Bundles.Days, Hour: cfg.Bundles.Hour, Keep: cfg.Bundles.Keep,
				Dir: filepath.Join(data, "tmp"), Log: logger, Notify: hub.Wake}
		}
	}
	return &App{Newsletter: letters, Store: store, Desk: d, Site: s, Changes: hub, Mirrors: pub, Purger: purger, Search: index, Bundles: editions,
		Handler: m.Wrap(secure(s, mux)), Metrics: m.Handler(), metrics: m, images: images, geo: resolver, sources: sources,
		Routes: append(apiRoutes, nr.Routes()...)}, nil
}

// RunSourceKey takes up the sign-in source key the servers share each time
// it is replaced (daily), until ctx ends.
func (a *App) RunSourceKey(ctx context.Context, logger *slog.Logger) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		key, err := a.Desk.SourceKey(ctx)
		if err != nil {
			if ctx.Err() == nil {
				logger.Warn("sign-in throttle: source key", "err", err)
			}
			continue
		}
		a.sources.SetKey(key)
	}
}

// Close stops the media worker and closes the store.
func (a *App) Close() error {
	a.images.Close()
	a.geo.Close()
	if err := a.Search.Close(); err != nil {
		a.Store.Close()
		return fmt.Errorf("close the search index: %w", err)
	}
	return a.Store.Close()
}

// mediaWorker is the child side of media.Worker: requests on stdin, results
// on stdout, until stdin closes (which it does when the server exits).
func mediaWorker(ctx context.Context) error {
	p, err := media.NewProcessor(media.Options{})
	if err != nil {
		return fmt.Errorf("media worker: %w", err)
	}
	return media.Serve(ctx, p, os.Stdin, os.Stdout)
}

// secure adds the security headers to API and newsroom responses; the reader site sets
// its own on every response, so the hot path does not set them twice.
func secure(s *site.Site, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/newsroom/") {
			s.SecurityHeaders(w.Header())
		}
		h.ServeHTTP(w, r)
	})
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "./data", "data directory (database and media)")
	db := fs.String("db", "", dbUsage)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	baseURL := fs.String("base-url", "", "public origin of the site, e.g. https://news.example.org (default: http://ADDR)")
	demoFlag := fs.Bool("demo", false, "seed a demo newsroom into an empty data directory")
	servicesFile := fs.String("services", "", "JSON file of language services to create or update at start (default: the 27 built-in services, on first start only)")
	level := fs.String("log-level", "info", "debug, info, warn or error")
	adminAddr := fs.String("admin-addr", "127.0.0.1:9464", "address of the admin listener serving /metrics (\"\" turns it off); a loopback address unless --admin-public")
	adminPublic := fs.Bool("admin-public", false, "allow --admin-addr on an address other than loopback, though /metrics has no authentication (firewall it)")
	accessLog := fs.Bool("access-log", false, "log every request: method, route pattern, status, duration and size (never address, user agent, referrer or query)")
	onion := fs.String("onion", "", "the site's onion origin, e.g. http://abc…xyz.onion: adds Onion-Location to reader pages and the address to the safety pages")
	network := fs.String("network", defaultNetwork, "the network's name: the portal's masthead, and that of every service without a brand of its own")
	bundleKinds := fs.String("bundles", "zim,epub", "the offline editions each service publishes every day, listed on its mirrors page and carried by every mirror: zim, epub, both (comma-separated), or none")
	bundleDays := fs.Int("bundle-days", 7, "the days of stories an offline edition holds")
	bundleHour := fs.Int("bundle-hour", 3, "the UTC hour the day's offline editions are made (a server started later makes the day's at once)")
	bundleKeep := fs.Int("bundle-keep", 7, "how many editions of each kind a service keeps listed; older ones are removed")
	geoHeader := fs.String("geo-header", "", "request header a trusted CDN or proxy puts the reader's country in, e.g. CF-IPCountry")
	proxies := fs.String("trusted-proxies", "", "comma-separated addresses or prefixes whose --geo-header and X-Forwarded-For are believed")
	geoDB := fs.String("geo-db", "", "MaxMind-format country database (.mmdb) to find the reader's country in")
	sessionIdle := fs.Duration("session-idle", desk.IdleTimeout, "end a newsroom session unused for this long (5s to 12h)")
	wireDir := fs.String("wire-dir", "", "hot folder of agency copy: files dropped in DIR/{service}/ are ingested into that service's wire queue, then moved to done/ or failed/")
	mediaS3 := mediaS3Flag(fs)
	cdnPurge := fs.String("cdn-purge", "", "JSON file (mode 0600) of the HTTP call that purges pages from the CDN in front by key (see the README's CDN section)")
	cdnTTL := fs.Duration("cdn-ttl", 0, "let the CDN keep pages this long (Surrogate-Control, CDN-Cache-Control), relying on --cdn-purge to drop changed ones; 0: 30 seconds, as browsers")
	embedOpts := newEmbedFlags(fs)
	netHTTP := fs.Bool("net-http", false, "serve the public listener with net/http alone, not fasthttp (about half the reader pages per second)")
	var mailCfg emailConfig
	mailCfg.flags(fs)
	if err := envFlags(fs, getenv); err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl}))
	adminExposed, err := adminExposure(ctx, *adminAddr, *adminPublic)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if *baseURL == "" {
		*baseURL = "http://" + ln.Addr().String()
	}
	trusted, err := geo.ParseProxies(*proxies)
	if err != nil {
		ln.Close()
		return fmt.Errorf("--trusted-proxies: %w", err)
	}
	var purge *cdn.Config
	if *cdnPurge != "" {
		if purge, err = cdn.LoadConfig(*cdnPurge); err != nil {
			ln.Close()
			return fmt.Errorf("--cdn-purge: %w", err)
		}
	}
	if *cdnTTL < 0 || *cdnTTL > 0 && *cdnTTL < time.Second || *cdnTTL > 365*24*time.Hour {
		ln.Close()
		return fmt.Errorf("--cdn-ttl %s: give 1s to 8760h, or 0", *cdnTTL)
	}
	if *cdnTTL > 0 && purge == nil {
		logger.Warn("--cdn-ttl without --cdn-purge: the CDN keeps a changed page until it expires", "ttl", *cdnTTL)
	}
	embedOptions, err := embedOpts.options()
	if err != nil {
		ln.Close()
		return err
	}
	editions, err := parseBundles(*bundleKinds, *bundleDays, *bundleHour, *bundleKeep)
	if err != nil {
		ln.Close()
		return err
	}
	app, err := NewAppWith(ctx, Config{Bundles: editions, Embeds: embedOptions, CDNPurge: purge, CDNTTL: *cdnTTL, MediaS3: *mediaS3, Data: *data, DB: *db, BaseURL: *baseURL, Logger: logger, Onion: *onion, Network: *network, AccessLog: *accessLog,
		Geo: geo.Options{Header: *geoHeader, Proxies: trusted, MMDB: *geoDB}, SessionIdle: *sessionIdle, Email: mailCfg})
	if err != nil {
		ln.Close()
		return err
	}
	defer app.Close()
	if err := seedServices(ctx, app.Store, app.Desk, "kolokol serve", *servicesFile, logger); err != nil {
		ln.Close()
		return err
	}
	if *demoFlag {
		res, err := demo.Seed(ctx, app.Store, app.Desk, time.Now())
		switch {
		case kolokol.ErrorCode(err) == kolokol.ECONFLICT:
			fmt.Fprintln(stdout, "demo: the data directory is not empty; serving what is there (create a token with: kolokol token create)")
		case err != nil:
			ln.Close()
			return fmt.Errorf("seed demo: %w", err)
		default:
			fmt.Fprintf(stdout, "demo: %d services, %d stories\n", res.Services, res.Stories)
			fmt.Fprintf(stdout, "admin token: %s\n", res.AdminToken)
			fmt.Fprintf(stdout, "demo editor: %s  password: %s  TOTP secret: %s (add it to an authenticator app)\n",
				res.EditorEmail, res.EditorPassword, res.EditorTOTP)
			fmt.Fprintf(stdout, "demo admin: %s  password: %s  TOTP secret: %s (manages accounts, settings and the audit log)\n",
				res.AdminEmail, res.AdminPassword, res.AdminTOTP)
			fmt.Fprintf(stdout, "newsroom: %s/newsroom/\n", *baseURL)
		}
	}

	srv := newPublicServer(app, logger, *netHTTP, defaultLimits)
	fmt.Fprintf(stdout, "reader site: %s/\n", *baseURL)
	if *adminAddr != "" {
		aln, err := net.Listen("tcp", *adminAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("--admin-addr: %w (give another address, or \"\" to turn the admin listener off)", err)
		}
		amux := http.NewServeMux()
		amux.Handle("GET /metrics", app.Metrics)
		admin := newHTTPServer(amux, logger)
		go admin.Serve(aln)
		defer admin.Close()
		fmt.Fprintf(stdout, "metrics: http://%s/metrics\n", aln.Addr())
		if adminExposed {
			logger.Warn("THE ADMIN LISTENER IS NOT ON LOOPBACK (--admin-public): /metrics has no authentication, "+
				"so anyone who can reach this address reads the site's traffic counters; firewall it", "admin_addr", aln.Addr().String())
		}
	}
	dbName := *db
	if dbName == "" {
		dbName = filepath.Join(*data, "kolokol.db")
	}
	logger.Info("serving", "addr", ln.Addr().String(), "db", describeDB(dbName), "version", buildVersion())

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The jobs that must run once however many servers share the database
	// (the scheduler, mirror pushes, CDN purges, the wire hot folder) each
	// run on the server holding their lease. They end, and give their
	// leases up, before the store closes.
	holder := lease.Holder()
	var jobs sync.WaitGroup
	defer func() { stop(); jobs.Wait() }()
	once := func(name string, job func(context.Context)) {
		jobs.Add(1)
		go func() {
			defer jobs.Done()
			lease.Run(ctx, app.Store, name, holder, lease.TTL, job, logger)
		}()
	}
	// The scheduler publishes stories whose time has come; it runs at once
	// so that what fell due while the server was down goes out now.
	once("scheduler", func(ctx context.Context) {
		app.Desk.RunScheduler(ctx, 5*time.Second, func(n int, err error) {
			if n > 0 {
				logger.Info("scheduled stories published", "count", n)
			}
			if err != nil {
				logger.Error("scheduler", "err", err)
			}
		})
	})
	if app.Bundles != nil {
		// A minute after start, so that a server's first requests do not
		// wait for them; then at each day's hour.
		once("bundles", func(ctx context.Context) { app.Bundles.Run(ctx, time.Minute) })
	}
	go app.RunSourceKey(ctx, logger)
	// Every server writes its own audit counts of repeated refusals,
	// whoever runs the scheduler.
	jobs.Add(1)
	go func() {
		defer jobs.Done()
		app.Desk.RunAuditFlush(ctx, 5*time.Second)
	}()
	if *wireDir != "" {
		folder, err := wireFolder(ctx, app, *wireDir, logger)
		if err != nil {
			return err
		}
		once("wire-folder", folder.Run)
	}
	// Changes other processes write (a CLI run, another server) reach this
	// server's page cache at once where the store notifies them
	// (PostgreSQL), and within a second by polling otherwise.
	if w, ok := app.Store.(kolokol.ChangeWaker); ok {
		jobs.Add(1)
		go func() {
			defer jobs.Done()
			w.ListenChanges(ctx, app.Changes.Wake, func(err error) { logger.Warn("change log: listener", "err", err) })
		}()
	}
	go app.Changes.Run(ctx, time.Second)
	if app.Purger != nil {
		once("cdn-purge", app.Purger.Run)
	}
	if app.Mirrors != nil {
		// Exports and pushes after each change, when there are live mirrors.
		once("mirrors", app.Mirrors.Run)
	}
	if app.Newsletter != nil {
		// Every server mails the confirmations its readers asked for; one
		// sends the digests and alerts.
		jobs.Add(1)
		go func() {
			defer jobs.Done()
			app.Newsletter.RunConfirmations(ctx)
		}()
		once("newsletter", app.Newsletter.Run)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// adminExposure refuses an admin listener (--admin-addr) on an address
// other than loopback unless public is set (--admin-public): /metrics has
// no authentication, and its counters tell how much each page is read,
// which is for the newsroom's operators alone. exposed reports that the
// listener will be reachable from elsewhere, for the warning at start. A
// host name counts as loopback only when every address it has is one,
// since the listener takes whichever comes first.
func adminExposure(ctx context.Context, addr string, public bool) (exposed bool, err error) {
	if addr == "" {
		return false, nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, fmt.Errorf("--admin-addr %q: %w", addr, err)
	}
	loopback := host == "localhost" // RFC 6761: always the loopback interface
	if ip, err := netip.ParseAddr(host); err == nil {
		loopback = ip.IsLoopback()
	} else if host != "" && !loopback {
		ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return false, fmt.Errorf("--admin-addr %q: look up the host: %w", addr, err)
		}
		loopback = len(ips) > 0
		for _, ip := range ips {
			loopback = loopback && ip.IsLoopback()
		}
	}
	if !loopback && !public {
		return false, fmt.Errorf("--admin-addr %q is not a loopback address, and /metrics has no authentication: "+
			"use 127.0.0.1 or [::1] (\"\" turns the listener off), or give --admin-public to listen there anyway", addr)
	}
	return !loopback, nil
}

// seedServices imports the services file when one is given, and the
// built-in default services into a newsroom that has none; the audit log
// names the command (who) as the admin that did it.
func seedServices(ctx context.Context, store kolokol.Store, d *desk.Desk, who, file string, logger *slog.Logger) error {
	var specs []desk.ServiceSpec
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("--services: %w", err)
		}
		if specs, err = desk.ParseServiceSpecs(data); err != nil {
			return fmt.Errorf("--services %s: %s", file, kolokol.ErrorMessage(err))
		}
	} else {
		existing, err := store.FindServices(ctx)
		if err != nil || len(existing) > 0 {
			return err
		}
		if specs, err = demo.Services(); err != nil {
			return err
		}
	}
	created, updated, err := d.ImportServices(ctx, kolokol.Actor{Name: who, Role: kolokol.RoleAdmin}, specs)
	if err != nil {
		return fmt.Errorf("import services: %w", err)
	}
	logger.Info("services imported", "created", created, "updated", updated)
	return nil
}

// ipPattern matches IPv4 and IPv6 addresses (with an optional port) as
// net/http prints them in its own messages ("TLS handshake error from ...").
var ipPattern = regexp.MustCompile(`\[?[0-9A-Fa-f]*:[0-9A-Fa-f:.]+\]?(:\d+)?|\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b`)

// redactor carries net/http's internal log lines to slog with every address
// removed: a reader's IP must never reach a log line.
type redactor struct{ log *slog.Logger }

func (r redactor) Write(p []byte) (int, error) {
	msg := ipPattern.ReplaceAllString(strings.TrimSpace(string(p)), "[address removed]")
	r.log.Warn("http server", "msg", msg)
	return len(p), nil
}

// wireFolder makes the hot folder and a subfolder for each service, so
// that an agency is told where to drop files for which service.
func wireFolder(ctx context.Context, app *App, dir string, logger *slog.Logger) (*ingest.Folder, error) {
	services, err := app.Store.FindServices(ctx)
	if err != nil {
		return nil, fmt.Errorf("--wire-dir: %w", err)
	}
	for _, s := range services {
		if err := os.MkdirAll(filepath.Join(dir, s.Code), 0o755); err != nil {
			return nil, fmt.Errorf("--wire-dir: %w", err)
		}
	}
	logger.Info("wire folder", "dir", dir)
	return &ingest.Folder{Dir: dir, Desk: app.Desk, Actor: kolokol.Actor{Name: "wire folder", Role: kolokol.RoleReporter}, Log: logger}, nil
}

// parseBundles reads serve's --bundles flags.
func parseBundles(kinds string, days, hour, keep int) (bundleConfig, error) {
	c := bundleConfig{Days: days, Hour: hour, Keep: keep}
	switch {
	case days < 1 || days > 366:
		return c, fmt.Errorf("--bundle-days %d: give from 1 to 366 days", days)
	case hour < 0 || hour > 23:
		return c, fmt.Errorf("--bundle-hour %d: give an hour from 0 to 23 (UTC)", hour)
	case keep < 1:
		return c, fmt.Errorf("--bundle-keep %d: keep at least the newest edition", keep)
	}
	if strings.TrimSpace(kinds) == "none" {
		return c, nil
	}
	for _, k := range strings.Split(kinds, ",") {
		kind := kolokol.BundleKind(strings.TrimSpace(k))
		if kind != kolokol.BundleZIM && kind != kolokol.BundleEPUB {
			return c, fmt.Errorf("--bundles %q: %q is not zim or epub (or give none)", kinds, k)
		}
		if !slices.Contains(c.Kinds, kind) {
			c.Kinds = append(c.Kinds, kind)
		}
	}
	return c, nil
}
