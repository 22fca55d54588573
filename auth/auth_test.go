package auth

import (
	"encoding/base32"
	"strings"
	"testing"
	"time"

	"github.com/kolokol/kolokol"
)

func TestPassword(t *testing.T) {
	h, err := HashPassword("correct horse battery staple")
	if err != nil || !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q %v", h, err)
	}
	if ok, rehash, err := VerifyPassword(h, "correct horse battery staple"); !ok || rehash || err != nil {
		t.Errorf("right password: %v %v %v", ok, rehash, err)
	}
	if ok, _, err := VerifyPassword(h, "correct horse battery stapler"); ok || err != nil {
		t.Errorf("wrong password: %v %v", ok, err)
	}
	if h2, _ := HashPassword("correct horse battery staple"); h2 == h {
		t.Error("two hashes of one password are equal: no salt")
	}
	// A hash made with weaker parameters still verifies, and asks for a rehash.
	weak := "$argon2id$v=19$m=4096,t=1,p=1$" + strings.Join(strings.Split(h, "$")[4:], "$")
	if ok, rehash, err := VerifyPassword(weak, "x"); ok || rehash || err != nil {
		t.Errorf("weak hash, wrong password: %v %v %v", ok, rehash, err)
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5", "$argon2id$v=19$m=99999999,t=2,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=19456,t=99,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5", "$argon2id$v=19$m=19456,t=2,p=1$!!$a2V5", "$argon2id$v=16$m=19456,t=2,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5"} {
		if ok, _, err := VerifyPassword(bad, "x"); ok || err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestPasswordPolicy(t *testing.T) {
	common, err := Common()
	if err != nil || common.Len() < 40000 {
		t.Fatalf("common list: %v, %d entries", err, common.Len())
	}
	for _, tt := range []struct{ pw, want string }{
		{"short", "at least 12"},
		{"123qweasdzxc", "commonly used"},
		{"Password2024!", "commonly used"}, // "password" plus a suffix
		{"QWERTY123456", "commonly used"},
		{"anna.lindqvist rules", "name or email"},
		{strings.Repeat("ж", 600), "over 1024 bytes"},
		{"river ferry crossing at dawn", ""},
		{"Река течёт на север всегда", ""},
	} {
		err := CheckPasswordPolicy(tt.pw, common.Contains, "anna.lindqvist@example.org", "Anna Lindqvist")
		if tt.want == "" {
			if err != nil {
				t.Errorf("%q refused: %v", tt.pw, err)
			}
			continue
		}
		if kolokol.ErrorField(err) != "password" || !strings.Contains(kolokol.ErrorMessage(err), tt.want) {
			t.Errorf("%q: %v, want %q", tt.pw, err, tt.want)
		}
	}
}

// RFC 6238, Appendix B: SHA-1, 8 digits, the ASCII seed "12345678901234567890".
func TestTOTPVectors(t *testing.T) {
	key := []byte("12345678901234567890")
	for _, v := range []struct {
		unix int64
		code string
	}{
		{59, "94287082"}, {1111111109, "07081804"}, {1111111111, "14050471"},
		{1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
	} {
		if got := hotp(key, uint64(v.unix/30), 8); got != v.code {
			t.Errorf("T=%d: %s, want %s", v.unix, got, v.code)
		}
	}
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(key)
	if got, _ := TOTPCode(secret, time.Unix(59, 0)); got != "287082" {
		t.Errorf("6-digit code at T=59: %s", got)
	}
}

func TestVerifyTOTP(t *testing.T) {
	secret, err := NewTOTPSecret()
	if err != nil || len(secret) != 32 {
		t.Fatalf("secret %q %v", secret, err)
	}
	now := time.Unix(1_800_000_000, 0)
	code, _ := TOTPCode(secret, now)
	step, err := VerifyTOTP(secret, code, now, 0)
	if err != nil || step != now.Unix()/30 {
		t.Fatalf("current code: %d %v", step, err)
	}
	if _, err := VerifyTOTP(secret, code, now, step); err == nil || !strings.Contains(err.Error(), "already used") {
		t.Errorf("replay: %v", err)
	}
	late, _ := TOTPCode(secret, now.Add(-30*time.Second))
	if _, err := VerifyTOTP(secret, late, now, 0); err != nil {
		t.Errorf("one step of skew refused: %v", err)
	}
	old, _ := TOTPCode(secret, now.Add(-90*time.Second))
	if _, err := VerifyTOTP(secret, old, now, 0); err == nil || !strings.Contains(err.Error(), "wrong or expired") {
		t.Errorf("expired code: %v", err)
	}
	for _, bad := range []string{"", "12345", "abcdef", "1234567"} {
		if _, err := VerifyTOTP(secret, bad, now, 0); kolokol.ErrorCode(err) != kolokol.EINVALID {
			t.Errorf("%q: %v", bad, err)
		}
	}
	uri := TOTPURI("Kolokol News", "anna@example.org", secret)
	if !strings.HasPrefix(uri, "otpauth://totp/Kolokol%20News:anna@example.org?") || !strings.Contains(uri, "secret="+secret) {
		t.Errorf("uri %s", uri)
	}
}

func TestRecoveryCodes(t *testing.T) {
	codes, hashes, err := NewRecoveryCodes(10)
	if err != nil || len(codes) != 10 || len(hashes) != 10 {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i, c := range codes {
		if len(c) != 14 || strings.Count(c, "-") != 2 || strings.ContainsAny(c, "01ilo") || seen[c] {
			t.Errorf("code %q", c)
		}
		seen[c] = true
		if j, ok := MatchRecoveryCode(" "+strings.ToUpper(strings.ReplaceAll(c, "-", " "))+" ", hashes); !ok || j != i {
			t.Errorf("code %d matched %d %v", i, j, ok)
		}
	}
	if _, ok := MatchRecoveryCode("aaaa-bbbb-cccc", hashes); ok {
		t.Error("a made-up code matched")
	}
}

func FuzzVerifyPassword(f *testing.F) {
	h, _ := HashPassword("a long enough password")
	f.Add(h, "a long enough password")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5", "x")
	f.Fuzz(func(t *testing.T, encoded, pw string) {
		ok, _, err := VerifyPassword(encoded, pw)
		if ok && err != nil {
			t.Fatal("ok with an error")
		}
		if ok && encoded == h && pw != "a long enough password" {
			t.Fatalf("wrong password %q accepted", pw)
		}
	})
}

func FuzzVerifyTOTP(f *testing.F) {
	secret, _ := NewTOTPSecret()
	now := time.Unix(1_800_000_000, 0)
	code, _ := TOTPCode(secret, now)
	f.Add(code, secret)
	f.Add("000000", "JBSWY3DPEHPK3PXP")
	f.Fuzz(func(t *testing.T, code, s string) {
		step, err := VerifyTOTP(s, code, now, 0)
		if err == nil && (step < now.Unix()/30-1 || step > now.Unix()/30+1) {
			t.Fatalf("accepted step %d", step)
		}
	})
}

func BenchmarkHashPassword(b *testing.B) {
	for range b.N {
		if _, err := HashPassword("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestLimiter(t *testing.T) {
	l := NewLimiter(3, time.Minute)
	now := time.Unix(1_800_000_000, 0)
	for i := range 3 {
		if ok, _ := l.Allow("anna", now); !ok {
			t.Fatalf("locked after %d failures", i)
		}
		l.Fail("anna", now)
	}
	l.Fail("anna", now) // the fourth: locked a minute
	if ok, wait := l.Allow("anna", now); ok || wait != time.Minute {
		t.Errorf("after 4 failures: %v %v", ok, wait)
	}
	if ok, _ := l.Allow("tomas", now); !ok {
		t.Error("another key is locked")
	}
	later := now.Add(61 * time.Second)
	if ok, _ := l.Allow("anna", later); !ok {
		t.Error("still locked after the lock ran out")
	}
	l.Fail("anna", later) // the fifth: two minutes
	if _, wait := l.Allow("anna", later); wait != 2*time.Minute {
		t.Errorf("second lock %v, want 2m", wait)
	}
	for range 20 {
		l.Fail("anna", later)
	}
	if _, wait := l.Allow("anna", later); wait != time.Hour {
		t.Errorf("lock grew to %v, want the 1h cap", wait)
	}
	l.Reset("anna")
	if ok, _ := l.Allow("anna", later); !ok {
		t.Error("Reset did not unlock")
	}
	small := NewLimiter(1, time.Minute)
	small.maxKeys = 10
	for i := range 1000 {
		small.Fail(strings.Repeat("k", i%50+1), now.Add(time.Duration(i)*25*time.Hour))
	}
	if len(small.keys) > 10 {
		t.Errorf("limiter holds %d keys, cap 10", len(small.keys))
	}
}
