// The story editor's safety net: a progressive enhancement. Without this
// script the editor works the same; with it, leaving a page with unsaved
// changes asks first, and the form is kept on the server every few seconds
// as a working copy (not a revision: the history records saves only), so a
// closed tab, a crash or a lost connection costs seconds of work at most.
'use strict';
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
