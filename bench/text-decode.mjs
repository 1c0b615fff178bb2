#!/usr/bin/env node
// Streaming text decoding, per encoding: sockrepl's decoder (src/codec/text.ts,
// createStreamDecoder), iconv-lite behind the boundary wrapper (a fresh decoder per chunk behind
// the bytes held back), and Node's built-in TextDecoder in streaming mode, on realistic text
// (sentences in the encoding's script between ASCII log lines) fed in 64 KiB chunks. Prints MB/s
// of input, best of --runs; then whether each streamed text equals that decoder's own decoding of
// the whole input, whether TextDecoder's text equals iconv-lite's, and how many of 2,000 random
// byte strings cut at random points make TextDecoder throw or differ from its whole decoding.
//
//   node bench/text-decode.mjs [--size 50m] [--runs 2] [--only gbk,big5]
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args[i + 1];
};
const sizeMb = Number.parseInt(opt('--size', '50'), 10);
const runs = Number.parseInt(opt('--runs', '2'), 10);
const only = opt('--only', '')?.split(',').filter(Boolean);

if (spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' }).status !== 0)
  console.error('note: npm run build reported errors; timing the dist/ that exists');
const text = await import(join(root, 'dist', 'src', 'codec', 'text.js'));

const ZH = '我们在这个时候说明了中国的经济发展和社会进步，这是一个很重要的问题。今天天气很好，大家都来了。';
const ZH_TW =
  '我們在這個時候說明了臺灣的經濟發展和社會進步，這是一個很重要的問題。今天天氣很好，大家都來了。';
const JA = '日本語のテキストをデコードします。東京都の天気は晴れ、気温は二十五度です。カタカナとひらがな。';
const KO = '한국어 텍스트를 디코딩합니다. 서울의 날씨는 맑고 기온은 이십오 도입니다. 안녕하세요.';
const LATIN = 'Le cœur déçu mais l’âme plutôt naïve, Louÿs rêva de crapaüter en canoë au delà des îles.';
const RU = 'Съешь же ещё этих мягких французских булок, да выпей чаю. Широкая электрификация.';
const LOG = '2024-05-01T12:00:00.123Z INFO request id=4711 path=/api/v1/items status=200 len=1532\n';

/** [encoding as sockrepl names it, WHATWG label, sample text]. */
const CASES = [
  ['gbk', 'gbk', ZH],
  ['gb18030', 'gb18030', `${ZH}😀`],
  ['big5', 'big5', ZH_TW],
  ['shiftjis', 'shift_jis', JA],
  ['euc-jp', 'euc-jp', JA],
  ['euc-kr', 'euc-kr', KO],
  ['utf16le', 'utf-16le', `${ZH}${LATIN}`],
  ['utf8', 'utf-8', `${ZH}${LATIN}`],
  ['windows1252', 'windows-1252', LATIN],
  ['koi8-r', 'koi8-r', RU],
];

/** About `sizeMb` MB of the encoding: its sentences between log lines, in varying order. */
function corpus(enc, sample) {
  const parts = [iconv.encode(LOG, enc), iconv.encode(sample, enc), iconv.encode(`${sample}\n`, enc)];
  const unit = [];
  let seed = 7;
  for (let k = 0; k < 64; k++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    unit.push(parts[seed % 3]);
  }
  const block = Buffer.concat(unit);
  const out = Buffer.alloc(sizeMb * 1e6);
  for (let at = 0; at < out.length; at += block.length) block.copy(out, at);
  // Keep the end on a character boundary: cut after the last newline.
  const newline = iconv.encode('\n', enc);
  return out.subarray(0, out.lastIndexOf(newline) + newline.length);
}

function boundaryIconv(enc) {
  // The wrapper sockrepl used before: a fresh iconv-lite decoder per chunk behind the bytes held.
  let held = Buffer.alloc(0);
  return {
    write(bytes) {
      const data = held.length ? Buffer.concat([held, bytes]) : bytes;
      const d = iconv.getDecoder(enc);
      const s = d.write(data);
      const pending = d.prevBytes;
      held =
        Array.isArray(pending) && pending.length
          ? Buffer.from(data.subarray(data.length - pending.length))
          : Buffer.alloc(0);
      return s;
    },
    end: () => (held.length ? iconv.decode(held, enc) : ''),
  };
}

function whatwg(label) {
  const d = new TextDecoder(label);
  return { write: (b) => d.decode(b, { stream: true }), end: () => d.decode() };
}

/** Random bytes cut at random points: how often the streamed text throws or differs. */
function splitFaults(label) {
  let seed = 11;
  const r = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  let faults = 0;
  for (let k = 0; k < 2000; k++) {
    const bytes = Buffer.alloc(1 + Math.floor(r() * 24));
    for (let z = 0; z < bytes.length; z++) bytes[z] = Math.floor(r() * 256) | (r() < 0.7 ? 0x80 : 0);
    try {
      const whole = new TextDecoder(label).decode(bytes);
      const d = new TextDecoder(label);
      let s = '';
      for (let at = 0; at < bytes.length; ) {
        const n = 1 + Math.floor(r() * 4);
        s += d.decode(bytes.subarray(at, at + n), { stream: true });
        at += n;
      }
      if (s + d.decode() !== whole) faults++;
    } catch {
      faults++;
    }
  }
  return faults;
}

/** Two-byte sequences that iconv-lite decodes to one character and encodes back the same: how many TextDecoder reads otherwise. */
function mappingDiffs(enc, label) {
  let differ = 0;
  const decoder = new TextDecoder(label);
  for (let v = 0; v < 65536; v++) {
    const b = Buffer.from([v >> 8, v & 255]);
    const a = iconv.decode(b, enc);
    if (a.includes('\ufffd') || !iconv.encode(a, enc).equals(b)) continue;
    if (decoder.decode(b) !== a) differ++;
  }
  return differ;
}

function time(make, bytes) {
  let best = Number.POSITIVE_INFINITY;
  let out = '';
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const d = make();
    const parts = [];
    for (let at = 0; at < bytes.length; at += 65536) parts.push(d.write(bytes.subarray(at, at + 65536)));
    parts.push(d.end());
    best = Math.min(best, performance.now() - t0);
    out = parts.join('');
  }
  return { mbs: bytes.length / 1e6 / (best / 1000), out };
}

console.log(
  `${sizeMb} MB per encoding, 64 KiB chunks, best of ${runs}; node ${process.version}, ICU ${process.versions.icu}`,
);
console.log(
  `${'encoding'.padEnd(12)} ${'sockrepl'.padStart(9)} ${'iconv+wrap'.padStart(11)} ${'TextDecoder'.padStart(12)}` +
    '   streamed = whole   TextDecoder = iconv   random splits wrong   valid pairs read otherwise',
);
for (const [enc, label, sample] of CASES) {
  if (only?.length && !only.includes(enc)) continue;
  const bytes = corpus(enc, sample);
  const whole = text.decodeText(bytes, enc);
  const ours = time(() => text.createStreamDecoder(enc), bytes);
  const lite = time(() => boundaryIconv(enc), bytes);
  let web = { mbs: Number.NaN, out: '' };
  let webWhole;
  try {
    webWhole = new TextDecoder(label).decode(bytes);
    web = time(() => whatwg(label), bytes);
  } catch {}
  const yn = (b) => (b ? 'y' : 'n');
  const same = `${yn(ours.out === whole)}/${yn(lite.out === iconv.decode(bytes, enc))}/${yn(web.out === webWhole)}`;
  const agree = webWhole === undefined ? '-' : yn(webWhole === iconv.decode(bytes, enc));
  const f = (x) => (Number.isNaN(x) ? '-' : x.toFixed(0)).padStart(9);
  console.log(
    `${enc.padEnd(12)} ${f(ours.mbs)}   ${f(lite.mbs)}   ${f(web.mbs)}      ${same.padEnd(16)}` +
      `   ${agree.padEnd(17)}   ${`${splitFaults(label)}/2000`.padEnd(19)}   ${enc.startsWith('utf') ? '-' : mappingDiffs(enc, label)}`,
  );
}
