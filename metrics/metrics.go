// Package metrics counts requests and, if asked, logs them, knowing nothing
// of who made them: a request is its method, its route pattern, its status,
// its duration and its size. No address, user agent, referrer, query string
// or country is read here, so none can leak into a metric or a log line.
package metrics

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the counters. Serve Handler on the admin listener only.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	access   *slog.Logger // nil: no access log
}

// New makes the counters. access, when not nil, receives one line per
// request.
func New(access *slog.Logger) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), access: access,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kolokol_http_requests_total",
			Help: "HTTP requests by route pattern and status."}, []string{"route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "kolokol_http_request_duration_seconds",
			Help:    "Time to answer, by route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5}}, []string{"route"})}
	m.reg.MustRegister(m.requests, m.duration, collectors.NewGoCollector())
	return m
}

// Handler serves the counters in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Wrap counts (and logs) every request h answers. It must wrap the mux, so
// that the pattern the mux matched is known when h returns.
func (m *Metrics) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		m.Observe(r.Method, Route(r), rec.status, time.Since(start), rec.bytes)
	})
}

// Observe counts (and logs) one request answered without Wrap: by the
// reader site's fast path, which is no net/http handler. route must be a
// route pattern (Route, ReaderRoute), never a path.
func (m *Metrics) Observe(method, route string, status int, d time.Duration, bytes int64) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(d.Seconds())
	if m.access != nil {
		m.access.Info("request", "method", methodName(method), "route", route, "status", status,
			"duration_ms", float64(d.Microseconds())/1000, "bytes", bytes)
	}
}

// methodName names the method, or "other" for the ones no route takes, so
// a client cannot make up label values.
func methodName(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return method
	}
	return "other"
}

// Route is the route pattern of a request: the one the mux matched, or for
// the reader site's catch-all, the kind of page the path is. It never holds
// a part of the path that a client chose (an id, a slug, a search).
func Route(r *http.Request) string {
	p := r.Pattern
	if p != "" && !strings.HasSuffix(p, " /") && p != "/" {
		return p
	}
	return ReaderRoute(r.URL.Path)
}

// ReaderRoute is the route pattern of a reader page's path: the kind of
// page it is.
func ReaderRoute(path string) string {
	if path == "/" {
		return "/"
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case path == "/search":
		return "/search"
	case len(parts) == 1:
		return "/{service}/"
	case parts[1] == "a" && len(parts) == 3:
		return "/{service}/a/{id}/"
	case parts[1] == "s" && len(parts) <= 4:
		return "/{service}/s/{section}/"
	case parts[1] == "archive" && len(parts) <= 3:
		return "/{service}/archive/"
	case parts[1] == "lite" && len(parts) == 2:
		return "/{service}/lite/"
	case parts[1] == "lite" && len(parts) == 4 && parts[2] == "a":
		return "/{service}/lite/a/{id}/"
	case parts[1] == "search" && len(parts) == 2:
		return "/{service}/search"
	case parts[1] == "safety" && len(parts) == 2:
		return "/{service}/safety/"
	}
	return "other"
}

// recorder notes the status and size of a response.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(p)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
