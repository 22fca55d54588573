package sign

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// fuzzSigner is a fixed key, so that fuzz inputs replay the same.
func fuzzSigner() *Signer {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{42}, 32))
	id := KeyID{1, 2, 3, 4, 5, 6, 7, 8}
	return &Signer{id: id, key: key, ring: Keyring{Current: publicOf(id, key)}}
}

func FuzzParseKeyring(f *testing.F) {
	s := fuzzSigner()
	ring := s.ring
	ring.Retired = []RetiredKey{{PublicKey: PublicKey{ID: KeyID{9}, Key: s.ring.Current.Key}, Retired: t0}}
	f.Add(ring.Marshal())
	f.Add(s.ring.Marshal())
	if b, err := os.ReadFile(filepath.Join("testdata", "minisign", "vector.pub")); err == nil {
		f.Add(b)
	}
	f.Add([]byte("untrusted comment: x\r\nRWQBAgMEBQYHCA==\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseKeyring(data)
		if err != nil {
			return
		}
		again, err := ParseKeyring(r.Marshal())
		if err != nil {
			t.Fatalf("a parsed keyring does not parse again: %v\n%s", err, r.Marshal())
		}
		if !again.Current.Equal(r.Current) || len(again.Retired) != len(r.Retired) || !bytes.Equal(again.Marshal(), r.Marshal()) {
			t.Fatalf("round trip changed the keyring")
		}
		for i, k := range r.Retired {
			if !again.Retired[i].PublicKey.Equal(k.PublicKey) || !again.Retired[i].Retired.Equal(k.Retired) {
				t.Fatalf("retired key %d changed", i)
			}
		}
	})
}

func FuzzParseSignature(f *testing.F) {
	s := fuzzSigner()
	sig, _ := signMessage(s.key, s.id, []byte("m"), "c", Statement{Origin: testOrigin, Edition: 1, Time: t0}.String())
	f.Add(sig.Marshal())
	for _, name := range []string{"prehashed.minisig", "legacy.minisig"} {
		if b, err := os.ReadFile(filepath.Join("testdata", "minisign", name)); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sig, err := ParseSignature(data)
		if err != nil {
			return
		}
		again, err := ParseSignature(sig.Marshal())
		if err != nil || !reflect.DeepEqual(sig, again) {
			t.Fatalf("round trip: %v\n%+v\n%+v", err, sig, again)
		}
		// Whatever parses must not verify with the fuzz key unless it was
		// made by it: only the seed's message does.
		if s.ring.Current.Verify([]byte("not the message"), sig) == nil {
			t.Fatalf("a parsed signature verified a message no one signed")
		}
	})
}

func FuzzParseStatement(f *testing.F) {
	f.Add(Statement{Origin: testOrigin, Edition: 42, Time: t0}.String())
	f.Add(Statement{Origin: testOrigin, Edition: 42, Time: t0, File: "kolokol-fa-2026-12-01.zim"}.String())
	f.Add("kolokol origin=http://[::1]:8080 edition=1 time=2026-11-30T09:00:00Z extra=1")
	f.Add("kolokol edition=9223372036854775807 origin=https://a.b time=2000-01-01T00:00:00Z")
	f.Add("timestamp:1764493200\tfile:manifest.json\thashed")
	f.Fuzz(func(t *testing.T, c string) {
		st, err := ParseStatement(c)
		if err != nil {
			return
		}
		if o, err := CanonicalOrigin(st.Origin); err != nil || o != st.Origin || st.Edition < 1 {
			t.Fatalf("parsed %+v from %q", st, c)
		}
		again, err := ParseStatement(st.String())
		if err != nil || again.String() != st.String() || !again.Time.Equal(st.Time) {
			t.Fatalf("round trip of %q: %v %+v", c, err, again)
		}
		if strings.ContainsAny(st.String(), "\r\n\x00") {
			t.Fatalf("statement %q is not one line", st.String())
		}
	})
}

func FuzzParseManifest(f *testing.F) {
	s := fuzzSigner()
	e, _ := s.Sign(Manifest{Origin: testOrigin, Edition: 1, Time: t0, Files: []File{
		FileFor("index.html", []byte("x")), FileFor("ru/a/12-паром/index.html", nil), FileFor("a b/c&d<e>.html", []byte("y")),
	}})
	f.Add(e.Files(false)[4].Data)
	f.Add(rawManifest(s.id, 2, `{"path":"a","sha256":"`+hashOfEmpty+`","size":0},{"path":"a/b","sha256":"`+hashOfEmpty+`","size":0}`))
	f.Add(rawManifest(s.id, 2, `{"path":"../a","sha256":"`+hashOfEmpty+`","size":0}`))
	f.Add([]byte(`{"files":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, file := range m.Files {
			if CheckPath(file.Path) != nil || strings.Contains(file.Path, "..") && strings.Contains("/"+file.Path+"/", "/../") || seen[file.Path] {
				t.Fatalf("unsafe or repeated path %q passed", file.Path)
			}
			seen[file.Path] = true
		}
		for _, part := range m.Parts {
			if !isPartPath(part.Path) || seen[part.Path] {
				t.Fatalf("a badly named or repeated part %q passed", part.Path)
			}
			seen[part.Path] = true
		}
		if lines := bytes.Count(MarshalSums(m), []byte("\n")); lines != len(m.Files)+len(m.Parts) {
			t.Fatalf("SHA256SUMS has %d lines for %d files and %d parts", lines, len(m.Files), len(m.Parts))
		}
		if m.Legacy() {
			return // read, never written
		}
		out, err := MarshalManifest(m)
		if err != nil {
			t.Fatalf("a parsed manifest does not marshal: %v", err)
		}
		again, err := ParseManifest(out)
		if err != nil || !reflect.DeepEqual(m.Parts, again.Parts) && len(m.Parts)+len(again.Parts) > 0 || again.Edition != m.Edition || again.Origin != m.Origin || !again.Time.Equal(m.Time) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// FuzzParsePart reads any bytes as a part of a group: what passes holds
// only safe paths of that group, sorted, and writes back as it was read.
func FuzzParsePart(f *testing.F) {
	files := []File{FileFor("ru/a/12-паром/index.html", nil), FileFor("ru/b", []byte("y")), FileFor("ru/c&d<e>.html", []byte("z"))}
	good, _ := MarshalPart(files)
	f.Add("ru", good)
	f.Add(RootGroup, []byte(`{"files":[{"path":"index.html","sha256":"`+hashOfEmpty+`","size":0}]}`))
	f.Add("ru", []byte(`{"files":[{"path":"ru/../x","sha256":"`+hashOfEmpty+`","size":0}]}`))
	f.Add("media", []byte(`{"files":[{"path":"ru/x","sha256":"`+hashOfEmpty+`","size":0}]}`))
	f.Fuzz(func(t *testing.T, group string, data []byte) {
		files, err := ParsePart(group, data)
		if err != nil {
			return
		}
		for i, file := range files {
			if CheckPath(file.Path) != nil || GroupOf(file.Path) != group || i > 0 && files[i-1].Path >= file.Path {
				t.Fatalf("unsafe, misplaced or unsorted path %q passed", file.Path)
			}
		}
		out, err := MarshalPart(files)
		if err != nil {
			t.Fatalf("a parsed part does not marshal: %v", err)
		}
		again, err := ParsePart(group, out)
		if err != nil || !reflect.DeepEqual(files, again) && len(files)+len(again) > 0 {
			t.Fatalf("round trip: %v", err)
		}
		if bytes.Count(marshalSumsOf(files), []byte("\n")) != len(files) {
			t.Fatalf("the sums have a line per file")
		}
	})
}

func FuzzParseSecretKey(f *testing.F) {
	s := fuzzSigner()
	f.Add(marshalSecret(s.id, s.key))
	f.Add([]byte("untrusted comment: minisign encrypted secret key\nRWQAAEIyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAjh/eyCfdiq5CJXZw7Y7ZHtM7JMJA3qTe6AtjNa7Ni80w3gmkaHWxJ7C3zkbbBdzLvGE0P9wkWcA+CjShM0v1XLHs1j6onZp2AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		id, key, err := ParseSecretKey(data)
		if err != nil {
			if bytes.Contains([]byte(err.Error()), data) && len(data) > 8 {
				t.Fatalf("an error quotes the key file: %v", err)
			}
			return
		}
		id2, key2, err := ParseSecretKey(marshalSecret(id, key))
		if err != nil || id2 != id || !key2.Equal(key) {
			t.Fatalf("round trip: %v", err)
		}
		sig, _ := signMessage(key, id, []byte("m"), "c", "t")
		if publicOf(id, key).Verify([]byte("m"), sig) != nil {
			t.Fatalf("a parsed key does not verify its own signature")
		}
	})
}

// FuzzVerify gives verify a validly signed manifest of any bytes, with
// any statement, over a source that holds a few files: whatever the
// manifest says, verify asks only for safe paths and never panics.
func FuzzVerify(f *testing.F) {
	s := fuzzSigner()
	good, _ := s.Sign(Manifest{Origin: testOrigin, Edition: 4, Time: t0, Files: []File{FileFor("index.html", []byte("x")), FileFor("ru/index.html", []byte("y"))}})
	f.Add(good.Files(false)[4].Data, good.Statement.String(), []byte("x"))
	f.Add(rawManifest(s.id, 4, `{"path":"../../etc/passwd","sha256":"`+hashOfEmpty+`","size":0}`), good.Statement.String(), []byte{})
	f.Add([]byte("<html>"), "kolokol origin=https://a.b edition=1 time=2026-11-30T09:00:00Z", []byte("y"))
	f.Fuzz(func(t *testing.T, manifest []byte, comment string, body []byte) {
		if len(manifest) > 1<<16 {
			return
		}
		sig, err := signMessage(s.key, s.id, manifest, "fuzz", comment)
		if err != nil {
			return
		}
		files := map[string][]byte{ManifestFile: manifest, ManifestFile + SigSuffix: sig.Marshal(), "index.html": body, "ru/index.html": []byte("y")}
		for _, p := range good.Parts() {
			files[p.Name] = p.Data
		}
		if m, err := ParseManifest(manifest); err == nil {
			sums, _ := signMessage(s.key, s.id, MarshalSums(m), "fuzz", comment)
			files[SumsFile], files[SumsFile+SigSuffix] = MarshalSums(m), sums.Marshal()
		}
		src := FetchFunc(func(_ context.Context, p string) (io.ReadCloser, error) {
			if CheckPath(p) != nil && !IsReserved(p) && !isPartPath(p) {
				t.Fatalf("verify asked for %q", p)
			}
			b, ok := files[p]
			if !ok {
				return nil, fs.ErrNotExist
			}
			return io.NopCloser(bytes.NewReader(b)), nil
		})
		r, err := Verify(context.Background(), src, Options{Keys: s.ring, MaxManifestBytes: 1 << 16})
		if err == nil && (r == nil || r.Count(Altered)+r.Count(Missing) > 0) {
			t.Fatalf("verify passed with %+v", r)
		}
	})
}
