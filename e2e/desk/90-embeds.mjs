// Cards of posts (issue 18, part 3, the newsroom's side): "Make a card for
// a post" works without JavaScript in English and in Farsi (right to left),
// at 390 px too; the hand-written card gives its embed block; an address of
// no network is refused beside its field; and the JSON the story editor's
// script reads answers 400 for such an address and 422 "manual" for a
// network the server cannot card (Instagram without a Meta token). The
// page loads no script at all, so nothing on it can need JavaScript (the
// browser keeps JavaScript on only for axe). Nothing here asks a real
// network: the server under test is offline.

export default async function (t) {
  const { browser, base, cred, visit, expect, narrow } = t;
  const ctx = await browser.newContext();
  const js = await browser.newContext();
  try {
    const page = await ctx.newPage();
    await t.signIn(page, base, cred);

    // The link under the story's body.
    await page.goto(base + '/newsroom/stories/new?service=en');
    const link = await page.getAttribute('a[href="/newsroom/embeds?service=en"]', 'href').catch(() => null);
    const en = await visit('newsroom-embeds-en', await page.goto(base + '/newsroom/embeds?service=en'), page);
    expect(en, link !== null, 'embeds-linked', 'the story form does not link to the card page');
    expect(en, (await page.textContent('h1')) === 'Make a card for a post – English', 'embeds-page', `the page's heading is ${JSON.stringify(await page.textContent('h1'))}`);
    await narrow(en, page);
    const scripts = await page.$$eval('script', (s) => s.length);
    expect(en, scripts === 0, 'embeds-no-script', `the card page loads ${scripts} scripts`);

    // An address of no network: refused beside the field, nothing made.
    await page.fill('#embed-url', 'https://example.org/post/1');
    const [refused] = await Promise.all([page.waitForNavigation(), page.click('form[action="/newsroom/embeds"] button[type=submit]')]);
    const bad = await visit('newsroom-embeds-refused', refused, page);
    const said = (await page.textContent('#embed-url-error').catch(() => '')) || '';
    expect(bad, refused.status() === 422 && said.includes('example.org is not the address of a post') && (await page.$('#embed-block')) === null,
      'embeds-refused', `a foreign address answered ${refused.status()} saying ${JSON.stringify(said)}`);

    // Farsi: the page, then a Telegram card written by hand.
    const fa = await visit('newsroom-embeds-fa', await page.goto(base + '/newsroom/embeds?service=fa'), page);
    await narrow(fa, page);
    const dir = await page.$eval('form[action="/newsroom/embeds/manual"]', (f) => getComputedStyle(f).direction);
    expect(fa, dir === 'rtl', 'embeds-rtl', `the Farsi card form lays out ${dir}`);
    await page.fill('#card-url', 'https://t.me/kolokolnews/42');
    await page.fill('#card-author', 'خبرگزاری کلوکل');
    await page.fill('#card-text', 'کشتی پس از چهل سال\nبه شهر قدیم بازگشت.');
    await page.fill('#card-date', '2026-11-30');
    const [made] = await Promise.all([page.waitForNavigation(), page.click('form[action="/newsroom/embeds/manual"] button[type=submit]')]);
    const blockRec = await visit('newsroom-embeds-fa-block', made, page);
    await narrow(blockRec, page);
    const block = await page.inputValue('#embed-block').catch(() => '');
    const want = '```embed\nurl: https://t.me/kolokolnews/42\nprovider: telegram\nauthor: خبرگزاری کلوکل\ntext: کشتی پس از چهل سال به شهر قدیم بازگشت.\ndate: 2026-11-30\n```\n';
    expect(blockRec, made.status() === 200 && block === want, 'embeds-manual-block', `the hand-written card gave ${made.status()} ${JSON.stringify(block)}`);
    const readOnly = await page.$eval('#embed-block', (e) => e.readOnly).catch(() => false);
    expect(blockRec, readOnly, 'embeds-block-readonly', 'the block is not in a read-only box');

    // The JSON the story editor's script reads, same-origin as it sends it.
    const jp = await js.newPage();
    await t.signIn(jp, base, cred);
    const answers = await jp.evaluate(async () => {
      const ask = async (url) => {
        const r = await fetch('/newsroom/embeds', { method: 'POST', headers: { Accept: 'application/json' }, body: new URLSearchParams({ url, service: 'en' }) });
        return { status: r.status, body: await r.json().catch(() => null) };
      };
      return { foreign: await ask('https://example.org/p'), instagram: await ask('https://www.instagram.com/p/Cx1/') };
    });
    expect(blockRec, answers.foreign.status === 400 && typeof answers.foreign.body?.error === 'string' && answers.foreign.body.manual === undefined,
      'embeds-json-400', `a foreign address answered ${JSON.stringify(answers.foreign)}`);
    expect(blockRec, answers.instagram.status === 422 && answers.instagram.body?.manual === true && answers.instagram.body?.provider === 'instagram',
      'embeds-json-422', `Instagram without a token answered ${JSON.stringify(answers.instagram)}`);
  } finally {
    await ctx.close().catch(() => {});
    await js.close().catch(() => {});
  }
}
