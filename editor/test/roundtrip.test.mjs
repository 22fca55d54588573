// Markdown → editor document → Markdown, and document → Markdown →
// document, over every node, mark and block of docs/blocks.md. Runs in node
// without a browser: node --test editor/test/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schema, fromMarkdown, toMarkdown, check } from '../src/markdown.js';
import { providerOf, readBlock, writeBlock } from '../src/blocks.js';

// Each case is written the way the serializer writes it, so the round trip
// must give back exactly the same text.
const exact = {
  paragraph: 'کشتی ساعت ۶ صبح از باتومی حرکت کرد.',
  'headings h2 to h4': '## عنوان\n\n### Subheading\n\n#### Small',
  marks: 'Some **bold**, *italic*, ~~struck~~ and `code` text.',
  'link in an RTL sentence': 'خبرگزاری [Reuters](https://example.org/a_b?x=1) گزارش داد که ۲۱۲ مسافر بودند.',
  'Arabic with a link': 'قالت [الوكالة](https://example.org/ar) إن السفينة وصلت.',
  'bullet list': '- one\n- دو\n- three',
  'ordered list from 3': '3. three\n4. four',
  'nested lists': '- one\n  1. inner\n  2. inner two\n- two\n  - deeper',
  'loose list': '- one\n\n- two',
  blockquote: '> نقل قول\n>\n> second paragraph',
  'code block': '```go\nfmt.Println("x")\n```',
  'code block holding a fence': '````\n```photo\nmedia: 1\n```\n````',
  'tilde code block with a block kind': '~~~photo\nnot a block\n~~~',
  'horizontal rule': 'above\n\n---\n\nbelow',
  'hard break': 'line one\\\nline two',
  'h1 kept': '# Title',
  photo: '```photo\nmedia: 42\nalt: مسافران سوار کشتی می‌شوند\ncaption: اولین کشتی پس از طوفان.\ncredit: Photo: Nino Beridze\n```',
  'photo with only required keys': '```photo\nmedia: 7\nalt: A pier\n```',
  'photo with empty alt': '```photo\nmedia: 7\nalt:\n```',
  'backticks inside values': '````photo\nmedia: 9\nalt: a ``` fence and `code`\n````',
  'gallery of 3': '```gallery\nmedia: 42\nalt: The pier before the storm\n\nmedia: 43\nalt: The pier after the storm\ncaption: Waves broke the railings.\n\nmedia: 44\nalt: سومین عکس\ncredit: AP\n```',
  pullquote: '```pullquote\nquote: ما تا صبح منتظر ماندیم.\nby: یک مسافر\n```',
  'factbox with a list': '```factbox\ntitle: What we know\n\n- The ferry left at 06:10.\n- **212** passengers were on board.\n```',
  'factbox with paragraphs and a link': '```factbox\ntitle: آنچه می‌دانیم\n\nکشتی [ساعت ۶](https://example.org) حرکت کرد.\n\nSecond paragraph.\n```',
  embed: '```embed\nurl: https://t.me/durov/123\nprovider: telegram\nauthor: Pavel Durov\ntitle: A post\ntext: سلام دنیا\ndate: 2026-11-30\nthumbnail: 57\nthumbnail_alt: A photo of a ferry\n```',
  'embed with url only': '```embed\nurl: https://www.youtube.com/watch?v=abc\nprovider: youtube\n```',
  table: '| شهر | مسافر |\n|---|---:|\n| Batumi | 212 |\n| Poti | ۱۲ |',
  'table between paragraphs': 'before\n\n| a | b |\n| - | - |\n| 1 | 2 |\n\nafter',
  'a block inside a quote': '> ```pullquote\n> quote: نقل\n> ```',
  'unknown fenced info stays code': '```photos\nmedia: 1\n```',
  'bad block stays as written': '```photo\nmedia: 1\nwhat: nope\n```',
};

for (const [name, md] of Object.entries(exact)) {
  test('markdown round trip: ' + name, () => {
    const doc = check(md);
    assert.equal(toMarkdown(doc), md);
    assert.ok(fromMarkdown(toMarkdown(doc)).eq(doc), 'document → Markdown → document changed it');
  });
}

test('every block kind reads as its own node', () => {
  const want = { photo: 'photo', 'gallery of 3': 'gallery', pullquote: 'pullquote', 'factbox with a list': 'factbox', embed: 'embed', table: 'table' };
  for (const [c, type] of Object.entries(want)) {
    assert.equal(fromMarkdown(exact[c]).firstChild.type.name, type, c);
  }
  assert.equal(fromMarkdown(exact['bad block stays as written']).firstChild.type.name, 'code_block');
  const g = fromMarkdown(exact['gallery of 3']).firstChild;
  assert.equal(g.attrs.items.length, 3);
  assert.equal(g.attrs.items[2].alt, 'سومین عکس');
});

test('a link in the middle of an RTL sentence keeps its text and order', () => {
  const doc = fromMarkdown(exact['link in an RTL sentence']);
  const p = doc.firstChild;
  assert.equal(p.childCount, 3);
  assert.equal(p.child(0).text, 'خبرگزاری ');
  assert.equal(p.child(1).text, 'Reuters');
  assert.equal(p.child(1).marks[0].attrs.href, 'https://example.org/a_b?x=1');
  assert.equal(p.child(2).text, ' گزارش داد که ۲۱۲ مسافر بودند.');
});

test('blocks are written in the docs/blocks.md form', () => {
  // Keys in any order and extra blank lines read; written back in order.
  const doc = check('```photo\ncredit: AP\n\nalt:   A pier  \nmedia: 3\n```');
  assert.equal(toMarkdown(doc), '```photo\nmedia: 3\nalt: A pier\ncredit: AP\n```');
  // A value typed over several lines is folded to one.
  const photo = schema.nodes.photo.create({ media: '5', alt: 'line one\nline two\r\n  three' });
  assert.equal(toMarkdown(schema.nodes.doc.create(null, photo)), '```photo\nmedia: 5\nalt: line one line two three\n```');
  // The fence is longer than any run of backticks inside.
  assert.equal(writeBlock('pullquote', { quote: 'a ```` b', by: '' }), '`````pullquote\nquote: a ```` b\n`````');
});

test('readBlock refuses what is not a block', () => {
  assert.equal(readBlock('photo', 'media: 1\nmedia: 2'), null, 'a repeated key');
  assert.equal(readBlock('photo', 'media 1'), null, 'not key: value');
  assert.equal(readBlock('pullquote', 'quote: x\nalt: y'), null, 'a key of another kind');
  assert.equal(readBlock('factbox', 'no title'), null);
  assert.deepEqual(readBlock('factbox', 'title: T\n\n- a\n- b\n'), { title: 'T', text: '- a\n- b' });
});

test('raw HTML is kept as the text it is', () => {
  const md = '<div>raw html</div>';
  assert.equal(toMarkdown(check(md)), md);
});

test('the editor refuses a body it cannot keep, naming why', () => {
  for (const md of ['an image ![alt](/x.png) here', '> | a |\n> |---|\n> | 1 |']) {
    assert.throws(() => check(md), /cannot show|would change/, md);
  }
});

test('what the editor rewrites keeps its meaning', () => {
  // A different spelling of the same text is accepted and normalised.
  const doc = check('* one\n* two\n\nline one\nline two\n\n_em_ __strong__');
  assert.equal(toMarkdown(doc), '* one\n* two\n\nline one line two\n\n*em* **strong**');
});

test('providers are recognised by their exact hosts', () => {
  assert.equal(providerOf('https://t.me/durov/1'), 'telegram');
  assert.equal(providerOf('https://youtu.be/x'), 'youtube');
  assert.equal(providerOf('https://www.tiktok.com/@a/video/1'), 'tiktok');
  assert.equal(providerOf('http://t.me/durov/1'), '', 'not https');
  assert.equal(providerOf('https://t.me:8443/x'), '', 'a port');
  assert.equal(providerOf('https://evil.t.me.example/x'), '');
  assert.equal(providerOf('https://user@t.me/x'), '');
});

test('two lists in a row stay two lists', () => {
  const s = schema.nodes;
  const list = (t) => s.bullet_list.create({ tight: true, bullet: '-' }, [s.list_item.create(null, [s.paragraph.create(null, [schema.text(t)])])]);
  const doc = s.doc.create(null, [list('a'), list('b'), list('c')]);
  const md = toMarkdown(doc);
  assert.match(md, /^- a\n+\* b\n+- c$/);
  assert.equal(fromMarkdown(md).childCount, 3);
});

// A small property test: random documents built from the schema survive
// document → Markdown → document.
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const words = ['کشتی', 'Batumi', '۲۱۲', 'مسافر', 'ferry', 'left', 'at', 'dawn', 'العربية', '06:10', 'x'];

function randomInline(r) {
  const s = schema;
  const out = [];
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const text = Array.from({ length: 1 + Math.floor(r() * 4) }, () => words[Math.floor(r() * words.length)]).join(' ');
    const marks = [];
    const k = r();
    if (k < 0.15) marks.push(s.marks.strong.create());
    else if (k < 0.3) marks.push(s.marks.em.create());
    else if (k < 0.4) marks.push(s.marks.link.create({ href: 'https://example.org/' + i }));
    else if (k < 0.45) marks.push(s.marks.strike.create());
    // Separate marked runs by plain spaces, as a writer would.
    if (out.length) out.push(s.text(' '));
    out.push(s.text(text, marks));
  }
  return out;
}

function randomBlock(r, depth) {
  const s = schema.nodes;
  const k = Math.floor(r() * (depth > 1 ? 8 : 11));
  const item = () => ({ media: String(1 + Math.floor(r() * 99)), alt: words[Math.floor(r() * words.length)] + ' ' + words[Math.floor(r() * words.length)], caption: r() < 0.5 ? 'caption `x`' : '', credit: r() < 0.5 ? 'AP' : '' });
  switch (k) {
    case 0:
    case 1:
    case 2:
      return s.paragraph.create(null, randomInline(r));
    case 3:
      return s.heading.create({ level: 2 + Math.floor(r() * 3) }, randomInline(r));
    case 4:
      return s.photo.create(item());
    case 5:
      return s.gallery.create({ items: [item(), item(), item()].slice(0, 2 + Math.floor(r() * 2)) });
    case 6:
      return s.pullquote.create({ quote: words.join(' '), by: r() < 0.5 ? 'یک مسافر' : '' });
    case 7:
      return s.embed.create({ url: 'https://t.me/c/' + Math.floor(r() * 1000), provider: 'telegram', author: 'A', title: '', text: 'متن', date: '2026-01-02', thumbnail: '', thumbnail_alt: '' });
    case 8:
      return s.bullet_list.create({ tight: true, bullet: '-' }, [1, 2].map(() => s.list_item.create(null, [s.paragraph.create(null, randomInline(r))])));
    case 9:
      return s.blockquote.create(null, [randomBlock(r, depth + 1)]);
    default:
      return s.factbox.create({ title: 'What we know', text: '- a\n- **b**' });
  }
}

test('property: random documents survive document → Markdown → document', () => {
  const r = rng(18);
  for (let i = 0; i < 300; i++) {
    const blocks = Array.from({ length: 1 + Math.floor(r() * 6) }, () => randomBlock(r, 0));
    // Lists in a row differ in their bullets, as they do in any Markdown
    // (the serializer alternates them: a separate test below).
    for (let j = 1; j < blocks.length; j++) {
      if (blocks[j].type === schema.nodes.bullet_list && blocks[j - 1].type === schema.nodes.bullet_list && blocks[j - 1].attrs.bullet === blocks[j].attrs.bullet) {
        blocks[j] = schema.nodes.bullet_list.create({ tight: true, bullet: blocks[j].attrs.bullet === '-' ? '*' : '-' }, blocks[j].content);
      }
    }
    const doc = schema.nodes.doc.create(null, blocks);
    doc.check();
    const md = toMarkdown(doc);
    const back = fromMarkdown(md);
    assert.ok(back.eq(doc), 'document ' + i + ' changed:\n' + md + '\n---\n' + JSON.stringify(back.toJSON()).slice(0, 400));
    assert.equal(toMarkdown(check(md)), md, 'the Markdown of document ' + i + ' is not stable');
  }
});

// A fuzz-like test on the Markdown side: text pieced together from
// fragments that stress the parser (marks, brackets, backticks, fences,
// list markers, Persian). The editor either refuses the text or takes it,
// and what it writes reads back to the same document and the same text.
const fragments = ['کشتی', ' ', 'Batumi', '*', '**', '_', '`', '```', '[', ']', '(https://example.org/x)', '# ', '## ', '- ', '1. ', '> ', '\n', '\n\n', '~~', '\\', '#', '|', '---', '۲۱۲', 'a_b', '<b>', '!', '```photo\nmedia: 1\nalt: x\n```', '&amp;', '  '];

test('fuzz: whatever the editor takes, it writes back stably', () => {
  const r = rng(1818);
  let taken = 0;
  for (let i = 0; i < 2000; i++) {
    const md = Array.from({ length: 1 + Math.floor(r() * 12) }, () => fragments[Math.floor(r() * fragments.length)]).join('');
    let doc;
    try {
      doc = check(md);
    } catch {
      continue;
    }
    taken++;
    const out = toMarkdown(doc);
    const again = check(out);
    assert.ok(again.eq(doc), `case ${i}: ${JSON.stringify(md)} → ${JSON.stringify(out)} reads back differently`);
    assert.equal(toMarkdown(again), out, `case ${i}: ${JSON.stringify(md)} is not stable`);
  }
  assert.ok(taken > 1000, `only ${taken} of 2000 texts taken`);
});
