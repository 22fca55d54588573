// The media library (issue 18): the editor opens the English and Persian
// libraries, uploads a picture, describes it, finds it by its caption,
// sets its focal point by clicking on it (no script involved: the click is
// a form's <input type=image>), and chooses it as a new story's lead
// photo. Every page is checked (status, axe, Nu) and at 390 px.

// picture draws a 640 × 360 PNG of its own in a scratch page: bands of
// colour and a word, so that each run uploads new bytes.
async function picture(ctx, word) {
  const p = await ctx.newPage();
  try {
    await p.setViewportSize({ width: 640, height: 360 });
    await p.setContent(`<body style="margin:0"><div style="width:640px;height:360px;display:grid;place-items:center;font:64px sans-serif;color:#fff;background:linear-gradient(90deg,#0b4f6c,#01baef 40%,#20bf55 70%,#fbfbff)">${word}</div></body>`);
    return await p.screenshot({ type: 'png' });
  } finally {
    await p.close();
  }
}

// upload puts a picture into the open library page's service and returns
// the photo page's response.
async function upload(page, name, buffer) {
  await page.setInputFiles('#image', { name, mimeType: 'image/png', buffer });
  const [resp] = await Promise.all([page.waitForNavigation(), page.click('form[enctype] button[type=submit]')]);
  return resp;
}

export default async function (t) {
  const { browser, base, cred, visit, expect, narrow } = t;
  const ctx = await browser.newContext();
  try {
    const page = await ctx.newPage();
    await t.signIn(page, base, cred);
    const stamp = String(Date.now());

    // 1. The English library, and a picture uploaded into it.
    const lib = await visit('newsroom-library-en', await page.goto(base + '/newsroom/media?service=en'), page);
    expect(lib, (await page.$('a[href="/newsroom/media"]')) !== null, 'library-nav', 'the header has no "Media library" link');
    await narrow(lib, page);
    const shot = await picture(ctx, 'harbour ' + stamp);
    const upResp = await upload(page, `harbour-${stamp}.png`, shot);
    const photoURL = page.url();
    const m = photoURL.match(/\/newsroom\/media\/(\d+)\?/);
    const photo = await visit('newsroom-media-en', upResp, page);
    expect(photo, upResp.status() === 200 && m !== null, 'library-upload', `after the upload the browser is at ${photoURL} (${upResp.status()})`);
    if (!m) return;
    const id = m[1];
    await narrow(photo, page);
    const h1 = (await page.textContent('h1')) || '';
    expect(photo, h1.includes(`harbour-${stamp}.png`), 'library-name', `the photo page's heading is ${JSON.stringify(h1)}`);

    // 2. Its defaults, saved, and found by the caption.
    const caption = `Cranes over the harbour at dawn ${stamp}`;
    await page.fill('#alt', 'Three blue cranes above a calm harbour');
    await page.fill('#caption', caption);
    await page.fill('#credit', 'Kolokol staff');
    const [savedResp] = await Promise.all([page.waitForNavigation(), page.click('form:has(#alt) button[type=submit]')]);
    expect(photo, savedResp.status() === 200 && (await page.inputValue('#caption')) === caption, 'library-defaults',
      `saving the defaults answered ${savedResp.status()}, caption ${JSON.stringify(await page.inputValue('#caption').catch(() => ''))}`);
    const found = await page.goto(base + '/newsroom/media?service=en&q=' + encodeURIComponent('HARBOUR AT DAWN ' + stamp));
    const search = await visit('newsroom-library-search', found, page);
    const hits = await page.$$eval('ul.library > li a[href^="/newsroom/media/"]', (as) => as.map((a) => a.getAttribute('href')));
    const range = (await page.textContent('#range')) || '';
    expect(search, hits.length === 1 && hits[0].startsWith(`/newsroom/media/${id}?`) && range.startsWith('1–1 of 1'), 'library-search',
      `searching the caption found ${JSON.stringify(hits)} (${JSON.stringify(range)})`);

    // 3. The focal point, by a click a quarter of the way in from the left.
    await page.goto(photoURL.replace(/\?.*$/, '') + '?service=en');
    const before = (await page.textContent('#focal-now')) || '';
    const box = await page.$eval('#focal', (e) => ({ w: e.clientWidth, h: e.clientHeight }));
    const [clicked] = await Promise.all([page.waitForNavigation(), page.click('#focal', { position: { x: box.w / 4, y: box.h / 4 } })]);
    const after = (await page.textContent('#focal-now')) || '';
    const fx = Number(await page.inputValue('#focal_x'));
    const fy = Number(await page.inputValue('#focal_y'));
    const focal = await visit('newsroom-media-focal', clicked, page);
    expect(focal, before.startsWith('50% from the left, 50% from the top') && Math.abs(fx - 25) <= 1 && Math.abs(fy - 25) <= 1, 'library-focal-click',
      `the point was ${JSON.stringify(before)}; after a click at a quarter of ${box.w} × ${box.h} it is ${JSON.stringify(after)} (${fx}, ${fy})`);

    // 4. Chosen as a new story's lead photo, with its defaults.
    await page.goto(base + '/newsroom/media?service=en&story=new&q=' + encodeURIComponent(stamp));
    const choose = await visit('newsroom-library-choose', null, page);
    await narrow(choose, page);
    const [storyResp] = await Promise.all([page.waitForNavigation(), page.click(`ul.library a.use[href$="media=${id}"]`)]);
    expect(choose, storyResp.status() === 200 && (await page.inputValue('input[name=media_id]')) === id && (await page.inputValue('#alt')) === 'Three blue cranes above a calm harbour',
      'library-choose', `the story form after choosing shows media ${await page.inputValue('input[name=media_id]').catch(() => 'none')}`);
    await page.fill('#headline', 'Cranes return to the harbour ' + stamp);
    await page.fill('#body', 'The first paragraph.');
    const [storySaved] = await Promise.all([page.waitForNavigation(), page.click('#story button[type=submit]:not([formaction])')]);
    expect(choose, storySaved.status() === 200 && /\/newsroom\/stories\/\d+\?saved=1/.test(page.url()) && (await page.inputValue('input[name=media_id]')) === id,
      'library-lead-saved', `saving the story answered ${storySaved.status()} at ${page.url()}`);
    const storyURL = page.url().replace(/\?.*$/, '');

    // The photo's page lists the story now.
    await page.goto(photoURL.replace(/\?.*$/, ''));
    const uses = await page.$$eval('main ul a[href^="/newsroom/stories/"]', (as) => as.map((a) => a.href));
    expect(focal, uses.includes(storyURL), 'library-stories', `the photo page lists ${JSON.stringify(uses)}, not ${storyURL}`);

    // 5. The Persian library and a photo page of it, right to left.
    const fa = await visit('newsroom-library-fa', await page.goto(base + '/newsroom/media?service=fa'), page);
    await narrow(fa, page);
    const faResp = await upload(page, `پل-${stamp}.png`, await picture(ctx, 'پل ' + stamp));
    await page.fill('#caption', 'پل تازهٔ شهر در شب');
    const [faSaved] = await Promise.all([page.waitForNavigation(), page.click('form:has(#alt) button[type=submit]')]);
    const faPhoto = await visit('newsroom-media-fa', faSaved, page);
    expect(faPhoto, faResp.status() === 200 && faSaved.status() === 200, 'library-upload-fa', `the Persian upload answered ${faResp.status()}, its save ${faSaved.status()}`);
    const capDir = await page.$eval('#caption', (e) => getComputedStyle(e).direction);
    expect(faPhoto, capDir === 'rtl', 'library-rtl', `the Persian caption is laid out ${capDir}`);
    await narrow(faPhoto, page);
    await page.goto(base + '/newsroom/media?service=fa');
    const faCap = await page.$eval('ul.library > li p[lang]', (e) => getComputedStyle(e).direction).catch(() => 'missing');
    expect(fa, faCap === 'rtl', 'library-rtl-list', `the Persian caption in the list is laid out ${faCap}`);
  } finally {
    await ctx.close();
  }
}
