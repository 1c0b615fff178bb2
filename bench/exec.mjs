#!/usr/bin/env node
// Exec throughput: pushes N bytes (default 1 GiB) through `sockrepl exec cat` (pipe mode) and
// through `socat - EXEC:cat`, in the same run, taking turns round by round, and prints MB/s, the
// sha256 of what came back (it must equal what went in) and sockrepl's ratio to socat (best and
// median). A script, not a test: timings on a shared machine are noisy.
//
//   npm run bench:exec                     # 1 GiB, 3 rounds
//   BENCH_BYTES=256m BENCH_RUNS=1 npm run bench:exec
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/sockrepl.js', import.meta.url));
const bytes = parseSize(process.env.BENCH_BYTES ?? '1g');
const runs = Number(process.env.BENCH_RUNS ?? 3);

function parseSize(text) {
  const m = /^(\d+)([kmg]?)$/i.exec(text);
  if (!m) throw new Error(`BENCH_BYTES: bad size ${text}`);
  return Number(m[1]) * { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase()];
}

// One random MiB, sent again and again (with its offset folded in, so no two MiB are equal).
const BLOCK = randomBytes(1024 * 1024);

function chunkAt(offset) {
  const n = Math.min(BLOCK.length, bytes - offset);
  const chunk = Buffer.from(BLOCK.subarray(0, n));
  chunk.writeUInt32BE(offset >>> 0, 0);
  return chunk;
}

/** Runs `cmd args`, feeds it N bytes, hashes both sides; resolves with seconds and the hashes. */
function measure(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    const sent = createHash('sha256');
    const got = createHash('sha256');
    let received = 0;
    const t0 = process.hrtime.bigint();
    child.stdout.on('data', (d) => {
      got.update(d);
      received += d.length;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      if (code !== 0) return reject(new Error(`${cmd} exited with ${code}`));
      resolve({ s, received, sent: sent.digest('hex'), got: got.digest('hex') });
    });
    let offset = 0;
    const pump = () => {
      while (offset < bytes) {
        const chunk = chunkAt(offset);
        offset += chunk.length;
        sent.update(chunk);
        if (!child.stdin.write(chunk)) return child.stdin.once('drain', pump);
      }
      child.stdin.end();
    };
    pump();
  });
}

// `exec cat` hands cat sockrepl's own stdin and stdout (nothing needs to see the bytes);
// `--stderr mark` keeps the program on pipes, every byte through the program channel in JavaScript.
const contenders = [
  { name: 'sockrepl exec cat', cmd: process.execPath, args: [BIN, 'exec', 'cat'] },
  { name: 'socat - EXEC:cat', cmd: 'socat', args: ['-', 'EXEC:cat'] },
  { name: 'sockrepl (channel)', cmd: process.execPath, args: [BIN, 'exec', '--stderr', 'mark', 'cat'] },
];

const mb = (n) => (n / 1e6).toFixed(0);
console.log(
  `exec throughput: ${mb(bytes)} MB per run, ${runs} round(s); ${cpus().length} cores, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
const results = new Map(contenders.map((c) => [c.name, []]));
for (let r = 0; r < runs; r++) {
  for (const c of r % 2 === 0 ? contenders : [...contenders].reverse()) {
    const m = await measure(c.cmd, c.args);
    const ok = m.received === bytes && m.sent === m.got;
    results.get(c.name).push(m.s);
    console.log(
      `  round ${r + 1}  ${c.name.padEnd(20)} ${(bytes / m.s / 1e6).toFixed(0).padStart(6)} MB/s  sha256 ${m.got.slice(0, 16)}… ${ok ? 'matches' : 'DIFFERS'}`,
    );
    if (!ok) process.exitCode = 1;
  }
}
const best = (xs) => Math.min(...xs);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const [ours, peer, channel] = contenders.map((c) => results.get(c.name));
for (const c of contenders) {
  const xs = results.get(c.name);
  console.log(
    `${c.name.padEnd(20)} best ${(bytes / best(xs) / 1e6).toFixed(0)} MB/s, median ${(bytes / median(xs) / 1e6).toFixed(0)} MB/s`,
  );
}
console.log(
  `sockrepl (channel) / socat throughput: best ${(best(peer) / best(channel)).toFixed(2)}x, median ${(median(peer) / median(channel)).toFixed(2)}x`,
);
console.log(
  `sockrepl / socat throughput: best ${(best(peer) / best(ours)).toFixed(2)}x, median ${(median(peer) / median(ours)).toFixed(2)}x (1.00 = as fast as socat)`,
);
