// Roles per desk: the admin gives a new account editor on the Georgian desk
// and reporter on the Arabic one; the account submits a story on its
// reporter desk and sees it in "My submissions"; the demo editor sees it
// awaiting review on the dashboard and is told in the notifications, which
// open the story. Every page: status, axe, Nu, and 390 px.

export default async function (t) {
  const { browser, local, visit, expect, narrow } = t;
  const stamp = Date.now();
  const email = `aziz-${stamp}@example.org`;
  const headline = `خبر عاجل من المكتب ${stamp}`;

  const ac = await browser.newContext();
  const rc = await browser.newContext();
  const ec = await browser.newContext();
  try {
    // The admin adds the account with two desks, one role each.
    const ap = await ac.newPage();
    await t.signIn(ap, t.local, t.adminCred);
    const accounts = await visit('roles-accounts', await ap.goto(local + '/newsroom/accounts'), ap);
    await narrow(accounts, ap);
    await ap.fill('#email', email);
    await ap.fill('#name', 'Aziz Rahimi');
    await ap.selectOption('#desk-ka', 'editor');
    await ap.selectOption('#desk-fa', 'reporter');
    const [addResp] = await Promise.all([ap.waitForNavigation(), ap.click('form[action="/newsroom/accounts"] button')]);
    const added = await visit('roles-account-added', addResp, ap);
    const link = await ap.textContent('#enrol-link').catch(() => null);
    expect(added, !!link && link.includes('/newsroom/enrol/'), 'roles-add-account', 'adding an account with two desks showed no enrolment link');
    const roles = await ap.evaluate(() => ({ ka: document.querySelector('#edit-desk-ka')?.value, fa: document.querySelector('#edit-desk-fa')?.value, ru: document.querySelector('#edit-desk-ru')?.value }));
    expect(added, roles.ka === 'editor' && roles.fa === 'reporter' && roles.ru === '', 'roles-desks-stored', `the new account's desks as shown: ${JSON.stringify(roles)}`);
    await narrow(added, ap);
    const listed = (await ap.textContent('main table')).includes('fa: reporter');
    expect(added, listed, 'roles-accounts-list', 'the accounts list does not show the role per desk');

    // The account enrols, writes on its reporter desk and submits.
    const rp = await rc.newPage();
    await rp.goto(new URL(link.trim()).pathname.replace(/^/, local));
    const secret = (await rp.textContent('main code')).trim();
    const aziz = { email, password: 'three rivers meet at dusk', totp: secret };
    await rp.fill('#password', aziz.password);
    await rp.fill('#code', await t.freshCode(secret));
    await Promise.all([rp.waitForNavigation(), rp.click('main form button[type=submit]')]);
    await t.signIn(rp, t.local, aziz);
    await rp.goto(local + '/newsroom/stories/new?service=fa');
    await rp.fill('#headline', headline);
    await rp.fill('#summary', 'ملخص قصير.');
    await rp.fill('#body', 'الفقرة الأولى.');
    await Promise.all([rp.waitForNavigation(), rp.click('#story button[type=submit]:not([formaction])')]);
    const story = rp.url().replace(/\?.*$/, '');
    const canPublish = await rp.$('button[formaction$="/publish"]');
    expect(added, !canPublish, 'roles-reporter-cannot-publish', 'a reporter on fa is offered "publish" there');
    await Promise.all([rp.waitForNavigation(), rp.click('button[formaction$="/submit"]')]);
    const mine = await visit('roles-my-submissions', await rp.goto(local + '/newsroom/?service=ka'), rp);
    const mineText = await rp.textContent('section[aria-labelledby=mine]').catch(() => '');
    expect(mine, mineText.includes('My submissions (1)') && mineText.includes(headline) && mineText.includes('awaiting review'),
      'roles-my-submissions', `"My submissions" shows: ${mineText.slice(0, 300)}`);
    const mineDir = await rp.getAttribute(`section[aria-labelledby=mine] a[href$="${new URL(story).pathname}"]`, 'dir').catch(() => null);
    expect(mine, mineDir === 'rtl', 'roles-queue-rtl', `the Arabic headline in the queue has dir=${mineDir}`);
    await narrow(mine, rp);

    // The demo editor, an editor of fa, sees it waiting and is told.
    const ep = await ec.newPage();
    await t.signIn(ep, t.local, t.cred);
    const dash = await visit('roles-awaiting-review', await ep.goto(local + '/newsroom/?service=fa'), ep);
    const waiting = await ep.textContent('section[aria-labelledby=awaiting]').catch(() => '');
    expect(dash, /Awaiting review on my desks \(\d+\)/.test(waiting) && waiting.includes(headline), 'roles-awaiting-review',
      `"Awaiting review" shows: ${waiting.slice(0, 300)}`);
    const header = await ep.textContent('header nav');
    expect(dash, /Notifications \(\d+ unread\)/.test(header), 'roles-unread-count', `the header says: ${header.replace(/\s+/g, ' ')}`);
    await narrow(dash, ep);
    const notes = await visit('roles-notifications', await ep.goto(local + '/newsroom/notifications'), ep);
    const item = ep.locator('li.unread', { hasText: headline });
    const told = await item.textContent().catch(() => '');
    expect(notes, told.includes('Aziz Rahimi submitted') && told.includes('fa desk'), 'roles-notification', `the notification says: ${told}`);
    await narrow(notes, ep);
    await Promise.all([ep.waitForNavigation(), item.locator('button').click()]);
    expect(notes, ep.url().replace(/\?.*$/, '') === story.replace(new URL(story).origin, local), 'roles-notification-opens',
      `opening the notification went to ${ep.url()}, not ${story}`);
    await ep.goto(local + '/newsroom/notifications');
    const stillNew = await ep.locator('li.unread', { hasText: headline }).count();
    expect(notes, stillNew === 0, 'roles-notification-read', 'the opened notification is still unread');
    await visit('roles-notifications-read', null, ep);
  } finally {
    await ac.close();
    await rc.close();
    await ec.close();
  }
}
