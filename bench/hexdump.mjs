#!/usr/bin/env node
// Hex dump throughput: `sockrepl decode --file F` against `xxd F`, same 200 MB file, same run.
// 5 rounds, output to /dev/null, the contenders interleaved in each round so that load from
// other work falls on all alike. Prints best and median MB/s and the ratios (above 1 = sockrepl faster),
// with sockrepl's default threads (one per core, up to 4, used when the file is large and the
// machine has an idle core: see canDumpInParallel), on one thread, and on the forced thread
// count. The load average printed with each round says how busy the machine was.
//
//   node bench/hexdump.mjs [--size 200m] [--runs 5] [--zeros]
//
// The file is random bytes (the honest case: no repeated lines to squeeze, few printable
// characters); --zeros makes one of zeros instead (the squeeze case).
import { spawn, spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args[i + 1];
};
const sizeMb = Number.parseInt(opt('--size', '200'), 10);
const runs = Number.parseInt(opt('--runs', '5'), 10);
const zeros = args.includes('--zeros');

const dir = mkdtempSync(join(tmpdir(), 'sockrepl-bench-'));
const file = join(dir, 'data.bin');

function makeFile() {
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(1 << 20);
  for (let i = 0; i < sizeMb; i++) {
    if (!zeros) randomFillSync(block);
    writeSync(fd, block);
  }
  closeSync(fd);
}

/** Runs a command with stdout to /dev/null; resolves with seconds taken. */
function time(cmd, argv, env) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, argv, {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, ...env },
    });
    // Bounded: a run that takes this long is a failure, not a measurement.
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`${cmd} ${argv.join(' ')} exited with ${code}`));
      else resolve(Number(process.hrtime.bigint() - t0) / 1e9);
    });
  });
}

/**
 * Times every contender once per round, rounds interleaved (the order turns each round), so
 * that load from other work on the machine falls on all of them alike; prints the best and the
 * median of each.
 */
async function race(contenders) {
  const times = contenders.map(() => []);
  for (let r = 0; r < runs; r++) {
    const order = contenders.map((_, k) => (k + r) % contenders.length);
    const row = [];
    for (const k of order) {
      const { cmd, argv, env } = contenders[k];
      const t = await time(cmd, argv, env);
      times[k].push(t);
      row[k] = t.toFixed(2);
    }
    console.log(`  round ${r + 1} (load average ${loadavg()[0].toFixed(2)}): ${row.join(' s, ')} s`);
  }
  return contenders.map((c, k) => {
    const sorted = [...times[k]].sort((a, b) => a - b);
    const best = sorted[0];
    const median = sorted[Math.floor((sorted.length - 1) / 2)];
    console.log(
      `${c.label.padEnd(44)} best ${best.toFixed(3)} s ${(sizeMb / best).toFixed(1).padStart(6)} MB/s` +
        `   median ${median.toFixed(3)} s ${(sizeMb / median).toFixed(1).padStart(6)} MB/s`,
    );
    return { best: sizeMb / best, median: sizeMb / median };
  });
}

try {
  if (spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' }).status !== 0)
    console.error('note: npm run build reported errors; timing the dist/ that exists');
  makeFile();
  console.log(
    `file: ${sizeMb} MB of ${zeros ? 'zeros' : 'random bytes'}; ${runs} rounds; stdout to /dev/null`,
  );
  console.log(`machine: ${cpus()[0]?.model ?? 'unknown cpu'} x${cpus().length}, node ${process.version}`);
  const args = [join(root, 'bin', 'sockrepl.js'), 'decode', '--file', file];
  const threads = Math.min(availableParallelism(), 4);
  const contenders = [
    { label: `sockrepl decode --file F (default, up to ${threads} thr)`, cmd: process.execPath, argv: args },
    {
      label: 'sockrepl ... (1 thread)',
      cmd: process.execPath,
      argv: args,
      env: { SOCKREPL_HEXDUMP_THREADS: '1' },
    },
    {
      label: `sockrepl ... (${threads} threads)`,
      cmd: process.execPath,
      argv: args,
      env: { SOCKREPL_HEXDUMP_THREADS: String(threads) },
    },
  ];
  const hasXxd = spawnSync('xxd', ['-v'], { stdio: 'ignore' }).status === 0;
  if (hasXxd) contenders.push({ label: 'xxd F', cmd: 'xxd', argv: [file] });
  else console.log('xxd not found: no ratio (install xxd, usually in the vim package)');
  console.log(
    `order: ${contenders.map((c) => c.label.split(' (')[0].replace('sockrepl ...', 'sockrepl')).join(', ')}`,
  );
  const [ours, single, forced, theirs] = await race(contenders);
  if (theirs) {
    const x = (a, b) => `${(a / b).toFixed(2)}x`;
    console.log(
      `ratio (best): ${x(ours.best, theirs.best)} xxd (${x(single.best, theirs.best)} on one thread, ` +
        `${x(forced.best, theirs.best)} on ${threads})`,
    );
    console.log(
      `ratio (median): ${x(ours.median, theirs.median)} xxd (${x(single.median, theirs.median)} on one thread, ` +
        `${x(forced.median, theirs.median)} on ${threads})`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
