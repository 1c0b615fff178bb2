#!/usr/bin/env node
// Hex dump throughput: `sockrepl decode --file F` against `xxd F`, same 200 MB file, same run.
// Best of 3 each, output to /dev/null. Prints MB/s and the ratio (above 1 = sockrepl faster),
// with sockrepl's default threads (one per core, up to 4, used when the file is large and the
// machine has an idle core: see canDumpInParallel) and on one thread. The load average printed
// before each says how busy the machine was (other work shares it).
//
//   node bench/hexdump.mjs [--size 200m] [--runs 3] [--zeros]
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
const runs = Number.parseInt(opt('--runs', '3'), 10);
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

async function best(label, cmd, argv, env = {}) {
  console.log(`  (load average ${loadavg()[0].toFixed(2)} on ${cpus().length} cores)`);
  let min = Number.POSITIVE_INFINITY;
  for (let r = 0; r < runs; r++) min = Math.min(min, await time(cmd, argv, env));
  const mbs = sizeMb / min;
  console.log(`${label.padEnd(44)} ${min.toFixed(3)} s   ${mbs.toFixed(1)} MB/s`);
  return mbs;
}

try {
  if (spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' }).status !== 0)
    console.error('note: npm run build reported errors; timing the dist/ that exists');
  makeFile();
  console.log(
    `file: ${sizeMb} MB of ${zeros ? 'zeros' : 'random bytes'}; best of ${runs}; stdout to /dev/null`,
  );
  console.log(`machine: ${cpus()[0]?.model ?? 'unknown cpu'} x${cpus().length}, node ${process.version}`);
  const args = [join(root, 'bin', 'sockrepl.js'), 'decode', '--file', file];
  const threads = Math.min(availableParallelism(), 4);
  const ours = await best(`sockrepl decode --file F (default, up to ${threads} thr)`, process.execPath, args);
  const single = await best('sockrepl ... (1 thread)', process.execPath, args, {
    SOCKREPL_HEXDUMP_THREADS: '1',
  });
  const forced = await best(`sockrepl ... (${threads} threads)`, process.execPath, args, {
    SOCKREPL_HEXDUMP_THREADS: String(threads),
  });
  const hasXxd = spawnSync('xxd', ['-v'], { stdio: 'ignore' }).status === 0;
  if (!hasXxd) console.log('xxd not found: no ratio (install xxd, usually in the vim package)');
  else {
    const theirs = await best('xxd F', 'xxd', [file]);
    console.log(
      `ratio: ${(ours / theirs).toFixed(2)}x xxd (${(single / theirs).toFixed(2)}x on one thread, ` +
        `${(forced / theirs).toFixed(2)}x on ${threads})`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
