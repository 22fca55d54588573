// The newsroom on a phone (issue 17, part 6 and some of part 7): every
// newsroom page at a 390 px viewport needs no sideways scrolling (Farsi
// too); on the story editor Save stays in view while the editor is in the
// middle of a long story; Ctrl+S saves by the Save button's own path; the
// body's word count is there from the server and follows the typing.

export default async function (t) {
  const { browser, base, local, cred, adminCred, storyURL, visit, expect, signIn, narrow } = t;
  const phone = { viewport: { width: 390, height: 844 }, hasTouch: true };

  const ctx = await browser.newContext(phone);
  const page = await ctx.newPage();
  try {
    const dash = await visit('phone-dashboard', await signIn(page, base, cred), page);
    expect(dash, new URL(page.url()).pathname === '/newsroom/', 'phone-sign-in', `after signing in the phone is at ${page.url()}`);
    await narrow(dash, page);
    await narrow(await visit('phone-dashboard-fa', await page.goto(base + '/newsroom/?service=fa'), page), page);
    const faNew = await visit('phone-editor-new-fa', await page.goto(base + '/newsroom/stories/new?service=fa'), page);
    await narrow(faNew, page);
    const faDir = await page.$eval('#story', (f) => getComputedStyle(f).direction);
    expect(faNew, faDir === 'rtl', 'phone-rtl', `the Farsi editor lays out ${faDir} on a phone`);
    if (storyURL) await narrow(await visit('phone-editor-fa', await page.goto(storyURL), page), page);

    // The word count: from the server first, then as the editor types.
    const editor = await visit('phone-editor-new', await page.goto(base + '/newsroom/stories/new?service=en'), page);
    await narrow(editor, page);
    const before = (await page.textContent('#words').catch(() => '')) || '';
    expect(editor, before.trim() === '0 words', 'phone-words-server', `the empty editor's word count says ${JSON.stringify(before)}`);
    await page.fill('#body', 'The ferry returns to the river today.');
    await page.type('#body', ' Crowds cheered.');
    const typed = (await page.textContent('#words').catch(() => '')) || '';
    expect(editor, typed.trim() === '9 words, about 1 minute to read', 'phone-words-live', `after typing nine words the count says ${JSON.stringify(typed)}`);

    // A long story, saved with Ctrl+S from inside the body.
    const marker = 'phone-' + Date.now();
    const para = 'The ferry crossed the grey river at dawn, and the town came down to the water to see it. ';
    const body = Array.from({ length: 80 }, (_, i) => `${i + 1}. ${para}`).join('\n\n') + '\n\n' + marker;
    await page.fill('#headline', 'Ferry returns ' + marker);
    await page.fill('#body', body);
    await page.focus('#body');
    const [created] = await Promise.all([page.waitForNavigation(), page.keyboard.press('Control+S')]);
    const saved = await visit('phone-editor-saved', created, page);
    const savedSays = (await page.textContent('main [role=status]').catch(() => '')) || '';
    const stored = await page.inputValue('#body').catch(() => '');
    expect(saved, /\/newsroom\/stories\/\d+/.test(page.url()) && savedSays.includes('Saved') && stored.includes(marker), 'phone-ctrl-s-new',
      `Ctrl+S on a new story led to ${page.url()} saying ${JSON.stringify(savedSays)}; the stored body ${stored.includes(marker) ? 'has' : 'lacks'} the text`);
    const words = (await page.textContent('#words').catch(() => '')) || '';
    expect(saved, /^\d{3,} words, about \d+ minutes to read$/.test(words.trim()), 'phone-words-stored', `a saved long story's word count says ${JSON.stringify(words)}`);
    await narrow(saved, page);
    const story = page.url().replace(/\?.*$/, '');

    // Save within reach: at the top of the form, and with the caret in the
    // middle of the long body, the Save button is on screen and on top.
    const reach = async (where) => page.evaluate((where) => {
      const b = document.getElementById('body');
      if (where === 'middle') {
        const mid = Math.floor(b.value.length / 2);
        b.focus();
        b.setSelectionRange(mid, mid);
        b.scrollTop = (b.scrollHeight - b.clientHeight) / 2;
        b.scrollIntoView({ block: 'center' });
      } else {
        window.scrollTo(0, 0);
      }
      const s = document.getElementById('save');
      if (!s) return 'there is no Save button';
      const r = s.getBoundingClientRect();
      if (r.top < 0 || r.bottom > innerHeight || r.left < 0 || r.right > innerWidth) return `Save is at ${Math.round(r.top)}..${Math.round(r.bottom)} px of ${innerHeight}`;
      const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      if (top !== s && !s.contains(top)) return `Save is covered by ${top && top.outerHTML.slice(0, 80)}`;
      const br = b.getBoundingClientRect();
      if (where === 'middle' && br.top >= r.top) return 'the body is hidden under the Save bar';
      return '';
    }, where);
    for (const where of ['top', 'middle']) {
      const why = await reach(where);
      expect(saved, why === '', 'phone-save-in-reach', `on a phone, with the editor at the ${where} of a long story: ${why}`);
    }
    await page.screenshot({ path: `${t.outDir}/phone-editor-middle.png` }).catch(() => {});

    // Ctrl+S on a stored story: an edit with its version, as Save sends it.
    const long = 'https://example.org/' + 'a-very-long-address-without-spaces-'.repeat(8);
    await page.fill('#body', body.replace('1. The ferry', '1. The old ferry') + '\n\nSee ' + long);
    await page.focus('#headline');
    const [edited] = await Promise.all([page.waitForNavigation(), page.keyboard.press('Control+S')]);
    const after = await page.inputValue('#body').catch(() => '');
    const editRec = await visit('phone-editor-edited', edited, page);
    expect(editRec, edited && edited.status() === 200 && after.includes('1. The old ferry') && after.includes(long), 'phone-ctrl-s-edit',
      `Ctrl+S on a stored story answered ${edited && edited.status()}; the stored body ${after.includes('The old ferry') ? 'has' : 'lacks'} the edit`);

    // The history, with a diff that holds a long address.
    const hist = await visit('phone-history', await page.goto(story + '/revisions'), page);
    expect(hist, (await page.$('.diff ins')) !== null, 'phone-history-diff', 'the history shows no differences between the two saves');
    await narrow(hist, page);
    await narrow(await visit('phone-account', await page.goto(base + '/newsroom/account'), page), page);
    await narrow(await visit('phone-wire', await page.goto(base + '/newsroom/wire'), page), page);
  } finally {
    await ctx.close();
  }

  // The admin's pages.
  const actx = await browser.newContext(phone);
  const ap = await actx.newPage();
  try {
    await signIn(ap, local, adminCred);
    for (const [name, path] of [
      ['phone-accounts', '/newsroom/accounts'],
      ['phone-tokens', '/newsroom/tokens'],
      ['phone-audit', '/newsroom/audit'],
      ['phone-settings-fa', '/newsroom/services/fa'],
      ['phone-settings-en', '/newsroom/services/en'],
      ['phone-mirrors', '/newsroom/mirrors'],
      ['phone-notices-fa', '/newsroom/notices?service=fa'],
      ['phone-security-txt', '/newsroom/security-txt'],
    ]) {
      const resp = await ap.goto(local + path);
      const rec = await visit(name, resp, ap);
      expect(rec, resp && resp.status() === 200, 'phone-admin-page', `${path} answered ${resp && resp.status()} to the admin`);
      await narrow(rec, ap);
    }
  } finally {
    await actx.close();
  }
}
