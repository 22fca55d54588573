package auth

import (
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/kolokol/kolokol"
)

// RFC 6238, Appendix B: SHA-1, 8 digits, the ASCII seed "12345678901234567890".
func TestTOTPVectors(t *testing.T) {
	key := []byte("12345678901234567890")
	secret := b32.EncodeToString(key)
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
		// The 6-digit code an app shows is the last six of the same number.
		got, err := TOTPCode(secret, time.Unix(v.unix, 0))
		if err != nil || got != v.code[2:] {
			t.Errorf("T=%d, 6 digits: %s %v, want %s", v.unix, got, err, v.code[2:])
		}
		step, err := VerifyTOTP(secret, v.code[2:], time.Unix(v.unix, 0), 0)
		if err != nil || step != v.unix/30 {
			t.Errorf("T=%d: verify: %d %v", v.unix, step, err)
		}
	}
	// RFC 4226, Appendix D: HOTP values of the same key for counters 0 to 9.
	for i, want := range []string{"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"} {
		if got := hotp(key, uint64(i), 6); got != want {
			t.Errorf("HOTP(%d) = %s, want %s", i, got, want)
		}
	}
}

func TestTOTPSecret(t *testing.T) {
	s1, err1 := NewTOTPSecret()
	s2, err2 := NewTOTPSecret()
	if err1 != nil || err2 != nil || len(s1) != 32 || s1 == s2 || strings.Trim(s1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
		t.Fatalf("secrets %q %q %v %v", s1, s2, err1, err2)
	}
	now := time.Unix(1_800_000_000, 0)
	want, _ := TOTPCode(s1, now)
	// As a person may have typed it into an app or a form.
	for _, typed := range []string{strings.ToLower(s1), s1[:16] + " " + s1[16:], s1 + "===="} {
		if got, err := TOTPCode(typed, now); got != want || err != nil {
			t.Errorf("secret %q: %s %v", typed, got, err)
		}
	}
	for _, bad := range []string{"", "JBSWY3DP", "not base32!", "0000000000000000"} {
		if _, err := TOTPCode(bad, now); err == nil {
			t.Errorf("secret %q accepted", bad)
		}
		if _, err := VerifyTOTP(bad, "123456", now, 0); err == nil || kolokol.ErrorCode(err) != kolokol.EINTERNAL {
			t.Errorf("secret %q: %v", bad, err)
		}
	}
}

func TestVerifyTOTP(t *testing.T) {
	const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	now := time.Unix(1_800_000_000, 0) // the start of a step
	step := now.Unix() / 30
	code := func(d time.Duration) string { c, _ := TOTPCode(secret, now.Add(d)); return c }
	const wrong, replay, malformed = "wrong or expired", "already used; wait for the next one", "6-digit code"
	for _, tt := range []struct {
		name     string
		code     string
		last     int64
		wantStep int64
		want     string
	}{
		{"current", code(0), 0, step, ""},
		{"end of the step", code(29 * time.Second), 0, step, ""},
		{"one step late (clock behind)", code(-30 * time.Second), 0, step - 1, ""},
		{"one step early (clock ahead)", code(30 * time.Second), 0, step + 1, ""},
		{"two steps late: expired", code(-60 * time.Second), 0, 0, wrong},
		{"two steps early", code(60 * time.Second), 0, 0, wrong},
		{"an hour old", code(-time.Hour), 0, 0, wrong},
		{"replayed", code(0), step, 0, replay},
		{"an earlier code after a later one", code(-30 * time.Second), step, 0, replay},
		{"after a code used a step early", code(0), step + 1, 0, replay},
		{"the next step after the last", code(30 * time.Second), step, step + 1, ""},
		{"spaced as apps show it", code(0)[:3] + " " + code(0)[3:], 0, step, ""},
		{"dashed, padded", " " + code(0)[:3] + "-" + code(0)[3:] + "\n", 0, step, ""},
		{"Persian digits", persian(code(0)), 0, step, ""},
		{"empty", "", 0, 0, malformed},
		{"five digits", code(0)[:5], 0, 0, malformed},
		{"seven digits", code(0) + "1", 0, 0, malformed},
		{"letters", "abcdef", 0, 0, malformed},
		{"a recovery code", "7kq4-9xme-2p8d", 0, 0, malformed},
		{"superscript digits", "¹²³⁴⁵⁶", 0, 0, malformed},
	} {
		got, err := VerifyTOTP(secret, tt.code, now, tt.last)
		switch {
		case tt.want == "" && (err != nil || got != tt.wantStep):
			t.Errorf("%s: step %d, %v; want step %d", tt.name, got, err, tt.wantStep)
		case tt.want != "" && (err == nil || !strings.Contains(kolokol.ErrorMessage(err), tt.want) || kolokol.ErrorField(err) != "code"):
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
	if _, err := VerifyTOTP(secret, "000000", now, 0); kolokol.ErrorCode(err) != kolokol.EUNAUTHORIZED && code(0) != "000000" {
		t.Errorf("wrong code: %v", err)
	}
}

func persian(ascii string) string {
	return strings.Map(func(r rune) rune { return r - '0' + '۰' }, ascii)
}

func TestDigitValue(t *testing.T) {
	// The runs-of-ten rule digitValue relies on holds for every range.
	for _, rg := range unicode.Nd.R16 {
		if rg.Stride != 1 || (rg.Hi-rg.Lo+1)%10 != 0 {
			t.Errorf("Nd range %U-%U stride %d", rg.Lo, rg.Hi, rg.Stride)
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if rg.Stride != 1 || (rg.Hi-rg.Lo+1)%10 != 0 {
			t.Errorf("Nd range %U-%U stride %d", rg.Lo, rg.Hi, rg.Stride)
		}
	}
	for r, want := range map[rune]byte{'0': 0, '9': 9, '٣': 3, '۷': 7, '९': 9, '７': 7, '𝟎': 0, '𝟗': 9, '𝟘': 0} {
		if got := digitValue(r); got != want {
			t.Errorf("digitValue(%q) = %d, want %d", r, got, want)
		}
	}
}

func TestTOTPURI(t *testing.T) {
	const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	for _, tt := range []struct{ issuer, account, want string }{
		{"Kolokol", "anna@example.org", "otpauth://totp/Kolokol:anna@example.org?secret=" + secret + "&issuer=Kolokol&algorithm=SHA1&digits=6&period=30"},
		{"Kolokol News", "anna@example.org", "otpauth://totp/Kolokol%20News:anna@example.org?secret=" + secret + "&issuer=Kolokol%20News&algorithm=SHA1&digits=6&period=30"},
		{"A:B & C", "x/y?z", "otpauth://totp/A%3AB%20&%20C:x%2Fy%3Fz?secret=" + secret + "&issuer=A%3AB%20%26%20C&algorithm=SHA1&digits=6&period=30"},
	} {
		got := TOTPURI(tt.issuer, tt.account, secret)
		if got != tt.want {
			t.Errorf("TOTPURI(%q, %q)\n got %s\nwant %s", tt.issuer, tt.account, got, tt.want)
		}
		// An app splits the label at its one unescaped colon, then unescapes.
		u, err := url.Parse(got)
		if err != nil {
			t.Fatal(err)
		}
		rawIssuer, rawAccount, _ := strings.Cut(strings.TrimPrefix(u.EscapedPath(), "/"), ":")
		issuer, _ := url.PathUnescape(rawIssuer)
		account, _ := url.PathUnescape(rawAccount)
		q := u.Query()
		if u.Scheme != "otpauth" || u.Host != "totp" || issuer != tt.issuer || account != tt.account || q.Get("issuer") != tt.issuer || q.Get("secret") != secret {
			t.Errorf("%s reads back as %q %q %v", got, issuer, account, q)
		}
	}
}

func FuzzVerifyTOTP(f *testing.F) {
	const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	now := time.Unix(1_800_000_000, 0)
	step := now.Unix() / 30
	code, _ := TOTPCode(secret, now)
	f.Add(code, int64(0))
	f.Add(code, step)
	f.Add(persian(code), step-1)
	f.Add("000 000", int64(0))
	f.Add("", int64(-1))
	f.Fuzz(func(t *testing.T, code string, last int64) {
		got, err := VerifyTOTP(secret, code, now, last)
		if err != nil {
			if c := kolokol.ErrorCode(err); c != kolokol.EINVALID && c != kolokol.EUNAUTHORIZED {
				t.Fatalf("error %v", err)
			}
			return
		}
		if got < step-1 || got > step+1 || got <= last {
			t.Fatalf("%q accepted at step %d (now %d, last used %d)", code, got, step, last)
		}
		norm, _ := normalizeCode(code)
		if want, _ := TOTPCode(secret, time.Unix(got*30, 0)); norm != want {
			t.Fatalf("%q accepted at step %d, whose code is %s", code, got, want)
		}
	})
}
