// Titles for search engines and social cards, an editable slug, Latin
// addresses: the editor fills the fields on a Ukrainian story, publishes,
// and the reader page's head carries them; a typed slug moves the story and
// its old address answers a 301 to the new one. The admin turns on Latin
// addresses for the Russian service and a new Russian story gets a Latin
// slug (then turns them off again, for the checks that follow).

const saveSel = '#story button[type=submit]:not([formaction])';

function metaOf(html, attr, key) {
  const re = new RegExp(`<meta ${attr}="${key}" content="([^"]*)"`);
  const m = html.match(re);
  return m ? m[1].replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#34;/g, '"').replace(/&#39;/g, "'") : null;
}

function titleOf(html) {
  const m = html.match(/<title>([^<]*)<\/title>/);
  return m ? m[1].replace(/&amp;/g, '&') : null;
}

// readerPath is the "Read it on the site" link of a live story's page.
async function readerPath(page, svc) {
  return page.getAttribute(`main a[href^="/${svc}/a/"]`, 'href');
}

export default async function (t) {
  const { browser, base, cred, adminCred, visit, expect, narrow } = t;
  const ec = await browser.newContext();
  const ac = await browser.newContext();
  let ap = null;
  let latinOn = false;
  try {
    const page = await ec.newPage();
    await t.signIn(page, base, cred);

    // 1. A Ukrainian story with its own titles, published.
    await page.goto(base + '/newsroom/stories/new?service=uk');
    const headline = 'Пором повертається до старого міста після сорока років';
    const seo = 'Пором повертається: SEO-заголовок';
    const social = 'Пором знову ходить — для соцмереж';
    const desc = 'Перший рейс за сорок років: опис для картки';
    await page.fill('#headline', headline);
    await page.fill('#summary', 'Короткий виклад.');
    await page.fill('#body', 'Перший абзац.');
    await page.fill('#seo_title', seo);
    await page.fill('#social_title', social);
    await page.fill('#social_description', desc);
    const count = (await page.textContent('#seo_title-hint').catch(() => '')) || '';
    const rec0 = await visit('newsroom-story-seo-new', null, page);
    expect(rec0, count.includes(`${[...seo].length} of about 60 characters`), 'seo-live-count', `the SEO title's hint says ${JSON.stringify(count)}`);
    await narrow(rec0, page);
    const [saved] = await Promise.all([page.waitForNavigation(), page.click(saveSel)]);
    const rec1 = await visit('newsroom-story-seo', saved, page);
    await narrow(rec1, page);
    expect(rec1, (await page.inputValue('#social_description')) === desc, 'seo-saved', 'the saved story does not show its social description');
    const story = page.url().replace(/\?.*$/, '');
    await Promise.all([page.waitForNavigation(), page.click('button[formaction$="/publish"]')]);
    const oldPath = await readerPath(page, 'uk');
    expect(rec1, oldPath && /^\/uk\/a\/\d+-/.test(oldPath), 'seo-published', `no reader link after publishing: ${oldPath}`);

    let html = await (await fetch(base + oldPath)).text();
    expect(rec1, (titleOf(html) || '').startsWith(seo + ' – '), 'seo-title-tag', `<title> is ${JSON.stringify(titleOf(html))}`);
    expect(rec1, metaOf(html, 'property', 'og:title') === social, 'seo-og-title', `og:title is ${JSON.stringify(metaOf(html, 'property', 'og:title'))}`);
    expect(rec1, metaOf(html, 'property', 'og:description') === desc, 'seo-og-description', `og:description is ${JSON.stringify(metaOf(html, 'property', 'og:description'))}`);
    expect(rec1, metaOf(html, 'name', 'twitter:card') === 'summary', 'seo-twitter-card', `twitter:card is ${JSON.stringify(metaOf(html, 'name', 'twitter:card'))}`);
    expect(rec1, html.includes(`<h1>${headline}</h1>`) || html.includes(headline), 'seo-headline-kept', 'the page does not show the headline');

    // 2. A typed slug: the story moves, the old address redirects.
    await page.goto(story);
    await page.fill('#slug', 'Porom povertaietsia!');
    await Promise.all([page.waitForNavigation(), page.click(saveSel)]);
    const rec2 = await visit('newsroom-story-slug', null, page);
    const newPath = await readerPath(page, 'uk');
    expect(rec2, newPath && newPath.endsWith('-porom-povertaietsia/'), 'seo-custom-slug', `after typing a slug the story is at ${newPath}`);
    const old = await fetch(base + oldPath, { redirect: 'manual' });
    const loc = old.headers.get('location') || '';
    expect(rec2, old.status === 301 && loc.endsWith(newPath), 'seo-old-slug-redirect', `${oldPath} answered ${old.status} to ${loc}, want 301 to ${newPath}`);
    const reader = { name: 'uk-article-seo', url: base + newPath, svc: 'uk', expectStatus: 200, article: true, checks: {} };
    t.pages.push(reader);
    await t.checkPage(browser, t.axeSource, reader);
    html = await (await fetch(base + newPath)).text();
    expect(rec2, metaOf(html, 'property', 'og:url') === base + newPath, 'seo-og-url', `og:url is ${metaOf(html, 'property', 'og:url')}`);

    // Bad input is refused naming the field, and nothing is saved.
    await page.goto(story);
    await page.fill('#slug', '');
    await page.fill('#seo_title', 'x'.repeat(201)).catch(() => {});
    await page.evaluate(() => { document.getElementById('seo_title').removeAttribute('maxlength'); document.getElementById('seo_title').value = 'x'.repeat(201); });
    const [refused] = await Promise.all([page.waitForNavigation(), page.click(saveSel)]);
    const rec3 = await visit('newsroom-story-seo-refused', refused, page);
    const said = (await page.textContent('main')) || '';
    expect(rec3, refused.status() === 422 && /seo_title|search engines/i.test(said), 'seo-refused', `a 201-character SEO title answered ${refused.status()}: ${said.slice(0, 200)}`);
    const still = await fetch(base + newPath, { redirect: 'manual' });
    expect(rec3, still.status === 200, 'seo-refused-nothing-saved', `after a refused save ${newPath} answers ${still.status}`);

    // 3. Latin addresses for the Russian service.
    ap = await ac.newPage();
    await t.signIn(ap, base, adminCred);
    const settings = await ap.goto(base + '/newsroom/services/ru');
    const rec4 = await visit('newsroom-settings-latin', settings, ap);
    await narrow(rec4, ap);
    await ap.check('input[name=latin_slugs]');
    await Promise.all([ap.waitForNavigation(), ap.click('form[action="/newsroom/services/ru"] button[type=submit]')]);
    latinOn = await ap.isChecked('input[name=latin_slugs]');
    expect(rec4, latinOn, 'seo-latin-setting', 'the Latin addresses setting did not stay on');

    await page.goto(base + '/newsroom/stories/new?service=ru');
    await page.fill('#headline', 'Паром вернулся в старый город');
    await page.fill('#body', 'Первый абзац.');
    await Promise.all([page.waitForNavigation(), page.click(saveSel)]);
    await Promise.all([page.waitForNavigation(), page.click('button[formaction$="/publish"]')]);
    const rec5 = await visit('newsroom-story-latin', null, page);
    const ruPath = await readerPath(page, 'ru');
    expect(rec5, ruPath && ruPath.endsWith('-parom-vernulsya-v-staryy-gorod/'), 'seo-latin-slug', `a Russian story with Latin addresses is at ${ruPath}`);
    const ruPage = await fetch(base + ruPath, { redirect: 'manual' });
    expect(rec5, ruPage.status === 200, 'seo-latin-page', `${ruPath} answers ${ruPage.status}`);
  } finally {
    if (ap && latinOn) {
      await ap.goto(base + '/newsroom/services/ru').catch(() => {});
      await ap.uncheck('input[name=latin_slugs]').catch(() => {});
      await Promise.all([ap.waitForNavigation(), ap.click('form[action="/newsroom/services/ru"] button[type=submit]')]).catch(() => {});
    }
    await ec.close().catch(() => {});
    await ac.close().catch(() => {});
  }
}
