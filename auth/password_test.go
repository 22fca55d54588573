package auth

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/kolokol/kolokol"
	"golang.org/x/crypto/argon2"
)

// phc builds an argon2id hash with chosen parameters, as another
// implementation (or an older Kolokol) would have stored it.
func phc(pw string, m, t uint32, p uint8, saltLen, keyLen int) string {
	salt := []byte(strings.Repeat("s", saltLen))
	key := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(keyLen))
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", m, t, p, enc.EncodeToString(salt), enc.EncodeToString(key))
}

func TestHashPassword(t *testing.T) {
	const pw = "correct horse battery staple"
	h, err := HashPassword(pw)
	if err != nil || !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q %v", h, err)
	}
	parts := strings.Split(h, "$")
	if salt, _ := b64.DecodeString(parts[4]); len(salt) != 16 {
		t.Errorf("salt of %d bytes", len(salt))
	}
	if key, _ := b64.DecodeString(parts[5]); len(key) != 32 {
		t.Errorf("key of %d bytes", len(key))
	}
	if h2, _ := HashPassword(pw); h2 == h {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, tt := range []struct {
		name, pw string
		ok       bool
	}{
		{"right", pw, true},
		{"one letter more", pw + "r", false},
		{"other case", strings.ToUpper(pw), false},
		{"empty", "", false},
	} {
		ok, rehash, err := VerifyPassword(h, tt.pw)
		if ok != tt.ok || rehash || err != nil {
			t.Errorf("%s: ok %v rehash %v err %v", tt.name, ok, rehash, err)
		}
	}
}

func TestVerifyPasswordParameters(t *testing.T) {
	const pw = "three rivers meet at dusk"
	for _, tt := range []struct {
		name    string
		encoded string
		rehash  bool
	}{
		{"current", phc(pw, 19456, 2, 1, 16, 32), false},
		{"stronger", phc(pw, 47104, 1, 1, 16, 32), true}, // OWASP's 46 MiB, t=1: fewer passes than ours
		{"more memory and passes", phc(pw, 65536, 3, 2, 16, 32), false},
		{"less memory", phc(pw, 4096, 2, 1, 16, 32), true},
		{"one pass", phc(pw, 19456, 1, 1, 16, 32), true},
		{"short salt", phc(pw, 19456, 2, 1, 8, 32), true},
		{"short key", phc(pw, 19456, 2, 1, 16, 16), true},
	} {
		ok, rehash, err := VerifyPassword(tt.encoded, pw)
		if !ok || rehash != tt.rehash || err != nil {
			t.Errorf("%s: ok %v rehash %v (want %v) err %v", tt.name, ok, rehash, tt.rehash, err)
		}
		if ok, rehash, err := VerifyPassword(tt.encoded, pw+"!"); ok || rehash || err != nil {
			t.Errorf("%s, wrong password: ok %v rehash %v err %v", tt.name, ok, rehash, err)
		}
	}
}

func TestVerifyPasswordRefuses(t *testing.T) {
	good := phc("x", 8, 1, 1, 16, 32)
	saltKey := strings.Join(strings.Split(good, "$")[4:], "$")
	for _, bad := range []string{
		"",
		"plain text",
		"$2a$10$abcdefghijklmnopqrstuu5e5ZZbpRB6bvRjaH5UqqSwlbcBU2sBi", // bcrypt
		"$argon2i$v=19$m=19456,t=2,p=1$" + saltKey,
		"$argon2id$v=16$m=19456,t=2,p=1$" + saltKey,
		"$argon2id$v=19x$m=19456,t=2,p=1$" + saltKey,
		"$argon2id$m=19456,t=2,p=1$" + saltKey,
		"$argon2id$v=19$m=1048577,t=2,p=1$" + saltKey, // over 1 GiB
		"$argon2id$v=19$m=262145,t=2,p=1$" + saltKey,  // over our 256 MiB
		"$argon2id$v=19$m=19456,t=11,p=1$" + saltKey,
		"$argon2id$v=19$m=19456,t=0,p=1$" + saltKey,
		"$argon2id$v=19$m=19456,t=2,p=17$" + saltKey,
		"$argon2id$v=19$m=19456,t=2,p=0$" + saltKey,
		"$argon2id$v=19$m=7,t=1,p=1$" + saltKey,
		"$argon2id$v=19$m=16,t=1,p=4$" + saltKey, // m < 8p
		"$argon2id$v=19$m=+19456,t=2,p=1$" + saltKey,
		"$argon2id$v=19$m=019456,t=2,p=1$" + saltKey,
		"$argon2id$v=19$m=4294967296,t=2,p=1$" + saltKey,
		"$argon2id$v=19$t=2,m=19456,p=1$" + saltKey,
		"$argon2id$v=19$m=19456,t=2,p=1,k=1$" + saltKey,
		"$argon2id$v=19$m=19456,t=2,p=1$!!$a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$a2V5a2V5a2V5a2V5a2V5",           // salt under 8 bytes
		"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$a2V5",                      // key under 16 bytes
		"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ=$a2V5a2V5a2V5a2V5a2V5a2V5", // padding
		good + "$",
		"$" + good,
	} {
		if ok, rehash, err := VerifyPassword(bad, "x"); ok || rehash || err == nil {
			t.Errorf("%q: ok %v rehash %v err %v", bad, ok, rehash, err)
		}
	}
	if ok, _, err := VerifyPassword(good, "x"); !ok || err != nil {
		t.Errorf("the well-formed control was refused: %v", err)
	}
}

func TestPasswordPolicy(t *testing.T) {
	common, err := Common()
	if err != nil || common.Len() != 49233 {
		t.Fatalf("common list: %v, %d entries", err, common.Len())
	}
	for _, tt := range []struct{ pw, want string }{
		{"", "at least 12"},
		{"short", "at least 12"},
		{"elevenchars", "has 11 characters"},
		{"Река течёт", "has 10 characters"}, // counted in characters, not bytes
		{strings.Repeat("ж", 513), "over 1024 bytes"},
		{"valid \xff utf8 please", "not valid UTF-8"},
		{"aaaaaaaaaaaa", "too few different"},
		{"121212121212", "too few different"},
		{"123qweasdzxc", "commonly used"},
		{"Password2024!", "commonly used"}, // "password" plus a suffix
		{"QWERTY123456", "commonly used"},
		{"iloveyou1234", "commonly used"},
		{"qwertyqwerty", "commonly used"},   // a listed password, twice
		{"monkey1monkey1", "commonly used"}, // twice, with its suffix
		{"anna.lindqvist rules", "name or email"},
		{"ANNA.LINDQVIST@work", "name or email"},
		{"the lindqvist family", "name or email"}, // one word of the name
		{"brave anna of the north", "name or email"},
		{"river ferry crossing at dawn", ""},
		{"Река течёт на север всегда", ""},
		{"მდინარე მიედინება ჩრდილოეთით", ""},        // Georgian
		{"li and the forty thieves", ""},            // "Li" is too short to count
		{strings.Repeat("абвгд", 102) + "xyzw", ""}, // 1024 bytes
	} {
		err := CheckPasswordPolicy(tt.pw, common.Contains, "anna.lindqvist@example.org", "Anna Lindqvist", "Li")
		if tt.want == "" {
			if err != nil {
				t.Errorf("%q refused: %v", tt.pw, err)
			}
			continue
		}
		if kolokol.ErrorCode(err) != kolokol.EINVALID || kolokol.ErrorField(err) != "password" || !strings.Contains(kolokol.ErrorMessage(err), tt.want) {
			t.Errorf("%q: %v, want %q", tt.pw, err, tt.want)
		}
	}
	if err := CheckPasswordPolicy("password1234", nil); err != nil {
		t.Errorf("with no list, only the length counts: %v", err)
	}
}

func TestCommonContains(t *testing.T) {
	common, err := Common()
	if err != nil {
		t.Fatal(err)
	}
	for pw, want := range map[string]bool{
		"password": true, "PASSWORD": true, "password1!": true, "dragondragon": true,
		"asdfasdfasdf": true, "xk3!xk3!xk3!": false, "a river at dawn": false, "": false,
	} {
		if got := common.Contains(pw); got != want {
			t.Errorf("Contains(%q) = %v", pw, got)
		}
	}
}

func FuzzVerifyPassword(f *testing.F) {
	// A valid hash at the smallest legal cost, so the fuzzer can afford
	// one verification of every input against it.
	const right = "the right password"
	cheap := phc(right, 8, 1, 1, 16, 32)
	f.Add(cheap, right)
	f.Add(cheap, "the wrong password")
	f.Add(phc("x", 19456, 2, 1, 16, 32), "x")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5", "x")
	f.Fuzz(func(t *testing.T, encoded, pw string) {
		ok, rehash, err := VerifyPassword(encoded, pw)
		if err != nil && (ok || rehash) {
			t.Fatalf("ok %v, rehash %v with an error %v", ok, rehash, err)
		}
		if ok {
			if other, _, _ := VerifyPassword(encoded, pw+"\x00"); other {
				t.Fatalf("%q accepts %q and another password", encoded, pw)
			}
		}
		if ok, _, err := VerifyPassword(cheap, pw); ok != (pw == right) || err != nil {
			t.Fatalf("the fixed hash says %v for %q (%v)", ok, pw, err)
		}
	})
}

// BenchmarkHashPassword is the time one hash (and so one sign-in) costs.
func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		if _, err := HashPassword("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}
