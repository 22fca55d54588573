// Translations from a picker: the demo editor writes an English story and
// translates it into Persian; the new draft opens, and its page lists both
// versions. The editor unlinks the draft, then finds the English story by
// a word of its headline and links it back, by choosing from the list.
// Every page on the way is checked (status, axe, Nu, 390 px).

const saveSel = '#story button[type=submit]:not([formaction])';

const idOf = (url) => Number((new URL(url).pathname.match(/^\/newsroom\/stories\/(\d+)/) || [])[1] || 0);

// versions lists the versions section's entries as "service name|headline".
async function versions(page) {
  return page.$$eval('#versions-list li', (lis) => lis.map((li) => {
    const name = li.querySelector('span[lang]');
    const head = li.querySelector('a[lang], span[dir=auto]');
    return `${name ? name.textContent.trim() : ''}|${head ? head.textContent.trim() : ''}`;
  }));
}

export default async function (t) {
  const { browser, base, cred, visit, expect, narrow } = t;
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await t.signIn(page, base, cred);

    // 1. An English story, with no versions yet.
    const word = 'Ferrytranslate' + Date.now().toString(36);
    const headline = `${word} returns to the old town`;
    await page.goto(base + '/newsroom/stories/new?service=en');
    await page.fill('#headline', headline);
    const [saved] = await Promise.all([page.waitForNavigation(), page.click(saveSel)]);
    const enID = idOf(page.url());
    const rec0 = await visit('newsroom-story-versions-none', saved, page);
    await narrow(rec0, page);
    const none = (await page.textContent('#versions')) || '';
    expect(rec0, enID > 0 && none.includes('no versions in other languages'), 'translate-none', `the new story ${page.url()} says: ${none.slice(0, 200)}`);

    // 2. Translate into Persian: the draft opens and lists both versions.
    await page.selectOption('#translate-service', 'fa');
    const [made] = await Promise.all([page.waitForNavigation(), page.click('#versions form[action$="/translate"] button[type=submit]')]);
    const faID = idOf(page.url());
    const rec1 = await visit('newsroom-story-translated-fa', made, page);
    await narrow(rec1, page);
    const formDir = await page.getAttribute('#story', 'dir');
    let list = await versions(page);
    expect(rec1, faID > 0 && faID !== enID && formDir === 'rtl', 'translate-opens-draft', `after Translate the page is ${page.url()} (form dir ${formDir})`);
    expect(rec1, list.length === 2 && list.some((v) => v.startsWith('English|' + headline)) && list.some((v) => v.startsWith('فارسی|' + headline)),
      'translate-versions-listed', `the draft lists ${JSON.stringify(list)}`);
    const copied = await page.inputValue('#headline');
    expect(rec1, copied === headline, 'translate-headline-copied', `the draft's headline is ${JSON.stringify(copied)}`);

    // 3. Unlink the draft: neither lists the other.
    const [unlinked] = await Promise.all([page.waitForNavigation(),
      page.click(`#versions-list form[action$="/unlink"]:has(input[value="${faID}"]) button`)]);
    const rec2 = await visit('newsroom-story-unlinked', unlinked, page);
    const after = (await page.textContent('#versions')) || '';
    expect(rec2, after.includes('no versions in other languages'), 'translate-unlinked', `after Unlink the draft says: ${after.slice(0, 200)}`);

    // 4. Link back: find the English story by a word of its headline and
    // choose it from the list.
    await page.selectOption('#link-service', 'en');
    await page.fill('#link-q', word);
    const [found] = await Promise.all([page.waitForNavigation(), page.click('#versions form[role=search] button[type=submit]')]);
    const rec3 = await visit('newsroom-story-link-search', found, page);
    await narrow(rec3, page);
    const choice = `#versions form[action$="/link"]:has(input[name=other][value="${enID}"]) button`;
    expect(rec3, (await page.$(choice)) !== null, 'translate-link-found', `searching en for ${word} does not offer story ${enID}`);
    const [linked] = await Promise.all([page.waitForNavigation(), page.click(choice)]);
    const rec4 = await visit('newsroom-story-linked', linked, page);
    list = await versions(page);
    expect(rec4, idOf(page.url()) === faID && list.length === 2 && list.some((v) => v.startsWith('English|')), 'translate-linked',
      `after Link, ${page.url()} lists ${JSON.stringify(list)}`);

    // The English story lists the Persian one too.
    const back = await page.goto(base + '/newsroom/stories/' + enID);
    const rec5 = await visit('newsroom-story-versions-en', back, page);
    list = await versions(page);
    expect(rec5, list.some((v) => v.startsWith('فارسی|')), 'translate-linked-both-ways', `the English story lists ${JSON.stringify(list)}`);
  } finally {
    await context.close().catch(() => {});
  }
}
