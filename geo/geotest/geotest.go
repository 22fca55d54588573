// Package geotest builds a small MaxMind-format database for tests, with
// github.com/maxmind/mmdbwriter: the documentation address ranges, each
// in a country, one of them a Tor exit.
package geotest

import (
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// WriteMMDB writes the database into a test directory and returns its path:
//
//	198.51.100.0/24   RU
//	203.0.113.0/25    IR
//	203.0.113.128/25  DE, a Tor exit
//	192.0.2.0/24      "by" (lower case, as some files have it)
//	2001:db8::/32     CN
func WriteMMDB(t testing.TB) string {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: "Kolokol-Test-Country", RecordSize: 24, IncludeReservedNetworks: true,
		Description: map[string]string{"en": "Kolokol test countries"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []struct {
		cidr string
		rec  mmdbtype.Map
	}{
		{"198.51.100.0/24", mmdbtype.Map{"country": mmdbtype.Map{"iso_code": mmdbtype.String("RU")}}},
		{"203.0.113.0/25", mmdbtype.Map{"country": mmdbtype.Map{"iso_code": mmdbtype.String("IR")}}},
		{"203.0.113.128/25", mmdbtype.Map{"country": mmdbtype.Map{"iso_code": mmdbtype.String("DE")},
			"traits": mmdbtype.Map{"is_tor_exit_node": mmdbtype.Bool(true)}}},
		{"192.0.2.0/24", mmdbtype.Map{"country": mmdbtype.Map{"iso_code": mmdbtype.String("by")}}},
		{"2001:db8::/32", mmdbtype.Map{"country": mmdbtype.Map{"iso_code": mmdbtype.String("CN")}}},
	} {
		_, network, err := net.ParseCIDR(n.cidr)
		if err != nil {
			t.Fatal(err)
		}
		if err := tree.Insert(network, n.rec); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "country.mmdb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tree.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}
