// The story editor: ProseMirror over the body's textarea. The textarea
// stays the form's field and the truth for saving, autosave, the word count,
// Ctrl+S and conflicts: the editor reads it at start and writes its Markdown
// back into it (with an input event) on every change. Without JavaScript, or
// when the body holds something the editor cannot keep, the textarea is all
// there is, as before.

import { EditorState } from 'prosemirror-state';
import { EditorView } from 'prosemirror-view';
import { history, undo, redo } from 'prosemirror-history';
import { keymap } from 'prosemirror-keymap';
import { baseKeymap, toggleMark, setBlockType, wrapIn, lift } from 'prosemirror-commands';
import { wrapInList, splitListItem, liftListItem, sinkListItem } from 'prosemirror-schema-list';
import { inputRules, InputRule, wrappingInputRule, textblockTypeInputRule, undoInputRule } from 'prosemirror-inputrules';
import { gapCursor } from 'prosemirror-gapcursor';
import { schema, toMarkdown, check } from './markdown.js';
import { providerOf } from './blocks.js';
import { BlockView } from './views.js';
import { linkDialog, pickerDialog } from './dialogs.js';

function markRule(re, type) {
  return new InputRule(re, (state, match, start, end) => {
    const text = match[2];
    const tr = state.tr.replaceWith(start, end, schema.text(text, [type.create()]));
    return tr.removeStoredMark(type);
  });
}

function rules() {
  const n = schema.nodes;
  const m = schema.marks;
  return inputRules({
    rules: [
      textblockTypeInputRule(/^(#{2,4})\s$/, n.heading, (match) => ({ level: match[1].length })),
      wrappingInputRule(/^\s*([-+*])\s$/, n.bullet_list, (match) => ({ bullet: match[1] })),
      wrappingInputRule(/^(\d+)\.\s$/, n.ordered_list, (match) => ({ order: +match[1] }), (match, node) => node.childCount + node.attrs.order === +match[1]),
      wrappingInputRule(/^\s*>\s$/, n.blockquote),
      textblockTypeInputRule(/^```$/, n.code_block),
      markRule(/(\*\*)([^*]+)\*\*$/, m.strong),
      markRule(/(~~)([^~]+)~~$/, m.strike),
      markRule(/(?<![*\w])(\*)([^*\s][^*]*)\*$/, m.em),
      markRule(/(`)([^`]+)`$/, m.code),
    ],
  });
}

function isMarkActive(state, type) {
  const { from, $from, to, empty } = state.selection;
  if (empty) return !!type.isInSet(state.storedMarks || $from.marks());
  return state.doc.rangeHasMark(from, to, type);
}

function blockActive(state, type, attrs) {
  const { $from } = state.selection;
  for (let d = $from.depth; d > 0; d--) {
    const node = $from.node(d);
    if (node.type === type && (!attrs || Object.keys(attrs).every((k) => node.attrs[k] === attrs[k]))) return true;
  }
  return false;
}

function toggleHeading(level) {
  return (state, dispatch) => {
    if (blockActive(state, schema.nodes.heading, { level })) return setBlockType(schema.nodes.paragraph)(state, dispatch);
    return setBlockType(schema.nodes.heading, { level })(state, dispatch);
  };
}

function toggleList(type) {
  return (state, dispatch) => {
    if (blockActive(state, type)) return liftListItem(schema.nodes.list_item)(state, dispatch);
    return wrapInList(type)(state, dispatch);
  };
}

function toggleQuote(state, dispatch) {
  if (blockActive(state, schema.nodes.blockquote)) return lift(state, dispatch);
  return wrapIn(schema.nodes.blockquote)(state, dispatch);
}

// insertBlock puts a block after the paragraph the caret is in (or in its
// place when that paragraph is empty), and a paragraph after the block
// when there is none, so writing can go on below it.
function insertBlock(view, node) {
  const { state } = view;
  const { $from } = state.selection;
  let tr = state.tr;
  let pos;
  const top = $from.depth > 0 ? $from.before(1) : $from.pos;
  const topNode = $from.depth > 0 ? $from.node(1) : null;
  if (topNode && topNode.type === schema.nodes.paragraph && topNode.content.size === 0) {
    tr = tr.replaceWith(top, top + topNode.nodeSize, node);
    pos = top;
  } else {
    pos = topNode ? top + topNode.nodeSize : state.doc.content.size;
    tr = tr.insert(pos, node);
  }
  const after = pos + node.nodeSize;
  if (after >= tr.doc.content.size || tr.doc.resolve(after).nodeAfter?.type !== schema.nodes.paragraph) {
    tr = tr.insert(after, schema.nodes.paragraph.create());
  }
  view.dispatch(tr.scrollIntoView());
  return pos;
}

function start() {
  const textarea = document.getElementById('body');
  const form = document.getElementById('story');
  if (!textarea || !form || textarea.disabled || textarea.matches(':disabled') || textarea.readOnly) return;
  const service = (form.querySelector('input[name=service]') || {}).value || '';
  // The form carries the service's language and direction; the textarea
  // inherits them, and so does the editor.
  const lang = form.getAttribute('lang') || '';
  const dir = form.getAttribute('dir') || 'ltr';

  const note = document.createElement('p');
  note.className = 'notice prose-note';
  note.setAttribute('role', 'status');
  note.setAttribute('lang', 'en');
  note.setAttribute('dir', 'ltr');
  note.id = 'prose-note';
  textarea.parentNode.after(note);
  const refuse = (why) => {
    note.textContent = 'The structured editor is off for this body: ' + why + '. Edit its Markdown in the box above.';
  };

  let doc;
  try {
    doc = check(textarea.value);
  } catch (e) {
    refuse(e.message);
    return;
  }

  const root = document.createElement('div');
  root.className = 'prose';
  root.id = 'prose';
  const live = document.createElement('p');
  live.className = 'visually-hidden';
  live.setAttribute('role', 'status');
  live.setAttribute('lang', 'en');
  live.setAttribute('dir', 'ltr');
  const say = (t) => {
    live.textContent = t;
  };

  const thumbs = new Map();
  const pending = new Set();
  const ctx = {
    lang,
    thumbs,
    pending,
    say,
    pick: (many, done) => picker.open(many, done),
    fetchCard: async (url) => {
      // URL-encoded, as a plain form would send it.
      const body = new URLSearchParams({ url, service });
      const r = await fetch('/newsroom/embeds', { method: 'POST', credentials: 'same-origin', headers: { Accept: 'application/json' }, body });
      const j = await r.json().catch(() => ({}));
      if (r.status === 200) return { ok: true, card: j };
      return { ok: false, error: j.error || 'the newsroom answered ' + r.status, manual: j.manual };
    },
  };
  const blockView = (node, view, getPos) => new BlockView(node, view, getPos, ctx);

  const m = schema.marks;
  const n = schema.nodes;
  const keys = {
    'Mod-z': undo,
    'Shift-Mod-z': redo,
    'Mod-y': redo,
    Backspace: undoInputRule,
    'Mod-b': toggleMark(m.strong),
    'Mod-i': toggleMark(m.em),
    'Mod-k': () => {
      link.open();
      return true;
    },
    'Shift-Enter': (state, dispatch) => {
      if (dispatch) dispatch(state.tr.replaceSelectionWith(n.hard_break.create()).scrollIntoView());
      return true;
    },
    Enter: splitListItem(n.list_item),
    'Mod-[': liftListItem(n.list_item),
    'Mod-]': sinkListItem(n.list_item),
  };

  // A pasted address of a post on a known network, alone on an empty line,
  // becomes an embed block whose card is fetched at once.
  const handlePaste = (view, event) => {
    const text = (event.clipboardData && event.clipboardData.getData('text/plain') || '').trim();
    if (!text || /\s/.test(text)) return false;
    const provider = providerOf(text);
    if (!provider) return false;
    const { $from, empty } = view.state.selection;
    if (!empty || $from.parent.type !== n.paragraph || $from.parent.content.size !== 0 || $from.depth !== 1) return false;
    pending.add(text);
    insertBlock(view, n.embed.create({ url: text, provider }));
    say('Embed block added for ' + provider + '.');
    return true;
  };

  const view = new EditorView(null, {
    state: EditorState.create({
      doc,
      plugins: [rules(), keymap(keys), keymap(baseKeymap), history(), gapCursor()],
    }),
    nodeViews: { photo: blockView, gallery: blockView, pullquote: blockView, factbox: blockView, embed: blockView, table: blockView },
    attributes: {
      id: 'prose-body',
      class: 'prose-body',
      role: 'textbox',
      'aria-multiline': 'true',
      'aria-label': 'Body',
      'aria-describedby': 'words',
      lang,
      dir,
      spellcheck: 'true',
    },
    handlePaste,
    dispatchTransaction(tr) {
      const state = view.state.apply(tr);
      view.updateState(state);
      if (tr.docChanged && !tr.getMeta('fromSource')) {
        textarea.value = toMarkdown(state.doc);
        writing = true;
        textarea.dispatchEvent(new Event('input', { bubbles: true }));
        writing = false;
      }
      toolbar.update(state);
    },
  });

  // While the editor shows, the textarea stays in the form, out of sight and
  // out of the tab order: it is still the field that is saved. Whatever else
  // writes into it (a restored working copy, a password manager, a test
  // driving the page) is read back into the editor, so the two never differ.
  let writing = false;
  const source = (shown) => {
    textarea.classList.toggle('prose-source', !shown);
    if (shown) {
      textarea.removeAttribute('aria-hidden');
      textarea.removeAttribute('tabindex');
    } else {
      textarea.setAttribute('aria-hidden', 'true');
      textarea.setAttribute('tabindex', '-1');
    }
  };
  const replaceDoc = (next) => {
    const tr = view.state.tr.replaceWith(0, view.state.doc.content.size, next.content);
    tr.setMeta('fromSource', true);
    view.dispatch(tr);
  };
  textarea.addEventListener('input', () => {
    if (writing || view.dom.hidden) return;
    try {
      replaceDoc(check(textarea.value));
    } catch (e) {
      // What was written cannot be shown: show the Markdown itself.
      toolbar.markdownMode(true);
      note.textContent = 'The editor cannot show this Markdown: ' + e.message + '. Change it here, or keep writing in Markdown.';
    }
  });

  const link = linkDialog(view, say);
  const picker = pickerDialog(service, thumbs, say);
  const toolbar = makeToolbar(view, {
    link,
    insert: {
      photo: () =>
        picker.open(false, (chosen) => {
          insertBlock(view, n.photo.create(chosen[0]));
          say('Photo added.');
        }),
      gallery: () =>
        picker.open(true, (chosen) => {
          insertBlock(view, n.gallery.create({ items: chosen }));
          say('Gallery of ' + chosen.length + ' photos added.');
        }),
      pullquote: () => focusBlock(view, insertBlock(view, n.pullquote.create())),
      factbox: () => focusBlock(view, insertBlock(view, n.factbox.create())),
      embed: () => focusBlock(view, insertBlock(view, n.embed.create())),
    },
    markdown: (on) => {
      if (on) {
        // The textarea is already up to date: show it instead. What is
        // changed there is read back when the editor returns.
        view.dom.hidden = true;
        source(true);
        textarea.focus();
        return true;
      }
      let next;
      try {
        next = check(textarea.value);
      } catch (e) {
        say(e.message);
        note.textContent = 'The editor cannot show this Markdown: ' + e.message + '. Change it here, or keep writing in Markdown.';
        return false;
      }
      note.textContent = '';
      replaceDoc(next);
      source(false);
      view.dom.hidden = false;
      view.focus();
      return true;
    },
  });

  root.append(toolbar.dom, view.dom, live);
  textarea.parentNode.after(root);
  source(false);
  const label = document.querySelector('label[for=body]');
  if (label) {
    label.id = label.id || 'body-label';
    view.dom.setAttribute('aria-labelledby', label.id);
    view.dom.removeAttribute('aria-label');
    label.addEventListener('click', () => {
      if (!view.dom.hidden) view.focus();
    });
  }
  // The textarea is written only when the document changes: the Markdown
  // written back may differ in spelling from what was typed (one line per
  // paragraph), and opening a story must leave it unchanged.
  root.setAttribute('data-editor-ready', String(Math.round(performance.now())));
}

// focusBlock puts the keyboard in the first field of the block at pos.
function focusBlock(view, pos) {
  const dom = view.nodeDOM(pos);
  const field = dom && dom.querySelector('input, textarea');
  if (field) field.focus();
}

// makeToolbar builds the formatting toolbar: one tab stop, arrow keys
// between its buttons (the WAI-ARIA toolbar pattern), aria-pressed on the
// buttons that show a state.
function makeToolbar(view, opts) {
  const dom = document.createElement('div');
  dom.className = 'prose-toolbar';
  dom.setAttribute('role', 'toolbar');
  dom.setAttribute('aria-label', 'Formatting and blocks');
  dom.setAttribute('aria-controls', view.dom.id);
  dom.setAttribute('lang', 'en');
  dom.setAttribute('dir', 'ltr');
  const n = schema.nodes;
  const m = schema.marks;
  const items = [];
  const add = (label, text, run, active, group) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    if (text !== label) b.setAttribute('aria-label', label);
    b.title = label;
    b.tabIndex = items.length === 0 ? 0 : -1;
    if (group) b.dataset.group = group;
    b.addEventListener('mousedown', (e) => e.preventDefault()); // keeps the selection
    b.addEventListener('click', (e) => {
      e.preventDefault();
      run();
    });
    items.push({ b, active });
    dom.append(b);
    return b;
  };
  const cmd = (c) => () => {
    c(view.state, view.dispatch, view);
    view.focus();
  };
  add('Bold', 'B', cmd(toggleMark(m.strong)), (s) => isMarkActive(s, m.strong));
  add('Italic', 'I', cmd(toggleMark(m.em)), (s) => isMarkActive(s, m.em));
  add('Link', 'Link', () => opts.link.open(), (s) => isMarkActive(s, m.link));
  add('Heading', 'Heading', cmd(toggleHeading(2)), (s) => blockActive(s, n.heading, { level: 2 }));
  add('Subheading', 'Subheading', cmd(toggleHeading(3)), (s) => blockActive(s, n.heading, { level: 3 }));
  add('Bulleted list', 'Bulleted list', cmd(toggleList(n.bullet_list)), (s) => blockActive(s, n.bullet_list));
  add('Numbered list', 'Numbered list', cmd(toggleList(n.ordered_list)), (s) => blockActive(s, n.ordered_list));
  add('Quote', 'Quote', cmd(toggleQuote), (s) => blockActive(s, n.blockquote));
  const sep = document.createElement('span');
  sep.className = 'prose-sep';
  sep.textContent = 'Insert:';
  sep.setAttribute('aria-hidden', 'true');
  dom.append(sep);
  add('Insert photo', 'Photo', opts.insert.photo, null, 'insert');
  add('Insert gallery', 'Gallery', opts.insert.gallery, null, 'insert');
  add('Insert pull quote', 'Pull quote', opts.insert.pullquote, null, 'insert');
  add('Insert fact box', 'Fact box', opts.insert.factbox, null, 'insert');
  add('Insert embed (a post from a social network)', 'Embed', opts.insert.embed, null, 'insert');
  let markdown = false;
  const toggle = (on) => {
    if (on === markdown) return;
    if (opts.markdown(on)) {
      markdown = on;
      update(view.state);
    }
  };
  const md = add('Markdown', 'Markdown', () => toggle(!markdown));
  md.classList.add('prose-markdown');

  const buttons = items.map((i) => i.b);
  dom.addEventListener('keydown', (e) => {
    const i = buttons.indexOf(document.activeElement);
    if (i < 0) return;
    const enabled = buttons.filter((b) => !b.disabled);
    const j = enabled.indexOf(buttons[i]);
    let next = null;
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') next = enabled[(j + 1) % enabled.length];
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') next = enabled[(j - 1 + enabled.length) % enabled.length];
    else if (e.key === 'Home') next = enabled[0];
    else if (e.key === 'End') next = enabled[enabled.length - 1];
    if (!next) return;
    e.preventDefault();
    for (const b of buttons) b.tabIndex = -1;
    next.tabIndex = 0;
    next.focus();
  });
  dom.addEventListener('focusin', (e) => {
    if (!buttons.includes(e.target)) return;
    for (const b of buttons) b.tabIndex = b === e.target ? 0 : -1;
  });

  function update(state) {
    for (const { b, active } of items) {
      if (b === md) {
        b.setAttribute('aria-pressed', String(markdown));
        continue;
      }
      b.disabled = markdown;
      if (active) b.setAttribute('aria-pressed', String(!markdown && active(state)));
    }
    // A disabled button cannot hold the one tab stop.
    if (!buttons.some((b) => b.tabIndex === 0 && !b.disabled)) {
      for (const b of buttons) b.tabIndex = -1;
      (buttons.find((b) => !b.disabled) || md).tabIndex = 0;
    }
  }
  update(view.state);
  return { dom, update, markdownMode: toggle };
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
