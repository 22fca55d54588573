// The editor's two dialogs: a link's address and text, and the media
// picker. Both are <dialog> elements outside the story's form (a form may
// not hold another), opened modally so the keyboard stays inside them and
// Escape closes them; focus goes back to where it was.

import { TextSelection } from 'prosemirror-state';
import { schema } from './markdown.js';

function make(html) {
  const t = document.createElement('template');
  t.innerHTML = html.trim();
  return t.content.firstElementChild;
}

// markRange is the stretch of text around pos that carries the link mark.
function markRange(doc, pos, type) {
  const $pos = doc.resolve(pos);
  const parent = $pos.parent;
  const start = $pos.start();
  let from = -1;
  let to = -1;
  let offset = 0;
  for (let i = 0; i < parent.childCount; i++) {
    const child = parent.child(i);
    const a = start + offset;
    const b = a + child.nodeSize;
    const has = type.isInSet(child.marks);
    if (has && from < 0 && a <= pos && pos <= b) {
      from = a;
      to = b;
    } else if (has && from >= 0 && a === to) to = b;
    else if (from >= 0 && a >= to) break;
    offset += child.nodeSize;
  }
  return from < 0 ? null : { from, to, mark: type.isInSet(doc.resolve(from + 1).marks()) };
}

export function linkDialog(view, say) {
  const d = make(`<dialog class="prose-dialog" id="prose-link" aria-labelledby="prose-link-h" lang="en" dir="ltr">
<form method="dialog">
<h2 id="prose-link-h">Link</h2>
<p><label for="prose-link-url">Address</label><br><input id="prose-link-url" name="url" inputmode="url" required dir="ltr" class="wide" pattern="(https?://|mailto:|/)\\S+" aria-describedby="prose-link-hint"></p>
<p id="prose-link-hint" class="hint">An address starting with https://, http://, mailto: or / (a page of this site).</p>
<p><label for="prose-link-text">Text</label><br><input id="prose-link-text" name="text" dir="auto" class="wide" required></p>
<p><button type="submit" value="apply">Apply</button> <button type="submit" value="remove" formnovalidate>Remove link</button> <button type="submit" value="cancel" formnovalidate>Cancel</button></p>
</form>
</dialog>`);
  document.body.append(d);
  const url = d.querySelector('#prose-link-url');
  const text = d.querySelector('#prose-link-text');
  const type = schema.marks.link;
  let range = null;

  d.addEventListener('close', () => {
    const action = d.returnValue;
    const { from, to } = range;
    let tr = view.state.tr;
    if (action === 'remove') {
      tr = tr.removeMark(from, to, type);
      say('Link removed.');
    } else if (action === 'apply' && url.value.trim() && text.value.trim()) {
      const mark = type.create({ href: url.value.trim() });
      const words = text.value.replace(/\s+/g, ' ').trim();
      const current = view.state.doc.textBetween(from, to);
      if (words === current && from < to) {
        tr = tr.removeMark(from, to, type).addMark(from, to, mark);
      } else {
        const marks = mark.addToSet(view.state.doc.resolve(from).marks().filter((m) => m.type !== type));
        tr = tr.replaceWith(from, to, schema.text(words, marks));
        tr = tr.setSelection(TextSelection.create(tr.doc, from + words.length));
        tr = tr.setStoredMarks([]);
      }
      say('Link added.');
    } else {
      view.focus();
      return;
    }
    view.dispatch(tr.scrollIntoView());
    view.focus();
  });

  return {
    dom: d,
    open() {
      const { state } = view;
      const { from, to, empty } = state.selection;
      range = { from, to };
      let href = '';
      const around = empty ? markRange(state.doc, from, type) : null;
      if (around) {
        range = { from: around.from, to: around.to };
        href = around.mark ? around.mark.attrs.href : '';
      } else if (!empty) {
        state.doc.nodesBetween(from, to, (node) => {
          const m = type.isInSet(node.marks);
          if (m && !href) href = m.attrs.href;
        });
      }
      url.value = href;
      text.value = state.doc.textBetween(range.from, range.to, ' ');
      text.setAttribute('lang', view.dom.getAttribute('lang') || '');
      d.returnValue = '';
      d.showModal();
      url.focus();
    },
  };
}

// pickerDialog chooses photos from the service's media library
// (GET /newsroom/media?format=json), or by media number when the library
// cannot be reached. done receives items {media, alt, caption, credit}.
export function pickerDialog(service, thumbs, say) {
  const d = make(`<dialog class="prose-dialog prose-picker" id="prose-picker" aria-labelledby="prose-picker-h" lang="en" dir="ltr">
<h2 id="prose-picker-h">Choose a photo</h2>
<p><label for="prose-picker-q">Search the library</label><br><input id="prose-picker-q" type="search" dir="auto"> <button type="button" data-act="search">Search</button></p>
<p role="status" id="prose-picker-status"></p>
<ul class="prose-results" aria-labelledby="prose-picker-h"></ul>
<p><button type="button" data-act="more" hidden>More photos</button></p>
<p><label for="prose-picker-num">Or the media number of a photo</label><br><input id="prose-picker-num" inputmode="numeric" pattern="[0-9]+" dir="ltr"> <button type="button" data-act="number">Use this number</button></p>
<p><button type="button" data-act="choose" hidden>Insert the chosen photos</button> <button type="button" data-act="cancel">Cancel</button></p>
</dialog>`);
  document.body.append(d);
  const q = d.querySelector('#prose-picker-q');
  const status = d.querySelector('#prose-picker-status');
  const list = d.querySelector('.prose-results');
  const num = d.querySelector('#prose-picker-num');
  const choose = d.querySelector('[data-act=choose]');
  const more = d.querySelector('[data-act=more]');
  const heading = d.querySelector('#prose-picker-h');
  let many = false;
  let done = null;
  let page = 1;
  let found = new Map();

  const item = (m) => ({ media: String(m.id), alt: m.alt || '', caption: m.caption || '', credit: m.credit || '' });
  const finish = (items) => {
    const cb = done;
    done = null;
    d.close();
    if (cb && items.length) cb(items);
  };

  const search = async (next) => {
    page = next ? page + 1 : 1;
    if (!next) {
      list.replaceChildren();
      found = new Map();
    }
    status.textContent = 'Searching…';
    const u = '/newsroom/media?format=json&service=' + encodeURIComponent(service) + '&q=' + encodeURIComponent(q.value.trim()) + '&page=' + page;
    let j;
    try {
      const r = await fetch(u, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
      j = await r.json().catch(() => ({}));
      if (!r.ok) throw new Error(j.error || 'the newsroom answered ' + r.status);
    } catch (e) {
      status.textContent = 'The library could not be searched (' + e.message + '). You can still give a media number below.';
      return;
    }
    const media = Array.isArray(j.media) ? j.media : [];
    for (const m of media) {
      found.set(String(m.id), m);
      // Only the newsroom's own renditions are shown: the editor never
      // loads a picture from elsewhere.
      if (typeof m.thumb === 'string' && m.thumb.startsWith('/media/')) thumbs.set(String(m.id), m.thumb);
      const li = document.createElement('li');
      const img = document.createElement('img');
      img.alt = '';
      img.width = 96;
      if (thumbs.has(String(m.id))) img.src = thumbs.get(String(m.id));
      const words = document.createElement('span');
      words.dir = 'auto';
      words.textContent = (m.name || m.alt || 'Photo') + ' (number ' + m.id + ')';
      if (many) {
        const label = document.createElement('label');
        const box = document.createElement('input');
        box.type = 'checkbox';
        box.value = String(m.id);
        label.append(box, ' ', img, ' ', words);
        li.append(label);
      } else {
        const b = document.createElement('button');
        b.type = 'button';
        b.dataset.id = String(m.id);
        b.append(img, ' ', words);
        li.append(b);
      }
      list.append(li);
    }
    const total = +j.total || found.size;
    more.hidden = found.size >= total;
    status.textContent = found.size ? 'Showing ' + found.size + ' of ' + total + ' photos.' : 'No photos found.';
  };

  d.addEventListener('click', (e) => {
    const b = e.target.closest('button');
    if (!b) return;
    const act = b.dataset.act;
    if (act === 'search') search(false);
    else if (act === 'more') search(true);
    else if (act === 'cancel') finish([]);
    else if (act === 'number') {
      const v = num.value.trim();
      if (!/^[1-9][0-9]*$/.test(v)) {
        status.textContent = 'A media number is a whole number above 0.';
        num.focus();
        return;
      }
      finish([{ media: v, alt: '', caption: '', credit: '' }]);
    } else if (act === 'choose') {
      const ids = [...list.querySelectorAll('input:checked')].map((c) => c.value);
      if (ids.length < 2 || ids.length > 12) {
        status.textContent = 'Choose 2 to 12 photos for a gallery (' + ids.length + ' chosen).';
        return;
      }
      finish(ids.map((id) => item(found.get(id))));
    } else if (b.dataset.id) finish([item(found.get(b.dataset.id))]);
  });
  q.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      search(false);
    }
  });
  // Up and down move between the results as in a list.
  list.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const all = [...list.querySelectorAll('button, input')];
    const i = all.indexOf(document.activeElement);
    if (i < 0) return;
    e.preventDefault();
    const next = all[Math.min(all.length - 1, Math.max(0, i + (e.key === 'ArrowDown' ? 1 : -1)))];
    next.focus();
  });
  d.addEventListener('close', () => {
    done = null;
  });

  return {
    dom: d,
    open(multiple, cb) {
      many = multiple;
      done = cb;
      heading.textContent = many ? 'Choose photos for a gallery' : 'Choose a photo';
      choose.hidden = !many;
      num.parentElement.hidden = many;
      num.value = '';
      d.showModal();
      q.focus();
      search(false).then(() => say(status.textContent));
    },
  };
}
