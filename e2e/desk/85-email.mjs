// The email edition, end to end (issue 19), for every checked service: a
// reader's malformed address is refused beside its field, keeping the
// choices; a good one gets "check your inbox"; the confirmation mail,
// read back from Mailpit, leads to a page with one button, which confirms.
// The desk then sets a breaking banner: its alert reaches the reader with
// RFC 8058 one-click headers, in the service's language and direction;
// its unsubscribe link's page exports what is kept (the address, as JSON)
// and unsubscribes, after which the link leads nowhere. Every page on the
// way gets axe, Nu, the 390 px phone viewport and the service's direction;
// at the end the reader's browser holds no cookie and asked no other host
// for anything.

import fs from 'node:fs';

const RTL = new Set(['ar', 'ckb', 'dv', 'fa', 'he', 'prs', 'ps', 'ug', 'ur', 'yi']);
const MAIL_WAIT_MS = 90_000;

async function submit(page, selector) {
  const [resp] = await Promise.all([page.waitForNavigation(), page.click(selector)]);
  return resp;
}

async function getJSON(url) {
  const r = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (r.status !== 200) throw new Error(`GET ${url}: ${r.status}`);
  return r.json();
}

// mailTo waits for the newest mail to address whose subject passes want,
// and returns it whole: subject, text and HTML parts, and headers.
async function mailTo(api, address, want, what) {
  const deadline = Date.now() + MAIL_WAIT_MS;
  for (;;) {
    const list = await getJSON(`${api}/api/v1/messages?limit=200`);
    const m = (list.messages || []).find((x) => (x.To || []).some((a) => a.Address === address) && want(x.Subject || ''));
    if (m) {
      const msg = await getJSON(`${api}/api/v1/message/${encodeURIComponent(m.ID)}`);
      const headers = await getJSON(`${api}/api/v1/message/${encodeURIComponent(m.ID)}/headers`);
      return { subject: msg.Subject || '', text: msg.Text || '', html: msg.HTML || '', headers };
    }
    if (Date.now() > deadline) throw new Error(`no ${what} reached ${address} in ${MAIL_WAIT_MS / 1000}s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

// linkIn finds the first address of /{svc}/email/{step}?t=… in a mail's text.
function linkIn(text, svc, step) {
  const m = text.match(new RegExp(`https?://[^\\s<>"]+/${svc}/email/${step}\\?t=[^\\s<>"]+`));
  return m ? m[0] : null;
}

export default async function (t) {
  const { browser, base, cred, visit, expect, signIn, narrow, services, mailpit } = t;
  if (!mailpit) return; // startMailpit said why (a failure under KOLOKOL_REQUIRE_ALL=1)
  const origin = new URL(base);
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const elsewhere = new Set();
  page.on('request', (req) => {
    const u = new URL(req.url());
    if (u.host !== origin.host) elsewhere.add(u.origin);
  });
  // onSite is a mail's link on the server under test (the links are
  // absolute, made from --base-url, which the suite leaves at its default).
  const onSite = (link) => {
    const u = new URL(link);
    return base + u.pathname + u.search;
  };
  let last = null;
  const check = async (svc, name, resp, status) => {
    const rec = await visit(`${svc}-email-${name}`, resp, page);
    last = rec;
    expect(rec, rec.status === status, 'email-status', `${svc} email ${name}: status ${rec.status}, want ${status}`);
    const got = await page.evaluate(() => ({ lang: document.documentElement.lang, dir: getComputedStyle(document.body).direction }));
    const dir = RTL.has(svc) ? 'rtl' : 'ltr';
    expect(rec, got.lang.split('-')[0] === svc.split('-')[0] && got.dir === dir, 'email-lang-dir',
      `${svc} email ${name}: lang ${JSON.stringify(got.lang)}, direction ${got.dir}; want ${svc}, ${dir}`);
    await narrow(rec, page);
    return rec;
  };

  const readers = [];
  try {
    for (const svc of services) {
      const address = `reader-${svc}-${Date.now()}@example.org`;
      await page.goto(`${base}/${svc}/email/`);

      // A malformed address, past the browser's own check: refused beside
      // the field, the reader's choices kept.
      await page.$eval('form.email', (f) => { f.noValidate = true; });
      await page.fill('#email-address', 'reader at example.org');
      await page.check('#email-alerts');
      const bad = await check(svc, 'problem', await submit(page, 'form.email button[type=submit]'), 400);
      const field = await page.evaluate(() => {
        const f = document.getElementById('email-address');
        return { invalid: f?.getAttribute('aria-invalid'), described: f?.getAttribute('aria-describedby'), value: f?.value,
          problem: document.getElementById('email-problem')?.textContent || '', alerts: document.getElementById('email-alerts')?.checked };
      });
      expect(bad, field.invalid === 'true' && field.described === 'email-problem' && field.problem.trim() !== '' &&
        field.value === 'reader at example.org' && field.alerts === true, 'email-problem',
        `the refused address's form: ${JSON.stringify(field)}`);

      // A good address: "check your inbox", whatever the address was.
      await page.fill('#email-address', address);
      await page.check('#email-digest');
      await page.check('#email-alerts');
      const sent = await check(svc, 'sent', await submit(page, 'form.email button[type=submit]'), 200);
      const says = ((await page.textContent('main [role=status]').catch(() => '')) || '').trim();
      expect(sent, says !== '', 'email-sent', 'the page after subscribing has no status line');

      // The confirmation mail, and its link's page: a button, never a GET
      // that confirms (mail scanners follow links).
      const confirmation = await mailTo(mailpit.api, address, () => true, 'confirmation mail');
      const confirmLink = linkIn(confirmation.text, svc, 'confirm');
      expect(sent, !!confirmLink && confirmation.html.includes(`dir="${RTL.has(svc) ? 'rtl' : 'ltr'}"`), 'email-confirmation-mail',
        `the confirmation mail ${JSON.stringify(confirmation.subject)} ${confirmLink ? 'is not in the service direction' : 'has no confirmation link'}`);
      if (!confirmLink) continue;
      const confirmPage = await check(svc, 'confirm', await page.goto(onSite(confirmLink)), 200);
      expect(confirmPage, !!(await page.$('button[name=confirm]')), 'email-confirm-button', 'the confirmation page has no button');
      await check(svc, 'confirmed', await submit(page, 'button[name=confirm]'), 200);
      readers.push({ svc, address });
    }

    // The desk sets a breaking banner on each service; each reader gets
    // the alert.
    const ed = await browser.newContext();
    const ep = await ed.newPage();
    try {
      await signIn(ep, base, cred);
      for (const r of readers) {
        r.banner = `E2E alert ${r.svc} ${Date.now()}`;
        await ep.goto(`${base}/newsroom/?service=${r.svc}`);
        await ep.fill('#breaking-text', r.banner);
        await ep.selectOption('#breaking-hours', '1');
        await submit(ep, 'form[action="/newsroom/breaking"] button[value=set]');
      }

      for (const r of readers) {
        const alert = await mailTo(mailpit.api, r.address, (s) => s.includes(r.banner), 'breaking alert');
        const h = (name) => (alert.headers[name] || []).join('\n');
        const unsubscribe = linkIn(alert.text, r.svc, 'unsubscribe');
        const listUnsub = h('List-Unsubscribe');
        const lang = h('Content-Language');
        const rec = last;
        expect(rec, !!unsubscribe && listUnsub === `<${unsubscribe}>` && h('List-Unsubscribe-Post') === 'List-Unsubscribe=One-Click' &&
          lang.split('-')[0] === r.svc && !!h('List-Id'), 'email-alert-headers',
          `the ${r.svc} alert's headers: List-Unsubscribe ${JSON.stringify(listUnsub)}, List-Unsubscribe-Post ${JSON.stringify(h('List-Unsubscribe-Post'))}, ` +
          `Content-Language ${JSON.stringify(lang)}, List-Id ${JSON.stringify(h('List-Id'))}; link in the text ${JSON.stringify(unsubscribe)}`);
        expect(rec, alert.html.includes(`lang="${lang}" dir="${RTL.has(r.svc) ? 'rtl' : 'ltr'}"`) && !/<img\b/i.test(alert.html), 'email-alert-html',
          `the ${r.svc} alert's HTML part is not in the service's language and direction, or has a picture (a pixel?)`);
        if (!unsubscribe) continue;

        // The unsubscribe link's page: export, then one click.
        const un = await check(r.svc, 'unsubscribe', await page.goto(onSite(unsubscribe)), 200);
        const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.click('button[name=export]')]);
        let kept = null;
        try {
          kept = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
        } catch (e) {
          kept = { error: e.message };
        }
        expect(un, JSON.stringify(kept).includes(r.address), 'email-export', `the export ${JSON.stringify(kept).slice(0, 300)} lacks the address`);
        await check(r.svc, 'unsubscribed', await submit(page, 'button[name="List-Unsubscribe"]'), 200);
        await check(r.svc, 'unsubscribe-gone', await page.goto(onSite(unsubscribe)), 404);
      }

      // The banners go again: later checks see the reader pages as before.
      for (const r of readers) {
        await ep.goto(`${base}/newsroom/?service=${r.svc}`);
        if (await ep.$('button[value=clear]')) await submit(ep, 'button[value=clear]');
      }
    } finally {
      await ed.close().catch(() => {});
    }

    if (last) {
      const cookies = await ctx.cookies();
      expect(last, cookies.length === 0, 'email-no-cookie', `the reader's browser holds cookies: ${cookies.map((c) => c.name).join(', ')}`);
      expect(last, elsewhere.size === 0, 'email-one-origin', `the email pages asked other hosts: ${[...elsewhere].join(', ')}`);
    }
    expect(last || { name: 'email', url: base, checks: {} }, readers.length === services.length, 'email-subscribed',
      `${readers.length} of ${services.length} services took a subscription to the end`);
  } finally {
    await ctx.close().catch(() => {});
  }
}
