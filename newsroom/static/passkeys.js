// Passkeys for the Kolokol newsroom: a progressive enhancement. Without this
// script (or without WebAuthn in the browser) everything else works, and
// sign-in takes the code from an authenticator app.
'use strict';
(() => {
  if (!window.PublicKeyCredential || !navigator.credentials) return;

  const bytes = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)).buffer;
  const b64 = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

  // Browsers before the JSON helpers get the options converted by hand.
  const creationOptions = (o) => {
    if (PublicKeyCredential.parseCreationOptionsFromJSON) return PublicKeyCredential.parseCreationOptionsFromJSON(o);
    return {
      ...o,
      challenge: bytes(o.challenge),
      user: { ...o.user, id: bytes(o.user.id) },
      excludeCredentials: (o.excludeCredentials || []).map((c) => ({ ...c, id: bytes(c.id) })),
    };
  };
  const requestOptions = (o) => {
    if (PublicKeyCredential.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(o);
    return { ...o, challenge: bytes(o.challenge), allowCredentials: (o.allowCredentials || []).map((c) => ({ ...c, id: bytes(c.id) })) };
  };
  const credentialJSON = (c) => {
    if (c.toJSON) return c.toJSON();
    const r = c.response;
    const response = { clientDataJSON: b64(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = b64(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = b64(r.authenticatorData);
      response.signature = b64(r.signature);
      if (r.userHandle) response.userHandle = b64(r.userHandle);
    }
    return { id: c.id, rawId: b64(c.rawId), type: c.type, response, clientExtensionResults: c.getClientExtensionResults() };
  };

  const say = (msg) => {
    const el = document.getElementById('passkey-status');
    if (el) el.textContent = msg;
  };
  const post = async (url, body) => {
    const r = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(answer.error || `The server answered ${r.status}.`);
    return answer;
  };
  const why = (e) => (e.name === 'NotAllowedError' ? 'The passkey request was cancelled or timed out.' : e.message);

  const login = document.getElementById('passkey-login');
  if (login) {
    login.hidden = false;
    login.addEventListener('click', async () => {
      const email = document.getElementById('email');
      const password = document.getElementById('password');
      if (!email.reportValidity() || !password.reportValidity()) return;
      try {
        say('Checking your password…');
        const resume = document.getElementById('resume');
        const opts = await post('/newsroom/login/passkey', { email: email.value, password: password.value, ...(resume ? { resume: resume.value } : {}) });
        say('Use your passkey now.');
        const cred = await navigator.credentials.get({ publicKey: requestOptions(opts.publicKey) });
        const done = await post('/newsroom/login/passkey/finish', credentialJSON(cred));
        location.assign(done.location);
      } catch (e) {
        say(why(e));
      }
    });
  }

  const add = document.getElementById('passkey-add');
  if (add) {
    add.hidden = false;
    add.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        const opts = await post('/newsroom/account/passkeys', {
          name: document.getElementById('passkey-name').value,
          code: document.getElementById('passkey-code').value,
        });
        say('Use your passkey now.');
        const cred = await navigator.credentials.create({ publicKey: creationOptions(opts.publicKey) });
        const done = await post('/newsroom/account/passkeys/finish', credentialJSON(cred));
        location.assign(done.location);
      } catch (e) {
        say(why(e));
      }
    });
  }
})();
