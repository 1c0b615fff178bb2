#!/usr/bin/env node
// Listener scale: `sockrepl listen -k` holding 10,000 idle clients while it serves 1,000 active
// ones, beside ncat and socat under the same load, in the same run. A script, not a test.
//
// What a client does. `listen -k` (as ncat's `-k`) prints what clients send on standard output
// and sends standard input to every client; it never answers one client alone. So:
//   1. idle: 10,000 clients connect (at most 500 connects in flight) and send nothing;
//   2. active: 1,000 more connect, and each sends one 32-byte line, which must come out whole on
//      the listener's standard output (bytes out = bytes sent, every line exactly once);
//   3. then the bench writes one reply line on the listener's standard input: every client, the
//      10,000 idle ones included, must read it. That is the line each active client reads back;
//      the fan-out also proves that the listener still holds every idle client.
// Nothing may be refused, reset or closed before the end, and the listener's side must hold every
// client the clients' side counts as connected ("held": see held() for how a client is lost
// unseen). Measured: the time until every client is connected, and until every one is accepted (no
// handshake left in the accept queue or half done); the listener's memory before any client, while it holds the idle ones, and at its peak
// (VmHWM); its CPU time; from the first active connect, the time until every active line is on
// standard output ("send") and until every client has the reply ("serve"); and the fan-out alone.
//
// The peers, each run the way it can carry this load:
// - `ncat -l -k -m N`, not --broker: ncat's broker prints nothing of what clients send and relays
//   each line to every other client (N x N lines); plain -k is the exact counterpart of `listen -k`
//   (-m: ncat turns clients past 100 away by default). ncat waits in select(): past about 1,020
//   clients it dies on FD_SETSIZE ("Attempt to FD_SET fd 1024", every client dropped; --broker
//   too), so it runs at the largest round load it holds, 900 idle + 100 active, and sockrepl and
//   socat run that load too for like-for-like ratios.
// - `socat TCP-LISTEN:P,fork,reuseaddr,backlog=511 STDIO`: one forked process per client, each
//   writing its client's bytes to the shared standard output (backlog 511 as Node's default rather
//   than socat's 5, so that the fork model is measured, not SYN retries). Its children share one
//   standard input and cannot all be sent one line: socat has no "serve" half. Its memory is the
//   sum over the parent and every child of PSS (shared pages shared out; a sum of RSS counts libc
//   once per process and is printed beside it), sampled at the hold and after the active clients.
// - node:net, for reference: the same `-k` behaviour in eight lines of plain Node, the floor a
//   Node program starts from.
//
//   npm run bench:scale                   # 10,000 + 1,000 and 900 + 100; about 90 s
//   SCALE_IDLE=2000 SCALE_ACTIVE=200 npm run bench:scale
//   SCALE_TOOLS=sockrepl,ncat npm run bench:scale     # of sockrepl, node, socat, ncat
//   SCALE_TOOLS=sockrepl SCALE_BIN=../other/bin/sockrepl.js npm run bench:scale
// Loopback only; every phase has a deadline and the whole run one; each listener runs in its own
// process group, killed by its saved PID at the end (socat's children with it).
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { freePort, have } from './lib.mjs';

// SCALE_BIN: another build's bin/sockrepl.js (a before/after comparison).
const BIN = process.env.SCALE_BIN ?? fileURLToPath(new URL('../bin/sockrepl.js', import.meta.url));
const IDLE = Number(process.env.SCALE_IDLE ?? 10_000);
const ACTIVE = Number(process.env.SCALE_ACTIVE ?? 1_000);
const SMALL = { idle: 900, active: 100 }; // what ncat holds under FD_SETSIZE
const TOOLS = (process.env.SCALE_TOOLS ?? 'sockrepl,node,socat,ncat').split(',');
const IN_FLIGHT = 500;
const PHASE_MS = 40_000; // each phase's deadline
const TOTAL_MS = 240_000; // the whole run's
const LINE = 32;
const REPLY = 'reply from the listener 01234567\n';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const groups = new Set(); // listener PIDs, each its own process group

const killGroups = (sig) => {
  for (const pid of groups) {
    try {
      process.kill(-pid, sig);
    } catch {}
  }
};
process.on('exit', () => killGroups('SIGKILL'));
setTimeout(() => {
  console.error(`listen-scale: still running after ${TOTAL_MS / 1000} s, stopping`);
  process.exit(1);
}, TOTAL_MS).unref();

const activeLine = (i) => `${`active ${String(i).padStart(6, '0')} `.padEnd(LINE - 1, 'x')}\n`;

// `listen -k` in plain Node: clients to stdout, stdin to every client.
const NODE_LISTENER = `
const clients = new Set();
require('node:net').createServer({ allowHalfOpen: true }, (s) => {
  clients.add(s);
  s.on('data', (d) => process.stdout.write(d));
  s.on('error', () => {});
  s.on('close', () => clients.delete(s));
}).listen(Number(process.argv.at(-1)), '127.0.0.1');
process.stdin.on('data', (d) => { for (const s of clients) s.write(d); });`;

const commands = {
  sockrepl: (port) => [process.execPath, [BIN, 'listen', '-k', '127.0.0.1', String(port)]],
  node: (port) => [process.execPath, ['-e', NODE_LISTENER, String(port)]],
  ncat: (port, n) => ['ncat', ['-l', '-k', '-m', String(n + 10), '127.0.0.1', String(port)]],
  socat: (port) => ['socat', [`TCP-LISTEN:${port},bind=127.0.0.1,fork,reuseaddr,backlog=511`, 'STDIO']],
};

const ss = (...args) => execFileSync('ss', ['-Htn', ...args], { encoding: 'utf8' });

/** The listening socket's accept queue (ss's Recv-Q), or -1 when nothing listens there. */
function acceptQueue(port) {
  const m = /^\S+\s+(\d+)/m.exec(ss('-l', `sport = :${port}`));
  return m ? Number(m[1]) : -1;
}

/**
 * Every handshake done and accepted: none waits in the accept queue, none is half done (a client
 * whose last ACK a full queue dropped is connected on its side but not on the listener's until a
 * SYN-ACK retransmitted later completes it).
 */
const allAccepted = (port) =>
  acceptQueue(port) === 0 && ss('state', 'syn-recv', `sport = :${port}`).trim() === '';

/**
 * Connections the listener's side of the kernel holds (established, accepted or queued). A client
 * can believe it is connected when the listener has nothing: under a burst that overflows a small
 * accept queue the kernel answers with SYN cookies, and when the client's last ACK then meets a full
 * queue it is dropped with no state kept; a client that sends nothing is never completed, never seen.
 */
const held = (port) => ss('state', 'established', `sport = :${port}`).split('\n').filter(Boolean).length;

async function until(test, ms = PHASE_MS, every = 20) {
  const end = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > end) return false;
    await sleep(every);
  }
  return true;
}

const read = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};
const kb = (text, field) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(text)?.[1] ?? 0);
const statFields = (pid) => read(`/proc/${pid}/stat`).split(') ')[1]?.split(' ') ?? [];

/** Every process of a listener's group (socat's children stay in their parent's group). */
function groupPids(pgid) {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name) && Number(statFields(name)[2]) === pgid)
    .map(Number);
}

/** Memory and CPU of a listener: its one process, or (socat) the sum over its group. */
function measure(pgid, whole) {
  const pids = whole ? groupPids(pgid) : [pgid];
  const m = { procs: pids.length, rssKb: 0, hwmKb: 0, pssKb: 0, cpu: 0 };
  for (const pid of pids) {
    const status = read(`/proc/${pid}/status`);
    const f = statFields(pid);
    m.rssKb += kb(status, 'VmRSS');
    m.hwmKb += kb(status, 'VmHWM');
    m.pssKb += kb(read(`/proc/${pid}/smaps_rollup`), 'Pss');
    m.cpu += (Number(f[11] ?? 0) + Number(f[12] ?? 0)) / 100;
  }
  return m;
}

/** Opens `count` clients, at most IN_FLIGHT connecting at once; `first(i)` is sent on connect. */
async function openClients(port, count, clients, tally, first) {
  let next = 0;
  const one = () =>
    new Promise((resolve) => {
      const c = { got: '', sent: 0, done: false, open: false, sock: connect({ port, host: '127.0.0.1' }) };
      const i = next++;
      clients.push(c);
      c.sock.on('connect', () => {
        c.open = true;
        tally.connected++;
        if (first) {
          const line = first(i);
          c.sent = line.length;
          c.sock.write(line);
        }
        resolve();
      });
      c.sock.on('data', (d) => {
        c.got += d;
        if (c.got.length > 4 * REPLY.length) c.got = c.got.slice(-2 * REPLY.length);
      });
      c.sock.on('error', (err) => {
        tally.errors[err.code] = (tally.errors[err.code] ?? 0) + 1;
        resolve();
      });
      c.sock.on('close', () => {
        if (!c.done) tally.closed++;
        resolve();
      });
    });
  const end = Date.now() + PHASE_MS;
  const lanes = Array.from({ length: Math.min(IN_FLIGHT, count) }, async () => {
    while (next < count && Date.now() < end) await one();
  });
  return Promise.race([Promise.all(lanes).then(() => true), sleep(PHASE_MS + 1000).then(() => false)]);
}

async function run(tool, idle, active) {
  const port = await freePort();
  const [cmd, args] = commands[tool](port, idle + active);
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  groups.add(child.pid);
  let stdout = '';
  let stdoutBytes = 0;
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdoutBytes += d.length;
    if (stdout.length < 4 * LINE * active) stdout += d;
  });
  child.stderr.on('data', (d) => {
    if (stderr.length < 2000) stderr += d;
  });
  child.stdin.on('error', () => {});
  const whole = tool === 'socat';
  const r = { tool, idle, active, notes: [], errors: {} };
  const clients = [];
  const tally = { connected: 0, closed: 0, errors: r.errors };
  try {
    if (!(await until(() => acceptQueue(port) >= 0, 10_000)))
      throw new Error(`${tool} did not listen: ${stderr.trim()}`);
    await sleep(200);
    r.base = measure(child.pid, whole);
    const t0 = Date.now();
    if (!(await openClients(port, idle, clients, tally))) r.notes.push('idle connects unfinished');
    r.connectS = (Date.now() - t0) / 1000;
    if (!(await until(() => allAccepted(port)))) r.notes.push('idle clients not all accepted');
    r.acceptS = (Date.now() - t0) / 1000;
    await sleep(300); // what holding them costs, once the listener has settled
    r.hold = measure(child.pid, whole);
    r.heldIdle = held(port);

    const t1 = Date.now();
    if (!(await openClients(port, active, clients, tally, activeLine)))
      r.notes.push('active connects unfinished');
    const want = active * LINE;
    if (!(await until(() => stdoutBytes >= want || child.exitCode !== null)))
      r.notes.push(`only ${stdoutBytes} of ${want} bytes on stdout`);
    r.sendS = (Date.now() - t1) / 1000;
    if (tool !== 'socat') {
      // Only clients the listener holds can get the reply: the wait ends when they all have.
      const holding = held(port);
      const t2 = Date.now();
      child.stdin.write(REPLY);
      const all = () => clients.filter((c) => c.got.includes(REPLY)).length >= holding;
      if (!(await until(all, PHASE_MS, 50)))
        r.notes.push(`reply not received by every one of the ${holding} clients held`);
      r.fanoutS = (Date.now() - t2) / 1000;
      r.serveS = (Date.now() - t1) / 1000;
      r.replied = clients.filter((c) => c.got.includes(REPLY)).length;
    }
    await sleep(300);
    r.end = measure(child.pid, whole);
    r.held = held(port);
    r.sentBytes = clients.reduce((n, c) => n + c.sent, 0);
    r.stdoutBytes = stdoutBytes;
    const lines = stdout.split('\n').filter(Boolean);
    const wanted = new Set(Array.from({ length: active }, (_, i) => activeLine(i).trimEnd()));
    r.linesWhole =
      lines.length === active && new Set(lines).size === active && lines.every((l) => wanted.has(l));
  } finally {
    r.clients = clients.length;
    r.connected = tally.connected;
    r.closed = tally.closed;
    // Closed before the end, or connected on the client's side only.
    r.lost = tally.closed + Math.max(0, tally.connected - tally.closed - (r.held ?? 0));
    if (child.exitCode !== null) r.notes.push(`exited early (${child.exitCode})`);
    if (stderr.trim()) r.notes.push(`stderr: ${stderr.trim().split('\n')[0].slice(0, 120)}`);
    for (const c of clients) {
      c.done = true;
      c.sock.destroy();
    }
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {}
    if (!(await until(() => groupPids(child.pid).length === 0, 5_000, 100))) killGroups('SIGKILL');
    groups.delete(child.pid);
  }
  return r;
}

/** Memory in kB as compared: a process's peak RSS; socat's PSS summed over its processes. */
const memKb = (r, at) => (r.tool === 'socat' ? r[at].pssKb : at === 'end' ? r.end.hwmKb : r[at].rssKb);
const mb = (k) => (k / 1024).toFixed(0);
const fmt = (n, d = 2) => (n === undefined ? '-' : n.toFixed(d));
const header = [
  'load',
  'tool',
  'connected',
  'held',
  'connect s',
  'accepted s',
  'start MB',
  'hold MB',
  'peak MB',
  'kB/held idle',
  'CPU s',
  'send s',
  'fan-out s',
  'serve s',
  'stdout/sent B',
  'got reply',
  'refused/lost',
];
function row(r) {
  const errs = Object.values(r.errors).reduce((a, b) => a + b, 0);
  const ok = r.end !== undefined;
  return [
    `${r.idle}+${r.active}`,
    r.tool,
    `${r.connected}/${r.idle + r.active}`,
    r.held === undefined ? '-' : `${r.held}`,
    fmt(r.connectS),
    fmt(r.acceptS),
    ok ? mb(memKb(r, 'base')) : '-',
    ok ? mb(memKb(r, 'hold')) : '-',
    ok ? mb(Math.max(memKb(r, 'end'), memKb(r, 'hold'))) : '-',
    ok ? ((memKb(r, 'hold') - memKb(r, 'base')) / r.heldIdle).toFixed(1) : '-',
    fmt(r.end?.cpu, 1),
    fmt(r.sendS),
    fmt(r.fanoutS),
    fmt(r.serveS),
    `${r.stdoutBytes ?? 0}/${r.sentBytes ?? 0}${r.linesWhole ? '' : ' BAD'}`,
    r.replied === undefined ? '-' : `${r.replied}`,
    `${errs}/${r.lost}`,
  ];
}

for (const cmd of ['ss', ...TOOLS.filter((t) => t === 'ncat' || t === 'socat')]) {
  if (!have(cmd)) {
    console.error(`listen-scale needs ${cmd} (apt-get install ncat socat iproute2)`);
    process.exit(2);
  }
}
const nofile = execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
console.log(
  `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load ${loadavg()[0].toFixed(1)}, ulimit -n ${nofile}`,
);
const plan = [];
for (const tool of ['sockrepl', 'node', 'socat']) if (TOOLS.includes(tool)) plan.push([tool, IDLE, ACTIVE]);
if (IDLE !== SMALL.idle || ACTIVE !== SMALL.active)
  for (const tool of ['sockrepl', 'ncat', 'socat'])
    if (TOOLS.includes(tool)) plan.push([tool, SMALL.idle, SMALL.active]);
const results = [];
for (const [tool, idle, active] of plan) {
  const r = await run(tool, idle, active);
  results.push(r);
  for (const n of r.notes) console.log(`  ${tool} ${idle}+${active}: ${n}`);
}
const rows = [header, ...results.map(row)];
const widths = header.map((_, i) => Math.max(...rows.map((x) => x[i].length)));
for (const x of rows) console.log(x.map((c, i) => c.padEnd(widths[i])).join('  '));
for (const r of results.filter((x) => x.tool === 'socat' && x.end))
  console.log(
    `socat ${r.idle}+${r.active}: ${r.end.procs} processes; RSS summed over them ${mb(r.hold.rssKb)} MB at the hold, ${mb(r.end.rssKb)} MB at the end (PSS above)`,
  );

const find = (tool, idle) => results.find((r) => r.tool === tool && r.idle === idle && r.end);
const peak = (r) => Math.max(memKb(r, 'end'), memKb(r, 'hold'));
function ratios(a, b) {
  if (!a || !b) return;
  const x = (p, q) => `${(p / q).toFixed(2)}x`;
  const parts = [
    `peak memory ${x(peak(a), peak(b))}`,
    `per held idle client ${x((memKb(a, 'hold') - memKb(a, 'base')) / a.heldIdle, (memKb(b, 'hold') - memKb(b, 'base')) / b.heldIdle)}`,
    `accept all ${x(a.acceptS, b.acceptS)}`,
    `send ${x(a.sendS, b.sendS)}`,
    `CPU ${x(a.end.cpu, b.end.cpu)}`,
  ];
  if (a.serveS !== undefined && b.serveS !== undefined) parts.push(`serve ${x(a.serveS, b.serveS)}`);
  console.log(`sockrepl / ${b.tool} at ${a.idle}+${a.active} (below 1: sockrepl less): ${parts.join(', ')}`);
}
ratios(find('sockrepl', IDLE), find('node', IDLE));
ratios(find('sockrepl', IDLE), find('socat', IDLE));
ratios(find('sockrepl', SMALL.idle), find('ncat', SMALL.idle));
ratios(find('sockrepl', SMALL.idle), find('socat', SMALL.idle));

const full = results.find((r) => r.tool === 'sockrepl' && r.idle === IDLE);
if (full) {
  const refused = Object.values(full.errors).reduce((a, b) => a + b, 0);
  const peakMb = full.end ? peak(full) / 1024 : Number.NaN;
  const ok =
    peakMb < 300 &&
    refused === 0 &&
    full.lost === 0 &&
    full.connected === IDLE + ACTIVE &&
    full.held === IDLE + ACTIVE &&
    full.stdoutBytes === full.sentBytes &&
    full.linesWhole &&
    full.replied === IDLE + ACTIVE;
  console.log(
    `target, ${IDLE} idle + ${ACTIVE} active under 300 MB with nothing refused or lost: ${ok ? 'met' : 'NOT met'} (peak ${peakMb.toFixed(0)} MB, ${refused} refused or reset, ${full.lost} closed early or not held)`,
  );
  process.exitCode = ok ? 0 : 1;
}
