package geo

import (
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/kolokol/kolokol/geo/geotest"
)

func TestCountry(t *testing.T) {
	mmdb := geotest.WriteMMDB(t)
	proxies, err := ParseProxies("10.0.0.0/8, 127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	headerOnly, _ := New(Options{Header: "CF-IPCountry", Proxies: proxies})
	dbOnly, err := New(Options{MMDB: mmdb, Proxies: proxies})
	if err != nil {
		t.Fatal(err)
	}
	both, _ := New(Options{Header: "cf-ipcountry", Proxies: proxies, MMDB: mmdb})
	neither, _ := New(Options{})
	for _, c := range []struct {
		name   string
		r      *Resolver
		remote string
		hdr    map[string]string
		want   string
	}{
		{"header from a trusted proxy", headerOnly, "10.1.2.3:5000", map[string]string{"CF-IPCountry": "ir"}, "IR"},
		{"header from a trusted address", headerOnly, "127.0.0.1:5000", map[string]string{"CF-IPCountry": "RU"}, "RU"},
		{"header from anyone else is ignored", headerOnly, "198.51.100.7:5000", map[string]string{"CF-IPCountry": "IR"}, ""},
		{"Tor from the CDN", headerOnly, "10.1.2.3:5000", map[string]string{"CF-IPCountry": "T1"}, ""},
		{"unknown from the CDN", headerOnly, "10.1.2.3:5000", map[string]string{"CF-IPCountry": "XX"}, ""},
		{"garbage from the CDN", headerOnly, "10.1.2.3:5000", map[string]string{"CF-IPCountry": "Iran"}, ""},
		{"no header", headerOnly, "10.1.2.3:5000", nil, ""},
		{"database", dbOnly, "198.51.100.7:5000", nil, "RU"},
		{"database, lower case in the file", dbOnly, "192.0.2.9:5000", nil, "BY"},
		{"database IPv6", dbOnly, "[2001:db8::1]:5000", nil, "CN"},
		{"database: a Tor exit is unknown", dbOnly, "203.0.113.200:5000", nil, ""},
		{"database: not in it", dbOnly, "8.8.8.8:5000", nil, ""},
		{"database: loopback (an onion service)", dbOnly, "127.0.0.1:5000", nil, ""},
		{"database behind our proxy", dbOnly, "10.0.0.1:5000", map[string]string{"X-Forwarded-For": "203.0.113.5, 10.0.0.2"}, "IR"},
		{"forwarded-for from a stranger is ignored", dbOnly, "198.51.100.7:5000", map[string]string{"X-Forwarded-For": "203.0.113.5"}, "RU"},
		{"our proxy with no forwarded-for", dbOnly, "10.0.0.1:5000", nil, ""},
		{"our proxy with a bad forwarded-for", dbOnly, "10.0.0.1:5000", map[string]string{"X-Forwarded-For": "not-an-ip"}, ""},
		{"header wins over the database", both, "10.0.0.1:5000", map[string]string{"CF-IPCountry": "UA", "X-Forwarded-For": "198.51.100.7"}, "UA"},
		{"database when the proxy sends no header", both, "10.0.0.1:5000", map[string]string{"X-Forwarded-For": "198.51.100.7"}, "RU"},
		{"neither configured", neither, "198.51.100.7:5000", map[string]string{"CF-IPCountry": "IR"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/fa/", nil)
			req.RemoteAddr = c.remote
			for k, v := range c.hdr {
				req.Header.Set(k, v)
			}
			if got := c.r.Country(req); got != c.want {
				t.Errorf("Country = %q, want %q", got, c.want)
			}
		})
	}
}

func TestNewRefusesBadDatabase(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.mmdb")
	os.WriteFile(bad, []byte("not a database"), 0o600)
	if _, err := New(Options{MMDB: bad}); err == nil {
		t.Error("a broken database was accepted")
	}
	if _, err := New(Options{MMDB: filepath.Join(t.TempDir(), "missing.mmdb")}); err == nil {
		t.Error("a missing database was accepted")
	}
	if _, err := ParseProxies("10.0.0.0/8, nonsense"); err == nil {
		t.Error("a bad proxy was accepted")
	}
	if p, err := ParseProxies("::ffff:10.0.0.1"); err != nil || !p[0].Contains(netip.MustParseAddr("10.0.0.1")) {
		t.Errorf("mapped address: %v %v", p, err)
	}
}

func FuzzCode(f *testing.F) {
	for _, s := range []string{"RU", "t1", " ir ", "XX", "Ü1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := code(s)
		if c != "" && (len(c) != 2 || !ValidCountry(c)) {
			t.Fatalf("code(%q) = %q", s, c)
		}
	})
}
