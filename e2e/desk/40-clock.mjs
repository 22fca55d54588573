// One clock, and errors beside their field: the editor sets a time zone on
// the account page (a bad one is refused beside the field, linked from the
// summary, keeping what was typed), sees the dashboard in it, schedules a
// Farsi story in the service's zone (Tehran), and has a past time refused
// with the time the desk understood, keeping what was typed.

async function submit(page, selector) {
  const [resp] = await Promise.all([page.waitForNavigation(), page.click(selector)]);
  return resp;
}

// summaryLinks checks the error summary's link to #id: it is there, the
// field says it is invalid and is described by its own error, and
// following the link lands on the field.
async function summaryLinks(t, rec, page, id) {
  const link = await page.$(`.error-summary a[href="#${id}"]`);
  t.expect(rec, !!link, 'clock-error-summary', `no link to #${id} in the error summary`);
  const field = await page.$eval(`#${id}`, (el) => ({
    invalid: el.getAttribute('aria-invalid'),
    describedBy: el.getAttribute('aria-describedby'),
    error: (document.getElementById(el.getAttribute('aria-describedby') || '') || {}).textContent || '',
  }));
  t.expect(rec, field.invalid === 'true' && field.describedBy === `${id}-error` && field.error.startsWith('Error:'),
    'clock-field-error', `#${id} is not marked with its own error: ${JSON.stringify(field)}`);
  if (link) {
    await link.click();
    const landed = await page.evaluate((id) => {
      const el = document.getElementById(id);
      const r = el.getBoundingClientRect();
      return location.hash === '#' + id && r.bottom > 0 && r.top < innerHeight;
    }, id);
    t.expect(rec, landed, 'clock-summary-link', `following the summary's link did not bring #${id} into view`);
  }
}

export default async function (t) {
  const context = await t.browser.newContext();
  const page = await context.newPage();
  try {
    await t.signIn(page, t.base, t.cred);

    // A zone that is not one: refused beside the field, kept as typed.
    let resp = await page.goto(t.base + '/newsroom/account');
    await page.fill('#zone', 'Mars/Olympus');
    resp = await submit(page, 'form[action="/newsroom/account/zone"] button[type=submit]');
    let rec = await t.visit('newsroom-clock-zone-refused', resp, page);
    t.expect(rec, resp.status() === 422, 'clock-zone-refused', `a bad zone answered ${resp.status()}`);
    t.expect(rec, (await page.inputValue('#zone')) === 'Mars/Olympus', 'clock-zone-kept', 'the typed zone was not kept');
    await summaryLinks(t, rec, page, 'zone');
    await t.narrow(rec, page);

    // A real one: the account page and the dashboard show Tehran time.
    await page.fill('#zone', 'Asia/Tehran');
    resp = await submit(page, 'form[action="/newsroom/account/zone"] button[type=submit]');
    rec = await t.visit('newsroom-clock-account', resp, page);
    const nowText = (await page.textContent('main time')) || '';
    t.expect(rec, nowText.includes('Tehran (UTC+03:30)'), 'clock-account-zone', `the account page shows "${nowText}"`);
    await t.narrow(rec, page);
    resp = await page.goto(t.base + '/newsroom/?service=fa');
    rec = await t.visit('newsroom-clock-dashboard', resp, page);
    const times = await page.$$eval('main time', (els) => els.map((e) => e.textContent));
    t.expect(rec, times.length > 0 && times.every((s) => s.includes('Tehran (UTC+03:30)')), 'clock-dashboard-zone',
      `dashboard times not in the editor's zone: ${JSON.stringify(times.slice(0, 3))}`);
    await t.narrow(rec, page);

    // A story of the Farsi service: its schedule is read in Tehran time.
    await page.goto(t.base + '/newsroom/stories/new?service=fa');
    await page.fill('#headline', 'ساعت تهران');
    await page.fill('#body', 'بند نخست.');
    await submit(page, '#story button[type=submit]:not([formaction])');
    const story = page.url().replace(/\?.*$/, '');
    const label = (await page.textContent('label[for="at"]')) || '';
    rec = { name: 'newsroom-clock-story', url: story, checks: {} };
    t.expect(rec, label.includes('Tehran time'), 'clock-schedule-label', `the schedule input is labelled "${label}"`);

    // A time that has passed: refused, kept, and the time understood said.
    await page.fill('#at', '2020-01-01T09:00');
    resp = await submit(page, 'button[formaction$="/schedule"]');
    rec = await t.visit('newsroom-clock-schedule-past', resp, page);
    const said = (await page.textContent('.error-summary')) || '';
    t.expect(rec, said.includes('1 Jan 2020, 09:00 Tehran (UTC+03:30) has already passed'), 'clock-past-said', `the refusal says "${said.trim()}"`);
    t.expect(rec, (await page.inputValue('#at')) === '2020-01-01T09:00', 'clock-past-kept', 'the typed time was not kept');
    await summaryLinks(t, rec, page, 'at');
    await t.narrow(rec, page);

    // A time to come: scheduled, and shown in Tehran time.
    await page.fill('#at', '2030-06-01T09:00');
    resp = await submit(page, 'button[formaction$="/schedule"]');
    rec = await t.visit('newsroom-clock-scheduled', resp, page);
    const status = (await page.textContent('h1 + p')) || '';
    t.expect(rec, status.includes('to publish 1 Jun 2030, 09:00 Tehran (UTC+03:30)'), 'clock-scheduled', `the story says "${status.trim()}"`);
    const at = await page.getAttribute('h1 + p time', 'datetime');
    t.expect(rec, at === '2030-06-01T05:30:00Z', 'clock-scheduled-instant', `scheduled for ${at}, want 2030-06-01T05:30:00Z`);
    await t.narrow(rec, page);
    await submit(page, 'button[formaction$="/unpublish"]'); // leave the desk as it was
  } finally {
    // The editor's zone back to none, for the checks after this one.
    await page.goto(t.base + '/newsroom/account').catch(() => {});
    await page.fill('#zone', '').catch(() => {});
    await submit(page, 'form[action="/newsroom/account/zone"] button[type=submit]').catch(() => {});
    await context.close().catch(() => {});
  }
}
