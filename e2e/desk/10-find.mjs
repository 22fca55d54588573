// Finding stories on the dashboard (issue 17): the demo editor, who works on
// every service, searches all of their desks for published stories, pages
// on, saves the search, opens it from its link and deletes it. Every page
// gets axe, the Nu checker and the 390 px check; all of it works with
// plain forms and links.

export default async function (t) {
  const { browser, local, cred, visit, expect, signIn, narrow } = t;
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    const resp = await signIn(page, local, cred);
    const dash = await visit('newsroom-find-home', resp, page);
    expect(dash, new URL(page.url()).pathname === '/newsroom/', 'find-sign-in', `signing in ended at ${page.url()}`);
    await narrow(dash, page);

    // Two filters: all my desks, published.
    await page.selectOption('#service', 'all');
    await page.selectOption('#status', 'published');
    const [found] = await Promise.all([page.waitForNavigation(), page.click('form.filters button[type=submit]')]);
    const list = await visit('newsroom-find-results', found, page);
    const caption = (await page.textContent('main table caption').catch(() => '')) || '';
    expect(list, /^All my desks: 1–50 of \d+ stories$/.test(caption.trim()), 'find-count', `the results say "${caption}"`);
    const q = new URL(page.url()).searchParams;
    expect(list, q.get('service') === 'all' && q.get('status') === 'published', 'find-filters', `the results are at ${page.url()}`);
    await narrow(list, page);

    // The next page keeps the filters.
    const [nextResp] = await Promise.all([page.waitForNavigation(), page.click('a[rel=next]')]);
    const next = await visit('newsroom-find-page-2', nextResp, page);
    const caption2 = (await page.textContent('main table caption').catch(() => '')) || '';
    const q2 = new URL(page.url()).searchParams;
    expect(next, /^All my desks: 51–\d+ of \d+ stories$/.test(caption2.trim()) && q2.get('page') === '2' && q2.get('status') === 'published',
      'find-next-page', `page 2 says "${caption2}" at ${page.url()}`);
    expect(next, (await page.$('a[rel=prev]')) !== null, 'find-prev-link', 'page 2 has no link to page 1');
    await narrow(next, page);

    // Save the search, then open it from its link.
    const name = 'e2e: published everywhere';
    await page.fill('#search-name', name);
    const [savedResp] = await Promise.all([page.waitForNavigation(), page.click('form.save-search button[type=submit]')]);
    const saved = await visit('newsroom-find-saved', savedResp, page);
    const link = page.locator('nav.saved a', { hasText: name });
    expect(saved, (await link.count()) === 1, 'find-saved-link', 'the saved search is not listed as a link');
    await narrow(saved, page);
    await page.goto(local + '/newsroom/?service=fa');
    const [openResp] = await Promise.all([page.waitForNavigation(), link.click()]);
    const opened = await visit('newsroom-find-saved-opened', openResp, page);
    const q3 = new URL(page.url()).searchParams;
    expect(opened, q3.get('service') === 'all' && q3.get('status') === 'published' && !q3.has('page'), 'find-saved-open',
      `the saved search opened ${page.url()}`);

    // Delete it.
    const [delResp] = await Promise.all([page.waitForNavigation(),
      page.click(`nav.saved button[aria-label="Delete the saved search “${name}”"]`)]);
    const deleted = await visit('newsroom-find-deleted', delResp, page);
    expect(deleted, (await page.locator('nav.saved a', { hasText: name }).count()) === 0, 'find-saved-delete', 'the deleted search is still listed');

    // The account page's home desk.
    const account = await visit('newsroom-find-account', await page.goto(local + '/newsroom/account'), page);
    expect(account, (await page.$('#home-desk')) !== null, 'find-home-desk', 'the account page offers no home desk');
    await narrow(account, page);
  } finally {
    await context.close();
  }
}
