// The editor's document model and its Markdown in and out. The body stays
// Markdown (docs/blocks.md), so revisions, diffs, the API and the wire work
// on text as before; this module is the only translation between that text
// and the editor's document, and it imports no DOM code so node tests run it.

import { Schema } from 'prosemirror-model';
import { MarkdownParser, MarkdownSerializer, defaultMarkdownSerializer } from 'prosemirror-markdown';
import MarkdownIt from 'markdown-it';
import { kinds, readBlock, writeBlock } from './blocks.js';

// Every block renders with dir="auto": a Persian paragraph that starts with a
// Latin name or a digit still reads right to left, and an English one in a
// Persian story left to right.
const auto = { dir: 'auto' };

const blockAttrs = (names) => Object.fromEntries(names.map((n) => [n, { default: '' }]));

export const schema = new Schema({
  nodes: {
    doc: { content: 'block+' },
    paragraph: { content: 'inline*', group: 'block', parseDOM: [{ tag: 'p' }], toDOM: () => ['p', auto, 0] },
    heading: {
      // Levels 1, 5 and 6 are kept as written; the toolbar offers 2 to 4.
      attrs: { level: { default: 2 } },
      content: 'inline*',
      group: 'block',
      defining: true,
      parseDOM: [1, 2, 3, 4, 5, 6].map((l) => ({ tag: 'h' + l, attrs: { level: l } })),
      toDOM: (n) => ['h' + n.attrs.level, auto, 0],
    },
    blockquote: { content: 'block+', group: 'block', defining: true, parseDOM: [{ tag: 'blockquote' }], toDOM: () => ['blockquote', auto, 0] },
    horizontal_rule: { group: 'block', parseDOM: [{ tag: 'hr' }], toDOM: () => ['hr'] },
    code_block: {
      content: 'text*',
      marks: '',
      group: 'block',
      code: true,
      defining: true,
      attrs: { params: { default: '' }, tilde: { default: false } },
      parseDOM: [{ tag: 'pre', preserveWhitespace: 'full' }],
      toDOM: () => ['pre', auto, ['code', 0]],
    },
    ordered_list: {
      content: 'list_item+',
      group: 'block',
      attrs: { order: { default: 1 }, tight: { default: true } },
      parseDOM: [{ tag: 'ol', getAttrs: (d) => ({ order: d.hasAttribute('start') ? +d.getAttribute('start') : 1 }) }],
      toDOM: (n) => ['ol', { dir: 'auto', start: n.attrs.order === 1 ? null : n.attrs.order }, 0],
    },
    bullet_list: {
      content: 'list_item+',
      group: 'block',
      attrs: { tight: { default: true }, bullet: { default: '-' } },
      parseDOM: [{ tag: 'ul' }],
      toDOM: () => ['ul', auto, 0],
    },
    list_item: { content: 'paragraph block*', defining: true, parseDOM: [{ tag: 'li' }], toDOM: () => ['li', auto, 0] },
    text: { group: 'inline' },
    hard_break: { inline: true, group: 'inline', selectable: false, parseDOM: [{ tag: 'br' }], toDOM: () => ['br'] },

    // The blocks of docs/blocks.md: atoms whose values live in attributes
    // and are edited in their node views' fields.
    photo: { group: 'block', atom: true, draggable: true, attrs: blockAttrs(['media', 'alt', 'caption', 'credit']), toDOM: () => ['figure', { dir: 'auto', 'data-block': 'photo' }] },
    gallery: { group: 'block', atom: true, draggable: true, attrs: { items: { default: [] } }, toDOM: () => ['figure', { dir: 'auto', 'data-block': 'gallery' }] },
    pullquote: { group: 'block', atom: true, draggable: true, attrs: blockAttrs(['quote', 'by']), toDOM: () => ['aside', { dir: 'auto', 'data-block': 'pullquote' }] },
    factbox: { group: 'block', atom: true, draggable: true, attrs: blockAttrs(['title', 'text']), toDOM: () => ['aside', { dir: 'auto', 'data-block': 'factbox' }] },
    embed: {
      group: 'block',
      atom: true,
      draggable: true,
      attrs: blockAttrs(['url', 'provider', 'author', 'title', 'text', 'date', 'thumbnail', 'thumbnail_alt']),
      toDOM: () => ['aside', { dir: 'auto', 'data-block': 'embed' }],
    },
    // A table is kept as the Markdown that wrote it: the editor shows it
    // and gives it back unchanged rather than lose what it cannot edit.
    table: { group: 'block', atom: true, attrs: { markdown: { default: '' } }, toDOM: (n) => ['pre', { dir: 'auto', 'data-block': 'table' }, n.attrs.markdown] },
  },
  marks: {
    link: {
      attrs: { href: {}, title: { default: null } },
      inclusive: false,
      parseDOM: [{ tag: 'a[href]', getAttrs: (d) => ({ href: d.getAttribute('href'), title: d.getAttribute('title') }) }],
      toDOM: (m) => ['a', { href: m.attrs.href, title: m.attrs.title }, 0],
    },
    em: { parseDOM: [{ tag: 'i' }, { tag: 'em' }], toDOM: () => ['em', 0] },
    strong: { parseDOM: [{ tag: 'strong' }, { tag: 'b' }], toDOM: () => ['strong', 0] },
    strike: { parseDOM: [{ tag: 's' }, { tag: 'del' }], toDOM: () => ['s', 0] },
    code: { parseDOM: [{ tag: 'code' }], toDOM: () => ['code', 0] },
  },
});

// The reader's Markdown: CommonMark with tables and strikethrough, no raw
// HTML. Bare links stay text here, as typed, so they come back as typed.
function tokenizer() {
  const md = MarkdownIt('default', { html: false, linkify: false });
  md.core.ruler.push('kolokol_blocks', (state) => {
    const out = [];
    const lines = state.src.split('\n');
    for (let i = 0; i < state.tokens.length; i++) {
      const tok = state.tokens[i];
      // A fenced block with one of the kinds' info strings becomes a token
      // of its own; one that does not read as a block stays a code block,
      // shown and written back as it is.
      if (tok.type === 'fence' && tok.markup[0] === '`' && kinds.includes(tok.info.trim())) {
        const attrs = readBlock(tok.info.trim(), tok.content);
        if (attrs) {
          tok.type = 'kolokol_' + tok.info.trim();
          tok.meta = attrs;
        }
      }
      // A table at the top level is kept as its lines of source.
      if (tok.type === 'table_open' && tok.level === 0 && tok.map) {
        let j = i;
        while (j < state.tokens.length && !(state.tokens[j].type === 'table_close' && state.tokens[j].level === 0)) j++;
        const t = new state.Token('kolokol_table', '', 0);
        t.block = true;
        t.content = lines.slice(tok.map[0], tok.map[1]).join('\n').replace(/\s+$/, '');
        out.push(t);
        i = j;
        continue;
      }
      out.push(tok);
    }
    state.tokens = out;
  });
  return md;
}

function listIsTight(tokens, i) {
  while (++i < tokens.length) if (tokens[i].type !== 'list_item_open') return tokens[i].hidden;
  return false;
}

const blockTokens = Object.fromEntries(
  kinds.map((k) => ['kolokol_' + k, { node: k, noCloseToken: true, getAttrs: (tok) => tok.meta }]),
);

export const parser = new MarkdownParser(schema, tokenizer(), {
  blockquote: { block: 'blockquote' },
  paragraph: { block: 'paragraph' },
  list_item: { block: 'list_item' },
  bullet_list: { block: 'bullet_list', getAttrs: (tok, tokens, i) => ({ tight: listIsTight(tokens, i), bullet: tok.markup || '-' }) },
  ordered_list: {
    block: 'ordered_list',
    getAttrs: (tok, tokens, i) => ({ order: +tok.attrGet('start') || 1, tight: listIsTight(tokens, i) }),
  },
  heading: { block: 'heading', getAttrs: (tok) => ({ level: +tok.tag.slice(1) }) },
  code_block: { block: 'code_block', noCloseToken: true },
  fence: { block: 'code_block', getAttrs: (tok) => ({ params: tok.info || '', tilde: tok.markup[0] === '~' }), noCloseToken: true },
  hr: { node: 'horizontal_rule' },
  hardbreak: { node: 'hard_break' },
  em: { mark: 'em' },
  strong: { mark: 'strong' },
  s: { mark: 'strike' },
  link: { mark: 'link', getAttrs: (tok) => ({ href: tok.attrGet('href'), title: tok.attrGet('title') || null }) },
  code_inline: { mark: 'code', noCloseToken: true },
  kolokol_table: { node: 'table', noCloseToken: true, getAttrs: (tok) => ({ markdown: tok.content }) },
  ...blockTokens,
});

const base = defaultMarkdownSerializer;

// Written through text() so a block inside a quote or a list gets the
// quote's "> " or the item's indent on every line.
function writeBlockNode(state, node) {
  state.text(writeBlock(node.type.name, node.attrs), false);
  state.closeBlock(node);
}

export const serializer = new MarkdownSerializer(
  {
    ...base.nodes,
    bullet_list(state, node, parent, index) {
      // Two lists in a row with the same bullet would read back as one:
      // every other one of a run takes another bullet.
      const bullet = node.attrs.bullet || '-';
      let run = 0;
      for (let i = index - 1; i >= 0; i--) {
        const prev = parent.child(i);
        if (prev.type !== node.type || (prev.attrs.bullet || '-') !== bullet) break;
        run++;
      }
      const written = run % 2 ? (bullet === '-' ? '*' : '-') : bullet;
      state.renderList(node, '  ', () => written + ' ');
    },
    code_block(state, node) {
      // A tilde fence stays one: turned into backticks, a "~~~photo" code
      // block would become a photo block.
      const ch = node.attrs.tilde ? '~' : '`';
      let n = 2;
      for (const m of node.textContent.matchAll(node.attrs.tilde ? /~+/g : /`+/g)) n = Math.max(n, m[0].length);
      const f = ch.repeat(n + 1);
      state.write(f + (node.attrs.params || '') + '\n');
      state.text(node.textContent, false);
      state.write('\n');
      state.write(f);
      state.closeBlock(node);
    },
    table(state, node) {
      state.text(node.attrs.markdown, false);
      state.closeBlock(node);
    },
    photo: writeBlockNode,
    gallery: writeBlockNode,
    pullquote: writeBlockNode,
    factbox: writeBlockNode,
    embed: writeBlockNode,
  },
  {
    ...base.marks,
    strike: { open: '~~', close: '~~', mixable: true, expelEnclosingWhitespace: true },
  },
);

// toMarkdown writes a document as the body's Markdown.
export function toMarkdown(doc) {
  return serializer.serialize(doc, { tightLists: true });
}

// fromMarkdown reads the body's Markdown; it throws when the text holds
// something the editor has no node for (raw HTML, an image, a nested
// table): the caller then leaves the textarea as it is.
export function fromMarkdown(text) {
  return parser.parse(text);
}

// meaning flattens markdown-it's reading of a text to what a reader gets:
// the structure, the words, the addresses; not the spelling of the marks.
function meaning(text) {
  const md = MarkdownIt('default', { html: true, linkify: false });
  const out = [];
  const walk = (tokens) => {
    for (const t of tokens) {
      if (t.children) {
        walk(t.children);
        continue;
      }
      if (t.type === 'softbreak' || t.type === 'text') {
        const s = t.type === 'softbreak' ? ' ' : t.content;
        if (out.length && out[out.length - 1].startsWith('text|')) out[out.length - 1] += s;
        else out.push('text|' + s);
        continue;
      }
      const attrs = (t.attrs || []).filter(([k]) => k !== 'class').map((a) => a.join('=')).join(',');
      let content = t.content;
      // A block's keys may come in any order: what counts is their values.
      const kind = t.type === 'fence' && t.markup[0] === '`' ? t.info.trim() : '';
      if (kinds.includes(kind)) {
        const attrs = readBlock(kind, content);
        if (attrs) content = writeBlock(kind, attrs);
      }
      out.push([t.type, t.tag, attrs, t.info || '', content].join('|'));
    }
  };
  walk(md.parse(text, {}));
  return out.map((s) => s.replace(/\s+/g, ' ').trim());
}

// check reads text into a document and proves that writing it back loses
// nothing a reader would see; it returns the document, or throws an Error
// whose message says what the editor could not keep.
export function check(text) {
  let doc;
  try {
    doc = fromMarkdown(text);
  } catch (e) {
    throw new Error('the body holds something the editor cannot show (' + e.message + ')');
  }
  const before = meaning(text);
  const after = meaning(toMarkdown(doc));
  for (let i = 0; i < Math.max(before.length, after.length); i++) {
    if (before[i] !== after[i]) {
      throw new Error('the editor would change this part of the body: ' + JSON.stringify((before[i] || after[i]).split('|').pop().slice(0, 80)));
    }
  }
  return doc;
}
