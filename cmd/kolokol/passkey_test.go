package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/kolokol/kolokol"
	"github.com/kolokol/kolokol/auth"
)

// softKey is a software authenticator: it makes and uses a P-256 passkey
// the way a security key does, so the server's WebAuthn checks run for
// real. The browser's own (Chromium's virtual authenticator) is in e2e.
type softKey struct {
	t      *testing.T
	priv   *ecdsa.PrivateKey
	id     []byte
	user   []byte
	count  uint32
	origin string
}

func newSoftKey(t *testing.T, origin string) *softKey {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := make([]byte, 32)
	rand.Read(id)
	return &softKey{t: t, priv: priv, id: id, origin: origin}
}

var b64 = base64.RawURLEncoding

func (k *softKey) clientData(typ, challenge string) []byte {
	data, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": k.origin, "crossOrigin": false})
	return data
}

func (k *softKey) authData(rpID string, flags byte, attested []byte) []byte {
	h := sha256.Sum256([]byte(rpID))
	out := append(h[:], flags)
	out = binary.BigEndian.AppendUint32(out, k.count)
	return append(out, attested...)
}

// create answers navigator.credentials.create with a "none" attestation.
func (k *softKey) create(options []byte) []byte {
	var o struct {
		PublicKey struct {
			Challenge string `json:"challenge"`
			RP        struct {
				ID string `json:"id"`
			} `json:"rp"`
			User struct {
				ID string `json:"id"`
			} `json:"user"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal(options, &o); err != nil {
		k.t.Fatalf("creation options %s: %v", options, err)
	}
	k.user, _ = b64.DecodeString(o.PublicKey.User.ID)
	pt, err := k.priv.PublicKey.Bytes() // 0x04 || X || Y
	if err != nil {
		k.t.Fatal(err)
	}
	x, y := pt[1:33], pt[33:]
	em, _ := cbor.CoreDetEncOptions().EncMode()
	cose, err := em.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: x, -3: y})
	if err != nil {
		k.t.Fatal(err)
	}
	attested := make([]byte, 16) // AAGUID: none
	attested = binary.BigEndian.AppendUint16(attested, uint16(len(k.id)))
	attested = append(append(attested, k.id...), cose...)
	ad := k.authData(o.PublicKey.RP.ID, 0x45, attested) // UP, UV, AT
	att, err := em.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": ad})
	if err != nil {
		k.t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"id": b64.EncodeToString(k.id), "rawId": b64.EncodeToString(k.id), "type": "public-key",
		"response": map[string]any{"clientDataJSON": b64.EncodeToString(k.clientData("webauthn.create", o.PublicKey.Challenge)),
			"attestationObject": b64.EncodeToString(att), "transports": []string{"usb"}},
		"clientExtensionResults": map[string]any{}})
	return body
}

// get answers navigator.credentials.get with a signed assertion.
func (k *softKey) get(options []byte) []byte {
	var o struct {
		PublicKey struct {
			Challenge string `json:"challenge"`
			RPID      string `json:"rpId"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal(options, &o); err != nil {
		k.t.Fatalf("request options %s: %v", options, err)
	}
	k.count++
	ad := k.authData(o.PublicKey.RPID, 0x05, nil) // UP, UV
	cd := k.clientData("webauthn.get", o.PublicKey.Challenge)
	cdHash := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, ad...), cdHash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, k.priv, digest[:])
	if err != nil {
		k.t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"id": b64.EncodeToString(k.id), "rawId": b64.EncodeToString(k.id), "type": "public-key",
		"response": map[string]any{"clientDataJSON": b64.EncodeToString(cd), "authenticatorData": b64.EncodeToString(ad),
			"signature": b64.EncodeToString(sig), "userHandle": b64.EncodeToString(k.user)},
		"clientExtensionResults": map[string]any{}})
	return body
}

func cookieValue(r response, name string) string {
	for _, c := range r.header.Values("Set-Cookie") {
		if v, ok := strings.CutPrefix(strings.SplitN(c, ";", 2)[0], name+"="); ok {
			return v
		}
	}
	return ""
}

func TestPasskeys(t *testing.T) {
	ta := newTestApp(t)
	const email, password = "passkey@example.org", "correct horse battery staple"
	session := ta.account(t, email, kolokol.RoleEditor, "ru")
	u, _ := ta.Store.FindUserByEmail(t.Context(), email)
	jsonPost := func(path, body string, cookies ...string) response {
		return ta.do(t, "POST", path, "", strings.NewReader(body), "Content-Type", "application/json", "Cookie", strings.Join(cookies, "; "))
	}
	// The account page offers passkeys, and its CSP lets our script run.
	// Passkeys are bound to a domain: a loopback address is served as
	// localhost.
	origin := strings.Replace(ta.srv.URL, "127.0.0.1", "localhost", 1)
	if r := ta.page(t, session, "/newsroom/account"); strings.Contains(string(r.body), "passkeys.js") {
		t.Error("the page at 127.0.0.1 offers passkeys bound to localhost")
	}
	page := ta.page(t, session, "/newsroom/account", "Host", strings.TrimPrefix(origin, "http://"))
	if page.status != 200 || !strings.Contains(string(page.body), `src="/newsroom/passkeys.js"`) ||
		!strings.HasSuffix(page.header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Fatalf("account page: %d %q", page.status, page.header.Get("Content-Security-Policy"))
	}
	if r := ta.get(t, "/ru/"); strings.Contains(r.header.Get("Content-Security-Policy"), "script-src") {
		t.Error("a reader page allows script")
	}

	// Adding a passkey needs a current code, not just the session.
	if r := jsonPost("/newsroom/account/passkeys", `{"name":"ключ","code":"000000"}`, "kk_session="+session); r.status < 400 || !strings.Contains(string(r.body), "wrong or expired") {
		t.Fatalf("add with a wrong code: %d %s", r.status, r.body)
	}
	next, _ := auth.TOTPCode(u.TOTPSecret, time.Now().Add(30*time.Second))
	begin := jsonPost("/newsroom/account/passkeys", `{"name":"ключ","code":"`+next+`"}`, "kk_session="+session)
	ceremony := cookieValue(begin, "kk_ceremony")
	if begin.status != 200 || ceremony == "" {
		t.Fatalf("begin registration: %d %s", begin.status, begin.body)
	}
	key := newSoftKey(t, origin)
	attestation := string(key.create(begin.body))
	if r := jsonPost("/newsroom/account/passkeys/finish", attestation, "kk_session="+session); r.status != 401 {
		t.Errorf("finish without the ceremony: %d", r.status)
	}
	done := jsonPost("/newsroom/account/passkeys/finish", attestation, "kk_session="+session, "kk_ceremony="+ceremony)
	if done.status != 200 || !strings.Contains(string(done.body), "/newsroom/account") {
		t.Fatalf("finish registration: %d %s", done.status, done.body)
	}
	if r := jsonPost("/newsroom/account/passkeys/finish", attestation, "kk_session="+session, "kk_ceremony="+ceremony); r.status != 401 {
		t.Errorf("the same registration twice: %d", r.status)
	}
	keys, _ := ta.Store.FindPasskeys(t.Context(), u.ID)
	if len(keys) != 1 || keys[0].Name != "ключ" || keys[0].ID != b64.EncodeToString(key.id) {
		t.Fatalf("stored passkeys: %+v", keys)
	}

	// Sign in with the password and the passkey.
	if r := jsonPost("/newsroom/login/passkey", `{"email":"`+email+`","password":"wrong password here"}`); r.status != 401 || !strings.Contains(string(r.body), wrongCreds) {
		t.Errorf("passkey sign-in with a wrong password: %d %s", r.status, r.body)
	}
	login := func(k *softKey) (begin, finish response) {
		begin = jsonPost("/newsroom/login/passkey", `{"email":"`+email+`","password":"`+password+`"}`)
		if begin.status != 200 {
			t.Fatalf("begin sign-in: %d %s", begin.status, begin.body)
		}
		return begin, jsonPost("/newsroom/login/passkey/finish", string(k.get(begin.body)), "kk_ceremony="+cookieValue(begin, "kk_ceremony"))
	}
	_, fin := login(key)
	signedIn := cookieValue(fin, "kk_session")
	if fin.status != 200 || signedIn == "" || !strings.Contains(string(fin.body), `"location":"/newsroom/"`) {
		t.Fatalf("finish sign-in: %d %s", fin.status, fin.body)
	}
	if r := ta.page(t, signedIn, "/newsroom/"); r.status != 200 {
		t.Errorf("the passkey session: %d", r.status)
	}
	if keys, _ := ta.Store.FindPasskeys(t.Context(), u.ID); keys[0].LastUsedAt.IsZero() || !strings.Contains(string(keys[0].Credential), `"signCount":1`) {
		t.Errorf("use not recorded: %+v %s", keys[0], keys[0].Credential)
	}

	// Another key, one from another site, and a replayed answer are refused.
	if _, r := login(newSoftKey(t, origin)); r.status != 401 || cookieValue(r, "kk_session") != "" {
		t.Errorf("an unknown key signed in: %d %s", r.status, r.body)
	}
	phished := *key
	phished.origin = ta.srv.URL // the right page, but not the origin the key is bound to
	if _, r := login(&phished); r.status != 401 || cookieValue(r, "kk_session") != "" {
		t.Errorf("an answer made for another origin signed in: %d %s", r.status, r.body)
	}
	b, _ := login(key)
	replay := jsonPost("/newsroom/login/passkey/finish", string(key.get(b.body)), "kk_ceremony="+cookieValue(b, "kk_ceremony"))
	if replay.status != 401 {
		t.Errorf("a finished ceremony was used again: %d", replay.status)
	}

	// Remove it: passkey sign-in then has nothing to offer.
	form := "id=" + keys[0].ID
	if r := ta.do(t, "POST", "/newsroom/account/passkeys/remove", "", strings.NewReader(form), "Content-Type", "application/x-www-form-urlencoded", "Cookie", "kk_session="+signedIn); r.status != http.StatusSeeOther {
		t.Fatalf("remove: %d %s", r.status, r.body)
	}
	if r := jsonPost("/newsroom/login/passkey", `{"email":"`+email+`","password":"`+password+`"}`); r.status != 401 || !strings.Contains(string(r.body), "no passkey") {
		t.Errorf("sign-in without passkeys: %d %s", r.status, r.body)
	}
	if r := jsonPost("/newsroom/login/passkey", `{"email": 5}`); r.status != 400 {
		t.Errorf("malformed JSON: %d", r.status)
	}
	log, _ := ta.Store.FindAudit(t.Context(), kolokol.AuditFilter{Actor: email})
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Action+" "+e.Detail)
	}
	all := strings.Join(actions, "\n")
	for _, want := range []string{"passkey.add ключ", "login.ok passkey", "passkey.remove", "login.fail passkey", "passkey.add.denied"} {
		if !strings.Contains(all, want) {
			t.Errorf("audit lacks %q:\n%s", want, all)
		}
	}
}

const wrongCreds = "The email, password or code is wrong."
