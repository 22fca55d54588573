// Node views for the body's blocks: each block shows labelled fields for
// its values, a preview, and Move up / Move down / Remove buttons, all
// reachable by keyboard. A field's change writes the node's attributes, so
// the Markdown in the textarea follows every keystroke.

import { NodeSelection } from 'prosemirror-state';
import { fold, providerOf } from './blocks.js';

const titles = { photo: 'Photo', gallery: 'Gallery', pullquote: 'Pull quote', factbox: 'Fact box', embed: 'Post from a social network', table: 'Table' };

let serial = 0;

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const k of kids) if (k) e.append(k);
  return e;
}

// BlockView is the node view of every block; ctx holds what the editor
// shares with its blocks: the thumbnails it knows, the picker and the
// embed fetch.
export class BlockView {
  constructor(node, view, getPos, ctx) {
    this.node = node;
    this.view = view;
    this.getPos = getPos;
    this.ctx = ctx;
    this.id = 'blk' + ++serial;
    const kind = node.type.name;
    this.dom = el(kind === 'photo' || kind === 'gallery' ? 'figure' : 'div', {
      class: 'prose-block prose-' + kind,
      contenteditable: 'false',
      dir: 'auto',
      role: 'group',
      'aria-labelledby': this.id + '-t',
    });
    // The block's labels are English, like the rest of the newsroom; its
    // values carry the story's language in their own fields.
    this.dom.setAttribute('lang', 'en');
    this.build();
    if (kind === 'embed' && ctx.pending.delete(node.attrs.url)) this.fetchCard();
  }

  // build draws the block from its node; it runs again when the node
  // changes from outside the block's own fields (undo, a fetched card).
  build() {
    const n = this.node;
    const kind = n.type.name;
    this.dom.replaceChildren();
    this.dom.append(el('p', { class: 'prose-block-title', id: this.id + '-t', text: titles[kind] }));
    const body = el('div', { class: 'prose-block-body' });
    this.dom.append(body);
    const lang = this.ctx.lang;
    if (kind === 'photo') {
      body.append(this.preview(n.attrs.media), ...this.photoFields(n.attrs, (a) => this.set(a), ''));
    } else if (kind === 'gallery') {
      n.attrs.items.forEach((item, i) => {
        const box = el('fieldset', { class: 'prose-item' }, el('legend', { text: 'Photo ' + (i + 1) + ' of ' + n.attrs.items.length }));
        box.append(
          this.preview(item.media),
          ...this.photoFields(item, (a) => this.setItem(i, a), '-' + i),
          el('p', {}, this.button('Remove photo ' + (i + 1), () => this.removeItem(i))),
        );
        body.append(box);
      });
      body.append(el('p', {}, this.button('Add photos', () => this.ctx.pick(true, (chosen) => this.addItems(chosen)))));
      if (n.attrs.items.length < 2) body.append(el('p', { class: 'prose-error', text: 'A gallery needs 2 to 12 photos.' }));
    } else if (kind === 'pullquote') {
      body.append(this.field('quote', 'Quote', n.attrs.quote, { area: true, lang, required: true }), this.field('by', 'Who said it (optional)', n.attrs.by, { lang }));
    } else if (kind === 'factbox') {
      body.append(
        this.field('title', 'Title', n.attrs.title, { lang, required: true }),
        this.field('text', 'Text (Markdown: paragraphs, lists, emphasis, links)', n.attrs.text, { area: true, lang, required: true, multiline: true }),
      );
    } else if (kind === 'embed') {
      this.status = el('p', { class: 'prose-status', role: 'status', id: this.id + '-status' });
      const network = (url) => 'Network: ' + (providerOf(url) || 'none the site can show (YouTube, Telegram, X, Instagram, Facebook or TikTok)');
      const provider = el('p', { class: 'prose-provider', text: network(n.attrs.url) });
      body.append(
        this.field('url', 'Address of the post', n.attrs.url, {
          type: 'url',
          dir: 'ltr',
          set: (v) => {
            this.set({ url: v, provider: providerOf(v) });
            provider.textContent = network(v);
          },
        }),
        provider,
        el('p', {}, this.button('Fetch the card', () => this.fetchCard())),
        this.status,
        this.field('author', 'Author', n.attrs.author, { lang }),
        this.field('title', 'Title', n.attrs.title, { lang }),
        this.field('text', 'Text', n.attrs.text, { area: true, lang }),
        this.field('date', 'Date (YYYY-MM-DD)', n.attrs.date, { dir: 'ltr', pattern: '\\d{4}-\\d{2}-\\d{2}' }),
      );
      if (n.attrs.thumbnail) body.append(this.preview(n.attrs.thumbnail));
    } else if (kind === 'table') {
      body.append(
        el('p', { class: 'hint', text: 'Tables are edited in Markdown: use the Markdown button above.' }),
        el('pre', { dir: 'auto', lang, text: n.attrs.markdown }),
      );
    }
    this.dom.append(
      el(
        'p',
        { class: 'prose-move' },
        this.button('Move up', () => this.move(-1)),
        ' ',
        this.button('Move down', () => this.move(1)),
        ' ',
        this.button('Remove ' + titles[kind].toLowerCase(), () => this.remove()),
      ),
    );
  }

  preview(media) {
    const thumb = this.ctx.thumbs.get(String(media));
    if (thumb) return el('img', { src: thumb, alt: '', class: 'prose-thumb', width: 160 });
    return el('p', { class: 'prose-thumb', text: media ? 'Media number ' + media : 'No photo chosen' });
  }

  photoFields(a, set, suffix) {
    const lang = this.ctx.lang;
    return [
      this.field('media' + suffix, 'Media number', a.media, { dir: 'ltr', inputmode: 'numeric', pattern: '[0-9]+', required: true, set: (v) => set({ media: v }) }),
      this.field('alt' + suffix, 'Alt text: what the picture shows', a.alt, { area: true, lang, required: true, set: (v) => set({ alt: v }), alt: true }),
      this.field('caption' + suffix, 'Caption', a.caption, { lang, set: (v) => set({ caption: v }) }),
      this.field('credit' + suffix, 'Credit', a.credit, { lang, set: (v) => set({ credit: v }) }),
    ];
  }

  field(key, label, value, o) {
    const id = this.id + '-' + key;
    const input = o.area ? el('textarea', { rows: o.multiline ? 5 : 2 }) : el('input', { type: o.type || 'text' });
    input.id = id;
    input.value = value || '';
    input.setAttribute('dir', o.dir || 'auto');
    if (o.lang) input.setAttribute('lang', o.lang);
    if (o.required) input.setAttribute('aria-required', 'true');
    if (o.pattern) input.setAttribute('pattern', o.pattern);
    if (o.inputmode) input.setAttribute('inputmode', o.inputmode);
    const p = el('p', { class: 'prose-field' }, el('label', { for: id, text: label }), el('br'), input);
    // The required alt text says so beside its field until it is filled,
    // named to screen readers through aria-describedby.
    let err = null;
    if (o.alt) {
      err = el('span', { class: 'prose-error', id: id + '-err', text: 'Alt text is required' });
      p.append(' ', err);
    }
    const showErr = () => {
      if (!err) return;
      const missing = input.value.trim() === '';
      err.hidden = !missing;
      if (missing) {
        input.setAttribute('aria-describedby', err.id);
        input.setAttribute('aria-invalid', 'true');
      } else {
        input.removeAttribute('aria-describedby');
        input.removeAttribute('aria-invalid');
      }
    };
    showErr();
    input.addEventListener('input', () => {
      showErr();
      const v = o.multiline ? input.value : fold(input.value);
      if (o.set) o.set(v);
      else this.set({ [key]: v });
    });
    return p;
  }

  button(label, act) {
    const b = el('button', { type: 'button', text: label });
    b.addEventListener('click', (e) => {
      e.preventDefault();
      act();
    });
    return b;
  }

  set(attrs) {
    const pos = this.getPos();
    if (pos === undefined) return;
    this.selfUpdate = true;
    this.view.dispatch(this.view.state.tr.setNodeMarkup(pos, null, { ...this.node.attrs, ...attrs }));
    this.selfUpdate = false;
  }

  setItem(i, attrs) {
    const items = this.node.attrs.items.map((it, j) => (j === i ? { ...it, ...attrs } : it));
    this.set({ items });
  }

  removeItem(i) {
    this.set({ items: this.node.attrs.items.filter((_, j) => j !== i) });
    this.build();
  }

  addItems(chosen) {
    this.set({ items: [...this.node.attrs.items, ...chosen] });
    this.build();
  }

  move(dir) {
    const pos = this.getPos();
    const { state } = this.view;
    const $pos = state.doc.resolve(pos);
    const index = $pos.index();
    const parent = $pos.parent;
    const other = index + dir;
    if (other < 0 || other >= parent.childCount) return;
    const node = this.node;
    let tr = state.tr.delete(pos, pos + node.nodeSize);
    const to = dir < 0 ? pos - parent.child(other).nodeSize : pos + parent.child(other).nodeSize;
    tr = tr.insert(to, node);
    tr = tr.setSelection(NodeSelection.create(tr.doc, to));
    this.view.dispatch(tr.scrollIntoView());
    this.ctx.say(titles[node.type.name] + ' moved ' + (dir < 0 ? 'up' : 'down') + '.');
    // The moved block is drawn anew: give the keyboard back its button.
    const moved = this.view.nodeDOM(to);
    const again = moved && [...moved.querySelectorAll('.prose-move button')][dir < 0 ? 0 : 1];
    if (again) again.focus();
  }

  remove() {
    const pos = this.getPos();
    const kind = this.node.type.name;
    this.view.dispatch(this.view.state.tr.delete(pos, pos + this.node.nodeSize));
    this.view.focus();
    this.ctx.say(titles[kind] + ' removed.');
  }

  // fetchCard asks the newsroom for the post's card; when the network
  // cannot be reached the fields stay for the editor to fill by hand.
  async fetchCard() {
    const url = this.node.attrs.url;
    const say = (t) => {
      if (this.status) this.status.textContent = t;
    };
    say('Fetching the card…');
    let r;
    try {
      r = await this.ctx.fetchCard(url);
    } catch (e) {
      say('The card could not be fetched (' + e.message + '): fill in the fields below.');
      return;
    }
    if (r.ok) {
      const c = r.card;
      this.set({
        url: c.url || url,
        provider: c.provider || providerOf(url),
        author: fold(c.author),
        title: fold(c.title),
        text: fold(c.text),
        date: c.date || '',
        thumbnail: c.thumbnail ? String(c.thumbnail) : '',
        thumbnail_alt: fold(c.thumbnail_alt),
      });
      this.build();
      say('Card fetched: check its fields.');
    } else {
      say('The card could not be fetched (' + (r.error || 'no answer') + '): fill in the fields below.');
    }
  }

  update(node) {
    if (node.type !== this.node.type) return false;
    const same = node.attrs === this.node.attrs;
    this.node = node;
    // The block's own fields wrote this change: redrawing would move the
    // caret out of the field being typed in.
    if (!same && !this.selfUpdate) {
      const status = this.status && this.status.textContent;
      this.build();
      if (status && this.status) this.status.textContent = status;
    }
    return true;
  }

  stopEvent(e) {
    const t = e.target;
    return !!(t && t.closest && t.closest('input, textarea, button, select, pre'));
  }

  ignoreMutation() {
    return true;
  }
}
