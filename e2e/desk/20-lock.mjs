// Who is in this story: the demo editor and the demo admin, in two
// browsers, on the published Farsi story. The editor opens it; the admin
// is told who is editing (read-only form, "Take over"), takes over; the
// editor's page says so live; the editor's save is kept, not applied nor
// lost; taking the story back and saving meets the admin's change on the
// conflict page, which names the admin, and the editor's text is saved.

const saveButton = '#story button[type=submit]:not([formaction])';

export default async function (t) {
  const { browser, base, local, cred, adminCred, storyURL, visit, expect, narrow } = t;
  if (!adminCred || !storyURL) throw new Error('the lock check needs the demo admin and the published story');
  const ec = await browser.newContext();
  const ac = await browser.newContext();
  try {
    const ed = await ec.newPage();
    const ap = await ac.newPage();
    for (const p of [ed, ap]) p.on('dialog', (d) => d.accept().catch(() => {}));
    await t.signIn(ed, base, cred);
    await ed.goto(storyURL);
    await t.signIn(ap, local, adminCred);

    // The admin is told who is editing, and may take over.
    const adminURL = storyURL.replace(base, local);
    const heldResp = await ap.goto(adminURL);
    const held = await visit('newsroom-story-held', heldResp, ap);
    await narrow(held, ap);
    const told = await ap.evaluate(() => ({
      text: document.getElementById('held')?.textContent || '',
      disabled: document.querySelector('#story fieldset')?.disabled,
      save: !!document.querySelector('#story button[type=submit]:not([formaction])'),
      takeover: !!document.querySelector('#held button'),
    }));
    expect(held, heldResp?.status() === 200 && /is editing this story since \d{1,2} \w{3} \d{4}, \d\d:\d\d [^(]+\(UTC/.test(told.text) && told.disabled && !told.save && told.takeover,
      'newsroom-lock-held', `the admin's view of the editor's story: ${JSON.stringify(told)}`);
    const [takeResp] = await Promise.all([ap.waitForNavigation(), ap.click('#held button')]);
    const editable = await ap.evaluate(() => !document.getElementById('held') && !document.querySelector('#story fieldset')?.disabled);
    expect(held, takeResp?.status() === 200 && editable, 'newsroom-lock-takeover', `after taking over: ${takeResp?.status()}, editable ${editable}`);

    // The editor's page hears it at its next heartbeat.
    let live = '';
    try {
      await ed.waitForFunction(() => (document.getElementById('presence')?.textContent || '').includes('took over'), null, { timeout: 70_000 });
      live = await ed.textContent('#presence');
    } catch {
      live = await ed.textContent('#presence').catch(() => '');
    }
    const lost = await visit('newsroom-story-taken-over', null, ed);
    await narrow(lost, ed);
    expect(lost, live.includes('took over this story at') && live.includes('kept as your working copy'), 'newsroom-lock-live',
      `the editor's page after the takeover says ${JSON.stringify(live)}`);

    // The admin saves a change to the body.
    await ap.fill('#body', (await ap.inputValue('#body')) + '\n\nبندی که مدیر افزود.');
    await Promise.all([ap.waitForNavigation(), ap.click(saveButton)]);

    // The editor, who did not reload, saves too: kept, not applied.
    const mine = 'بندی که ویراستار پس از واگذاری نوشت.';
    await ed.fill('#body', (await ed.inputValue('#body')) + '\n\n' + mine);
    const [keptResp] = await Promise.all([ed.waitForNavigation(), ed.click(saveButton)]);
    const kept = await visit('newsroom-story-save-kept', keptResp, ed);
    await narrow(kept, ed);
    const keptView = await ed.evaluate(() => ({ told: document.getElementById('held')?.textContent || '', body: document.getElementById('body')?.value || '' }));
    expect(kept, keptResp?.status() === 409 && keptView.told.includes('took over this story at') && keptView.told.includes('not applied') && keptView.body.includes(mine),
      'newsroom-lock-save-kept', `the editor's save after the takeover: ${keptResp?.status()} ${JSON.stringify(keptView.told)}`);

    // The editor takes it back, puts the kept text in the form, saves:
    // the conflict page names the admin and the time of their save.
    await Promise.all([ed.waitForNavigation(), ed.click('#held button')]);
    await Promise.all([ed.waitForNavigation(), ed.click('a:text("Show my kept changes in the form")')]);
    const restored = (await ed.inputValue('#body')).includes(mine);
    const [conflictResp] = await Promise.all([ed.waitForNavigation(), ed.click(saveButton)]);
    const conflict = await visit('newsroom-conflict-named', conflictResp, ed);
    await narrow(conflict, ed);
    const says = await ed.evaluate(() => document.querySelector('main [role=alert]')?.textContent || '');
    const yours = await ed.inputValue('#mine-body').catch(() => '');
    expect(conflict, restored && conflictResp?.status() === 409 && /saved this at \d{1,2} \w{3} \d{4}, \d\d:\d\d [^(]+\(UTC/.test(says) && yours.includes(mine),
      'newsroom-lock-conflict', `restored ${restored}; conflict ${conflictResp?.status()} says ${JSON.stringify(says)}; mine kept ${yours.includes(mine)}`);
    const [savedResp] = await Promise.all([ed.waitForNavigation(), ed.click('main form button[type=submit]')]);
    const body = await ed.inputValue('#body').catch(() => '');
    expect(conflict, savedResp?.status() === 200 && body.includes(mine), 'newsroom-lock-work-kept',
      `saving mine from the conflict page: ${savedResp?.status()}, the body has it ${body.includes(mine)}`);
  } finally {
    await ec.close();
    await ac.close();
  }
}
