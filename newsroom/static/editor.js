// The story editor's safety net: a progressive enhancement. Without this
// script the editor works the same; with it, leaving a page with unsaved
// changes asks first, and the form is kept on the server every few seconds
// as a working copy (not a revision: the history records saves only), so a
// closed tab, a crash or a lost connection costs seconds of work at most.
// It also keeps the story's lock fresh with a heartbeat, and says, in one
// polite live region changed only when its sentence changes, who else has
// the story open and when a colleague took it over.
'use strict';

// Ctrl+S (Cmd+S on a Mac) presses Save: the same submission, so a save
// made from an older version still meets the merge and the conflict page;
// the browser's own "save page" dialog is not shown.
(() => {
  const form = document.getElementById('story');
  const save = document.getElementById('save');
  if (!form || !save) return;
  document.addEventListener('keydown', (e) => {
    if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey || (e.key !== 's' && e.key !== 'S')) return;
    e.preventDefault();
    if (e.repeat || save.disabled) return;
    if (form.requestSubmit) form.requestSubmit(save); else save.click();
  });
})();

// The body's word count and reading time, kept up to date while typing.
// The count is desk.Words's: letters, marks and digits make words; a
// zero-width (non-)joiner, apostrophe or hyphen inside a word joins;
// Chinese and Japanese characters count one each; link addresses do not,
// nor a block's keys, media numbers and addresses (kolokol.BodyText): of
// a block only what readers read counts.
(() => {
  const body = document.getElementById('body');
  const out = document.getElementById('words');
  if (!body || !out) return;
  const wpm = Number(out.dataset.wpm) || 200;
  const linkTarget = /\]\([^)\s]*(?:\s+"[^"]*")?\)/g;
  const unspaced = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
  const letter = /[\p{L}\p{M}\p{N}]/u;
  const digit = /\p{Nd}/u;
  const joiners = new Set(['\u200c', '\u200d', "'", '\u2019', '\u02bc', '-', '\u2010', '\u2011', '\u00ad']);
  const block = /^(`{3,}|~{3,})(photo|gallery|pullquote|factbox|embed)[ \t]*\n([\s\S]*?)^\1[`~]*[ \t]*$/gm;
  const read = new Set(['alt', 'caption', 'credit', 'quote', 'by', 'title', 'text', 'author', 'thumbnail_alt']);
  const blockWords = (_, fence, kind, inner) =>
    inner
      .split('\n')
      .map((line) => {
        const kv = /^([a-z_]+):(.*)$/.exec(line);
        if (!kv) return kind === 'factbox' ? line : '';
        return read.has(kv[1]) ? kv[2] : '';
      })
      .join('\n');
  const words = (text) => {
    const rs = Array.from(text.replace(block, blockWords).replace(linkTarget, ']'));
    let n = 0;
    let inWord = false;
    rs.forEach((r, i) => {
      const next = rs[i + 1] || '';
      if (unspaced.test(r)) {
        n++;
        inWord = false;
      } else if (letter.test(r)) {
        if (!inWord) n++;
        inWord = true;
      } else if (inWord && joiners.has(r) && letter.test(next) && !unspaced.test(next)) {
        // stays in the word
      } else if (inWord && (r === '.' || r === ',') && digit.test(rs[i - 1]) && digit.test(next)) {
        // 3.5 and 1,000 are one number
      } else {
        inWord = false;
      }
    });
    return n;
  };
  const count = (n, one, many) => (n === 1 ? '1 ' + one : n + ' ' + many);
  const show = () => {
    const n = words(body.value);
    out.textContent = n === 0 ? '0 words' : count(n, 'word', 'words') + ', about ' + count(Math.ceil(n / wpm), 'minute', 'minutes') + ' to read';
  };
  body.addEventListener('input', show);
})();

(() => {
  const form = document.getElementById('story');
  if (!form || !form.dataset.autosave || !window.fetch || !window.FormData) return;
  const status = document.getElementById('autosave-status');
  const say = (msg) => { if (status) status.textContent = msg; };
  const every = 10000;
  let dirty = false; // differs from what was last saved with Save
  let unsent = false; // differs from the last working copy kept
  let submitting = false;

  form.addEventListener('input', () => { dirty = true; unsent = true; });
  form.addEventListener('change', () => { dirty = true; unsent = true; });
  form.addEventListener('submit', () => { submitting = true; });
  window.addEventListener('beforeunload', (e) => {
    if (!dirty || submitting) return;
    e.preventDefault();
    e.returnValue = ''; // older browsers need it set to ask
  });

  const keep = async () => {
    if (!unsent || submitting) return;
    unsent = false;
    const data = new FormData(form);
    data.delete('image'); // a photo is uploaded with Save, never as a copy
    try {
      const r = await fetch(form.dataset.autosave, { method: 'POST', credentials: 'same-origin', body: data });
      if (r.status === 204) {
        say('Your changes are kept as a working copy (' + new Date().toLocaleTimeString() + '); press Save to save them.');
      } else if (r.status === 401) {
        unsent = true;
        say('Your session has ended: Save will keep your changes and ask you to sign in.');
      } else {
        unsent = true;
        const answer = await r.json().catch(() => ({}));
        say('Your changes could not be kept as a working copy: ' + (answer.error || r.status) + '.');
      }
    } catch (e) {
      unsent = true;
      say('You seem to be offline: your changes are not kept yet. Do not close this page.');
    }
  };
  setInterval(keep, every);
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') keep(); });

  const beatURL = form.dataset.heartbeat;
  const presence = document.getElementById('presence');
  if (!beatURL || !presence) return;
  const holding = form.dataset.holding === '1';
  let shown = '';
  let stopped = false;
  const show = (text) => {
    if (text === shown) return; // a live region read out every beat would chatter
    shown = text;
    presence.textContent = text;
    presence.classList.toggle('notice', text !== '');
  };
  const beat = async () => {
    if (stopped) return;
    // A URL-encoded body: the server reads the heartbeat as a plain form.
    const data = new URLSearchParams({ holding: holding ? '1' : '0' });
    let answer;
    try {
      const r = await fetch(beatURL, { method: 'POST', credentials: 'same-origin', body: data });
      answer = r.ok ? await r.json() : null;
    } catch (e) {
      answer = null;
    }
    if (!answer) { // the next beat asks again
      setTimeout(beat, 30000);
      return;
    }
    if (holding && !answer.mine && answer.lock) {
      // The story is a colleague's now: stop holding it, and keep what
      // is typed here where it cannot overwrite theirs.
      stopped = true;
      unsent = true;
      keep();
      show(answer.lock + ' What you typed is kept as your working copy; Save will not overwrite their work.');
      return;
    }
    let text = answer.others || '';
    if (!holding) {
      text = answer.lock ? text : ('No one is editing this story now: reload the page to edit it. ' + text).trim();
    }
    show(text);
    setTimeout(beat, (answer.every || 30) * 1000);
  };
  beat();
})();

// Length guidance: beside each field with a data-hint (the characters
// search engines and social cards show), a count as the editor types. The
// hint's own text says the same without the script.
(() => {
  for (const input of document.querySelectorAll('input[data-hint]')) {
    const hint = document.getElementById(input.getAttribute('aria-describedby'));
    const limit = Number(input.dataset.hint);
    if (!hint || !limit) continue;
    const count = document.createElement('span');
    hint.append(' ', count);
    const show = () => {
      const n = [...input.value].length; // characters, not UTF-16 units
      count.textContent = n + ' of about ' + limit + ' characters' + (n > limit ? ': longer than is shown.' : '.');
      count.className = n > limit ? 'count over' : 'count';
    };
    input.addEventListener('input', show);
    show();
  }
})();
