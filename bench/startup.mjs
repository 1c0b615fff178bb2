#!/usr/bin/env node
// Start-up: how long sockrepl takes before it does anything, beside the floor Node itself sets.
// Prints the median wall time of each command (rounds taken in turns, so load hits all alike) and
// three ratios: `--version` and `--help` against `node -e 0`, and a one-shot transfer
// (`echo hi | sockrepl -N 127.0.0.1 PORT`) against a three-line node:net client doing the same.
// A script, not a test: timings on a shared machine are noisy.
//
//   npm run bench:startup              # 20 rounds
//   BENCH_RUNS=50 npm run bench:startup
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/sockrepl.js', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 20);

// The peer of the one-shot: reads until the client's FIN, answers, closes.
const server = createServer((s) => {
  s.resume();
  s.on('end', () => s.end('ok\n'));
  s.on('error', () => {});
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = String(server.address().port);

// The smallest honest node:net client: stdin to the socket (FIN at its end), the socket to stdout.
const client = join(tmpdir(), `sockrepl-bench-client-${process.pid}.mjs`);
writeFileSync(
  client,
  `import { connect } from 'node:net';
const s = connect(Number(process.argv[3]), process.argv[2]);
process.stdin.pipe(s); s.pipe(process.stdout);
`,
);

const node = process.execPath;
const cases = {
  'node -e 0': [node, ['-e', '0']],
  'sockrepl --version': [node, [BIN, '--version']],
  'sockrepl --help': [node, [BIN, '--help']],
  'node:net client': [node, [client, '127.0.0.1', port], 'hi\n'],
  'sockrepl -N': [node, [BIN, '-N', '127.0.0.1', port], 'hi\n'],
};

/** Runs one command to its end, feeding `input` if given; resolves with the wall time in ms. */
function timeOnce([cmd, args, input]) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`));
      if (input && out !== 'ok\n') return reject(new Error(`${args.join(' ')}: got ${JSON.stringify(out)}`));
      resolve(ms);
    });
    child.stdin.end(input ?? '');
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

console.log(`start-up, ${runs} rounds, ${cpus().length} cores, load ${loadavg()[0].toFixed(1)}`);
const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (const [name, c] of Object.entries(cases)) await timeOnce(c).catch((e) => fail(name, e)); // warm the caches
for (let i = 0; i < runs; i++) {
  for (const [name, c] of Object.entries(cases))
    times[name].push(await timeOnce(c).catch((e) => fail(name, e)));
}
server.close();

const med = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
for (const [name, ms] of Object.entries(med))
  console.log(`  ${name.padEnd(20)} ${ms.toFixed(1).padStart(7)} ms`);
const ratio = (a, b) => `${(med[a] / med[b]).toFixed(2)}x`;
console.log(`--version / node -e 0:         ${ratio('sockrepl --version', 'node -e 0')}`);
console.log(`--help / node -e 0:            ${ratio('sockrepl --help', 'node -e 0')}`);
console.log(`one-shot -N / node:net client: ${ratio('sockrepl -N', 'node:net client')}`);

function fail(name, err) {
  console.error(`${name}: ${err.message}`);
  process.exit(1);
}
