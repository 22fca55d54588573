// The body's blocks (docs/blocks.md): fenced blocks whose info string names
// the kind, each line inside `key: value`. This module reads a block's text
// into attributes and writes attributes back in exactly that form; it knows
// nothing of ProseMirror so the round-trip tests run it in node alone.

export const kinds = ['photo', 'gallery', 'pullquote', 'factbox', 'embed'];

// The keys each kind writes, in the order docs/blocks.md lists them: a
// block always comes back in the same order, so saving twice changes nothing.
export const keys = {
  photo: ['media', 'alt', 'caption', 'credit'],
  pullquote: ['quote', 'by'],
  embed: ['url', 'provider', 'author', 'title', 'text', 'date', 'thumbnail', 'thumbnail_alt'],
};

// Required keys are written even when empty, so the server's refusal names
// the missing value instead of the editor quietly leaving the line out.
const required = { media: true, alt: true, quote: true, url: true, provider: true };

// The provider hosts of docs/blocks.md, exact and lowercase.
export const providers = {
  youtube: ['youtube.com', 'www.youtube.com', 'm.youtube.com', 'youtu.be'],
  telegram: ['t.me', 'telegram.me'],
  x: ['x.com', 'www.x.com', 'twitter.com', 'www.twitter.com', 'mobile.twitter.com'],
  instagram: ['instagram.com', 'www.instagram.com'],
  facebook: ['facebook.com', 'www.facebook.com', 'm.facebook.com', 'fb.watch'],
  tiktok: ['tiktok.com', 'www.tiktok.com', 'vm.tiktok.com'],
};

// providerOf names the provider of an https address, or '' when the
// address is not a post on one of the networks an embed may show.
export function providerOf(address) {
  const m = /^https:\/\/([a-z0-9.-]+)(\/[^\s]*)?$/.exec(String(address).trim());
  if (!m) return '';
  for (const [name, hosts] of Object.entries(providers)) {
    if (hosts.includes(m[1])) return name;
  }
  return '';
}

const line = /^([a-z_]+):(.*)$/;

// readItem reads `key: value` lines into an object of the given keys; it
// returns null when a line is not key: value, a key is unknown or repeated,
// so the caller keeps such a block as the text it is rather than guess.
function readItem(lines, allowed) {
  const item = {};
  for (const l of lines) {
    const m = line.exec(l);
    if (!m || !allowed.includes(m[1]) || m[1] in item) return null;
    item[m[1]] = m[2].trim();
  }
  for (const k of allowed) if (!(k in item)) item[k] = '';
  return item;
}

// splitItems cuts text at runs of blank lines.
function splitItems(text) {
  const items = [];
  let cur = [];
  for (const l of text.split('\n')) {
    if (l.trim() === '') {
      if (cur.length) items.push(cur);
      cur = [];
    } else cur.push(l);
  }
  if (cur.length) items.push(cur);
  return items;
}

// readBlock turns a block's inner text into the attributes of its node, or
// null when the text is not a well-formed block of that kind.
export function readBlock(kind, text) {
  text = text.replace(/\n$/, '');
  switch (kind) {
    case 'photo':
    case 'pullquote':
    case 'embed': {
      const lines = text.split('\n').filter((l) => l.trim() !== '');
      return readItem(lines, keys[kind]);
    }
    case 'gallery': {
      const items = splitItems(text).map((l) => readItem(l, keys.photo));
      if (items.some((i) => i === null)) return null;
      return { items };
    }
    case 'factbox': {
      const lines = text.split('\n');
      const m = line.exec(lines[0] || '');
      if (!m || m[1] !== 'title') return null;
      if (lines.length > 1 && lines[1].trim() !== '') return null;
      return { title: m[2].trim(), text: lines.slice(2).join('\n').replace(/^\n+|\s+$/g, '') };
    }
  }
  return null;
}

// fold makes a value one line: docs/blocks.md values never span lines.
export function fold(v) {
  return String(v ?? '').replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

function itemLines(item, ks) {
  const out = [];
  for (const k of ks) {
    const v = fold(item[k]);
    if (v === '' && !required[k]) continue;
    out.push(v === '' ? k + ':' : k + ': ' + v);
  }
  return out;
}

// fence is a run of backticks longer than any inside the text, and never
// shorter than three.
export function fence(text) {
  let n = 2;
  for (const m of text.matchAll(/`+/g)) n = Math.max(n, m[0].length);
  return '`'.repeat(n + 1);
}

// writeBlock writes a block in the docs/blocks.md form, fences included.
export function writeBlock(kind, attrs) {
  let inner;
  switch (kind) {
    case 'gallery':
      inner = attrs.items.map((i) => itemLines(i, keys.photo).join('\n')).join('\n\n');
      break;
    case 'factbox':
      inner = 'title: ' + fold(attrs.title) + '\n\n' + String(attrs.text ?? '').replace(/\r\n?/g, '\n').trim();
      break;
    default:
      inner = itemLines(attrs, keys[kind]).join('\n');
  }
  const f = fence(inner);
  return f + kind + '\n' + inner + '\n' + f;
}
