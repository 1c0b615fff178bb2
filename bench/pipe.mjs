#!/usr/bin/env node
// Pipe-mode throughput: pushes N bytes (default 2 GiB) over loopback TCP through sockrepl, OpenBSD nc
// and `socat -b 131072`, each as the client and as the listener, in the same run, and prints GB/s
// and sockrepl's ratio to each peer. A script, not a test: timings on a shared machine are noisy,
// so the tools take turns run by run (a quiet or busy spell hits them all) and the best and the
// median of the runs are both shown. The client reads `head -c` from a pipe, as a netcat's
// stdin does; the listener is fed by sendfile-source.py, which is faster than every tool under
// test (BENCH_PIPE_SOURCE=1: by `head -c | socat -b 131072`, as before 2026-12-06).
//
//   npm run bench                 # 2 GiB, 5 rounds
//   BENCH_BYTES=512m BENCH_RUNS=1 npm run bench
//   BENCH_PCAP=1 BENCH_BYTES=256m npm run bench   # also: the cost of --pcap, on the fast path
//                                 # (relay workers write the packets) and on the ordinary one
//                                 # (SOCKREPL_FAST_PATH=0)
//   BENCH_RANDOM=1 npm run bench  # random bytes instead of zeros
//   BENCH_FLAGS='-i 30;-x 2>/dev/null;-k' BENCH_BYTES=256m npm run bench
//                                 # also: sockrepl with each set of flags (`;` between sets, each
//                                 # put into the shell line as written), and its cost against
//                                 # plain sockrepl; BENCH_ORDINARY=1 adds each set (and plain
//                                 # sockrepl) on the ordinary path (SOCKREPL_FAST_PATH=0). A set
//                                 # with -k or --broker runs as the listener only, timed to its
//                                 # close line (-v; it would not exit), against plain sockrepl
//                                 # timed the same way
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, have } from './lib.mjs';

const BIN = fileURLToPath(new URL('../bin/sockrepl.js', import.meta.url));
const bytes = parseSize(process.env.BENCH_BYTES ?? '2g');
const runs = Number(process.env.BENCH_RUNS ?? 5);

function parseSize(text) {
  const m = /^(\d+)([kmg]?)$/i.exec(text);
  if (!m) throw new Error(`BENCH_BYTES: bad size ${text}`);
  return Number(m[1]) * { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase()];
}

// The neutral ends: the same source and sink for every tool under test. BENCH_RANDOM=1: random
// bytes from a file made once (zeros are squeezed by -x's dump to a line per chunk).
const RANDOM_FILE = join(mkdtempSync(join(tmpdir(), 'sockrepl-bench-random-')), 'payload');
if (process.env.BENCH_RANDOM) execFileSync('sh', ['-c', `head -c ${bytes} /dev/urandom > ${RANDOM_FILE}`]);
const SOURCE = process.env.BENCH_RANDOM ? `cat ${RANDOM_FILE}` : `head -c ${bytes} /dev/zero`;
// CPU time of the tool alone (user + sys), which a busy 2-core machine distorts less than wall time.
const CPU_FILE = join(mkdtempSync(join(tmpdir(), 'sockrepl-bench-')), 'cpu');
const timed = have('/usr/bin/time') ? `/usr/bin/time -f '%U %S' -o ${CPU_FILE} ` : '';
const tools = {
  sockrepl: {
    client: (port) => `${SOURCE} | ${timed}${process.execPath} ${BIN} --send-only 127.0.0.1 ${port}`,
    listener: (port) => `${timed}${process.execPath} ${BIN} listen 127.0.0.1 ${port} > /dev/null`,
  },
  nc: {
    client: (port) => `${SOURCE} | ${timed}nc -N 127.0.0.1 ${port}`,
    listener: (port) => `${timed}nc -l 127.0.0.1 ${port} > /dev/null`,
  },
  socat: {
    client: (port) => `${SOURCE} | ${timed}socat -b 131072 -u STDIN TCP:127.0.0.1:${port}`,
    listener: (port) =>
      `${timed}socat -b 131072 -u TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr STDOUT > /dev/null`,
  },
};

// --pcap variants: the capture file is removed after each run (it is as large as the payload).
const PCAP_FILE = join(mkdtempSync(join(tmpdir(), 'sockrepl-bench-pcap-')), 'bench.pcap');
if (process.env.BENCH_PCAP) {
  const sockrepl = (extra, env = '') => ({
    client: (port) =>
      `${SOURCE} | ${env}${timed}${process.execPath} ${BIN} --send-only ${extra} 127.0.0.1 ${port}`,
    listener: (port) =>
      `${env}${timed}${process.execPath} ${BIN} listen ${extra} 127.0.0.1 ${port} > /dev/null`,
  });
  tools['+pcap'] = sockrepl(`--pcap ${PCAP_FILE}`);
  // What capturing costs on the ordinary path.
  tools['slow'] = sockrepl('', 'SOCKREPL_FAST_PATH=0 ');
  tools['slow+pcap'] = sockrepl(`--pcap ${PCAP_FILE}`, 'SOCKREPL_FAST_PATH=0 ');
}

// Sets of flags (BENCH_FLAGS): each as sockrepl's client and listener, and on the ordinary path.
const flagSets = (process.env.BENCH_FLAGS ?? '')
  .split(';')
  .map((f) => f.trim())
  .filter(Boolean);
const ORDINARY = 'SOCKREPL_FAST_PATH=0 ';
const withFlags = (extra, env = '') => ({
  client: (port) =>
    `${SOURCE} | ${env}${timed}${process.execPath} ${BIN} --send-only ${extra} 127.0.0.1 ${port}`,
  listener: (port) =>
    `${env}${timed}${process.execPath} ${BIN} listen ${extra} 127.0.0.1 ${port} > /dev/null`,
});
// listen -k never exits: it is timed to the -v line that says its client's connection closed
// (every byte is on stdout by then), and its CPU time read from /proc before it is stopped.
const untilClosed = (extra, env = '') => ({
  untilClosed: true,
  listener: (port) =>
    `${env}exec ${process.execPath} ${BIN} listen -v ${extra} 127.0.0.1 ${port} > /dev/null`,
});
const keepsOpen = (flags) => /(^|\s)(-k|--broker)\b/.test(flags);
if (flagSets.some(keepsOpen)) tools['sockrepl (to close)'] = untilClosed('');
for (const flags of flagSets) {
  const keepOpen = keepsOpen(flags);
  tools[flags] = keepOpen ? untilClosed(flags) : withFlags(flags);
  if (process.env.BENCH_ORDINARY)
    tools[`ordinary ${flags}`] = keepOpen ? untilClosed(flags, ORDINARY) : withFlags(flags, ORDINARY);
}
if (flagSets.length > 0 && process.env.BENCH_ORDINARY) tools.ordinary = withFlags('', ORDINARY);

function cpuSeconds() {
  if (!timed) return Number.NaN;
  // The last line: a command stopped by a signal gets a line about that first.
  const [user, sys] = readFileSync(CPU_FILE, 'utf8').trim().split('\n').at(-1).split(/\s+/).map(Number);
  return user + sys;
}

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
/** User + system CPU seconds of a running process, from /proc. */
function procCpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are the 14th and 15th fields; the split starts at the 3rd.
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}
const neutralSink = (port) =>
  `socat -b 131072 -u TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr STDOUT > /dev/null`;
// The listener's source: sendfile(2) from a file in memory when python3 is there (see
// sendfile-source.py: `head -c | socat` is slower than the listeners it feeds), else that pipeline.
const SENDFILE = fileURLToPath(new URL('./sendfile-source.py', import.meta.url));
const sendfileSource = have('python3') && !process.env.BENCH_PIPE_SOURCE;
const ZERO_FILE = join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), `sockrepl-bench-zeros-${process.pid}`);
if (sendfileSource && !process.env.BENCH_RANDOM)
  execFileSync('sh', ['-c', `head -c ${Math.min(bytes, 256 * 2 ** 20)} /dev/zero > ${ZERO_FILE}`]);
const neutralSource = sendfileSource
  ? (port) => `python3 ${SENDFILE} ${port} ${bytes} ${process.env.BENCH_RANDOM ? RANDOM_FILE : ZERO_FILE}`
  : (port) => `${SOURCE} | socat -b 131072 -u STDIN TCP:127.0.0.1:${port}`;

function sh(cmd) {
  const child = spawn('sh', ['-c', cmd], { stdio: ['ignore', 'ignore', 'inherit'] });
  return { child, done: new Promise((resolve) => child.on('close', (code) => resolve(code))) };
}

async function waitListening(port) {
  for (let i = 0; i < 500; i++) {
    try {
      execFileSync('sh', ['-c', `ss -ltn | grep -q ':${port} '`]);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  throw new Error(`nothing listened on ${port}`);
}

/** A listener that does not exit (-k): resolves `closed` at its first 'closed:' line. */
function shUntilClosed(cmd) {
  const child = spawn('sh', ['-c', cmd], { stdio: ['ignore', 'ignore', 'pipe'] });
  let said = '';
  const closed = new Promise((resolve) =>
    child.stderr.on('data', (d) => {
      said += d;
      if (/ closed: /.test(said)) resolve();
    }),
  );
  return { child, closed, done: new Promise((resolve) => child.on('close', (code) => resolve(code))) };
}

async function onceUntilClosed(tool) {
  const port = await freePort();
  const server = shUntilClosed(tools[tool].listener(port));
  await waitListening(port);
  const started = process.hrtime.bigint();
  const client = sh(neutralSource(port));
  const [cc] = await Promise.all([client.done, server.closed]);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = procCpuSeconds(server.child.pid);
  server.child.kill('SIGTERM');
  await server.done;
  if (cc !== 0) throw new Error(`${tool} as listener: the client's exit code ${cc}`);
  return { seconds, cpu };
}

async function once(role, tool) {
  if (tools[tool].untilClosed) return onceUntilClosed(tool);
  const port = await freePort();
  const server = sh(role === 'client' ? neutralSink(port) : tools[tool].listener(port));
  await waitListening(port);
  const started = process.hrtime.bigint();
  const client = sh(role === 'client' ? tools[tool].client(port) : neutralSource(port));
  const [cc, sc] = await Promise.all([client.done, server.done]);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (cc !== 0 || sc !== 0) throw new Error(`${tool} as ${role}: exit codes ${cc}/${sc}`);
  rmSync(PCAP_FILE, { force: true });
  return { seconds, cpu: cpuSeconds() };
}

async function main() {
  for (const cmd of ['nc', 'socat', 'head']) {
    if (!have(cmd)) {
      console.error(`bench needs ${cmd} (apt-get install netcat-openbsd socat)`);
      process.exit(2);
    }
  }
  console.log(
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
  );
  const kind = process.env.BENCH_RANDOM ? 'random bytes' : 'zeros';
  console.log(
    `payload: ${(bytes / 2 ** 30).toFixed(2)} GiB of ${kind} over 127.0.0.1, ${runs} rounds, tools in turn`,
  );
  console.log(
    `sources: the client reads \`${SOURCE} |\`; the listener is sent to by ${sendfileSource ? 'sendfile-source.py (sendfile from memory)' : '`head -c | socat -b 131072` (BENCH_PIPE_SOURCE=1 or no python3)'}\n`,
  );
  for (const role of ['client', 'listener']) {
    const names = Object.keys(tools).filter((t) => role === 'listener' || tools[t].client);
    const seconds = Object.fromEntries(names.map((t) => [t, []]));
    const cpu = Object.fromEntries(names.map((t) => [t, []]));
    for (let i = 0; i < runs; i++) {
      for (const tool of names) {
        const r = await once(role, tool);
        seconds[tool].push(r.seconds);
        cpu[tool].push(r.cpu);
      }
    }
    const rate = {};
    for (const tool of names) {
      rate[tool] = {
        best: bytes / Math.min(...seconds[tool]) / 1e9,
        median: bytes / median(seconds[tool]) / 1e9,
      };
      const perGiB = (median(cpu[tool]) / (bytes / 2 ** 30)).toFixed(2);
      console.log(
        `${role.padEnd(8)}  ${tool.padEnd(Math.max(8, ...names.map((n) => n.length)))}  best ${rate[tool].best.toFixed(2)} GB/s  median ${rate[tool].median.toFixed(2)} GB/s   ${perGiB} CPU s/GiB`,
      );
    }
    const ratio = (peer, kind) => `${(rate.sockrepl[kind] / rate[peer][kind]).toFixed(2)}x`;
    console.log(
      `${role.padEnd(8)}  ratio     sockrepl/nc ${ratio('nc', 'best')} (median ${ratio('nc', 'median')})   sockrepl/socat ${ratio('socat', 'best')} (median ${ratio('socat', 'median')})\n`,
    );
    for (const flags of flagSets) {
      if (!rate[flags]) continue;
      const base = tools[flags].untilClosed ? 'sockrepl (to close)' : 'sockrepl';
      const of = (a, b, kind) => `${(rate[a][kind] / rate[b][kind]).toFixed(2)}x`;
      const ordinary = rate[`ordinary ${flags}`]
        ? `   ordinary path: ${rate[`ordinary ${flags}`].median.toFixed(2)} GB/s median, ${of(`ordinary ${flags}`, base, 'median')} of ${base}`
        : '';
      console.log(
        `${role.padEnd(8)}  ${flags}: ${of(flags, base, 'best')} of ${base} best (median ${of(flags, base, 'median')})${ordinary}`,
      );
    }
    if (flagSets.length > 0) console.log('');
    if (process.env.BENCH_PCAP) {
      const of = (a, b, kind) => `${(rate[a][kind] / rate[b][kind]).toFixed(2)}x`;
      console.log(
        `${role.padEnd(8)}  --pcap    fast path +pcap/sockrepl ${of('+pcap', 'sockrepl', 'best')} (median ${of('+pcap', 'sockrepl', 'median')})   ordinary path slow+pcap/slow ${of('slow+pcap', 'slow', 'best')} (median ${of('slow+pcap', 'slow', 'median')})   +pcap/nc ${of('+pcap', 'nc', 'median')}\n`,
      );
    }
  }
}

process.on('exit', () => {
  rmSync(RANDOM_FILE, { force: true });
  rmSync(ZERO_FILE, { force: true });
});

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
