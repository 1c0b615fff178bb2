#!/usr/bin/env node
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is the script language's own variable syntax.
// Script overhead: a ping-pong of N round trips (default 10,000: `send` + `expect`, 20,000 script
// steps with their transcript) run by `sockrepl run`, against a plain Node client doing the same
// exchange, both against one echo server, in the same run. Prints each one's time and the ratio
// (target: under 2x). Both are separate processes timed from spawn to exit, so the ratio includes
// start-up; the steady-state ratio (start-up measured with N=0 and taken off) is printed too.
// A script, not a test: timings on a shared machine are noisy, so it alternates the two and
// compares the best of the runs (the least disturbed), printing the medians beside them.
//
//   npm run bench:script
//   BENCH_ROUNDS=2000 BENCH_RUNS=5 npm run bench:script
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/sockrepl.js', import.meta.url));
const rounds = Number(process.env.BENCH_ROUNDS ?? 10_000);
const runs = Number(process.env.BENCH_RUNS ?? 3);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 1_000_000)
  throw new Error('BENCH_ROUNDS: 1..1000000');

// The echo server: every byte straight back, TCP_NODELAY so nothing waits for Nagle.
const server = createServer({ noDelay: true }, (s) => {
  s.on('error', () => {});
  s.pipe(s);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const { port } = server.address();

const dir = mkdtempSync(join(tmpdir(), 'sockrepl-bench-'));
const script = join(dir, 'pingpong.srs');
writeFileSync(
  script,
  [
    'connect 127.0.0.1 ${PORT} nodelay',
    'repeat ${N} {',
    '  send "ping\\n"',
    '  expect "ping\\n"',
    '}',
    '',
  ].join('\n'),
);

// The same exchange by hand: write, wait until the reply is in, take it, again. Every loop bounded.
const plain = join(dir, 'plain.mjs');
writeFileSync(
  plain,
  `import { connect } from 'node:net';
const [port, n] = process.argv.slice(2).map(Number);
const s = connect({ port, host: '127.0.0.1', noDelay: true });
await new Promise((r) => s.once('connect', r));
let buf = Buffer.alloc(0);
let wake = () => {};
s.on('data', (d) => { buf = Buffer.concat([buf, d]); wake(); });
const ping = Buffer.from('ping\\n');
for (let i = 0; i < n; i++) {
  s.write(ping);
  while (buf.indexOf(ping) < 0) await new Promise((r) => { wake = r; });
  buf = buf.subarray(buf.indexOf(ping) + ping.length);
}
s.end();
`,
);

/** Runs a command to completion; resolves with its wall time in ms (output drained, counted). */
function timed(args, what) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = 0;
    let err = '';
    child.stdout.on('data', (d) => {
      out += d.length;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${what} exited ${code}: ${err}`));
      else resolve({ ms: performance.now() - started, out });
    });
  });
}

const sockrepl = (n) =>
  timed([BIN, 'run', script, '--var', `PORT=${port}`, '--var', `N=${n}`], 'sockrepl run');
const node = (n) => timed([plain, String(port), String(n)], 'plain client');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(
  `ping-pong: ${rounds} round trips (${2 * rounds} script steps), ${runs} runs each, ${cpus().length} CPUs`,
);
const results = { sockrepl: [], node: [], sockreplStart: [], nodeStart: [] };
let transcriptBytes = 0;
for (let i = 0; i < runs; i++) {
  const s = await sockrepl(rounds);
  transcriptBytes = s.out;
  results.sockrepl.push(s.ms);
  results.node.push((await node(rounds)).ms);
  results.sockreplStart.push((await sockrepl(0)).ms);
  results.nodeStart.push((await node(0)).ms);
}
server.close();
rmSync(dir, { recursive: true, force: true });

const best = (xs) => Math.min(...xs);
const perRound = (ms, start) => `${(((ms - start) / rounds) * 1000).toFixed(1)} µs/round trip`;
const line = (name, runs, starts) =>
  `  ${name.padEnd(14)} ${best(runs).toFixed(0).padStart(6)} ms best, ${median(runs).toFixed(0).padStart(6)} ms median` +
  `  (start-up ${best(starts).toFixed(0)} ms, ${perRound(best(runs), best(starts))})`;
console.log(
  `${line('sockrepl run', results.sockrepl, results.sockreplStart)}; transcript ${(transcriptBytes / 1024).toFixed(0)} KiB`,
);
console.log(line('plain Node', results.node, results.nodeStart));
const s = best(results.sockrepl);
const n = best(results.node);
const steady = (s - best(results.sockreplStart)) / Math.max(1, n - best(results.nodeStart));
console.log(
  `  overhead ratio ${(s / n).toFixed(2)}x overall (medians ${(median(results.sockrepl) / median(results.node)).toFixed(2)}x), ` +
    `${steady.toFixed(2)}x steady state (target < 2x)`,
);
