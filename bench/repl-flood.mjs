// Floods an open REPL (the built CLI's interactive screen, in a pseudo-terminal) with bytes from a
// loopback server as fast as it will take them, and reports the REPL's CPU time, peak RSS, the key
// echo latency while the flood runs, and whether the traffic counter is exact at the end.
//   node bench/repl-flood.mjs [size, default 1g]
// Bounded: the flood ends after `size` bytes or 180 s, whichever comes first.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const pty = require('@lydell/node-pty');
const { Terminal } = require('@xterm/headless');
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const UNITS = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
const m = /^(\d+)([kmg]?)$/i.exec(process.argv[2] ?? '1g');
if (!m) throw new Error('size: e.g. 256m, 1g');
const TOTAL = Number(m[1]) * UNITS[m[2].toLowerCase()];
const LIMIT_MS = 180_000;

const chunk = Buffer.alloc(256 * 1024, 0x41);
let sent = 0;
const server = net.createServer((sock) => {
  const pump = () => {
    while (sent < TOTAL) {
      const n = Math.min(chunk.length, TOTAL - sent);
      sent += n;
      if (!sock.write(n === chunk.length ? chunk : chunk.subarray(0, n)))
        return void sock.once('drain', pump);
    }
  };
  sock.on('error', () => undefined);
  pump();
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;

const args = [join(ROOT, 'bin/sockrepl.js'), '--tui', 'connect', '127.0.0.1', String(port)];
const cols = 120;
const rows = 40;
const term = new Terminal({ cols, rows, allowProposedApi: true });
const child = pty.spawn(process.execPath, args, {
  cols,
  rows,
  cwd: ROOT,
  env: { ...process.env, XDG_STATE_HOME: '/tmp/sockrepl-bench-state' },
});
child.onData((d) => term.write(d));
const screen = () => {
  const b = term.buffer.active;
  let s = '';
  for (let i = 0; i < rows; i++) s += `${b.getLine(b.viewportY + i)?.translateToString(true) ?? ''}\n`;
  return s;
};
const stat = () => {
  const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const hz = 100;
  const cpu = (Number(f[11]) + Number(f[12])) / hz;
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)[1]) * 1024;
  return { cpu, hwm };
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const started = Date.now();
while (!/ESTABLISHED|← in/.test(screen())) {
  if (Date.now() - started > 10_000) throw new Error(`the REPL did not connect:\n${screen()}`);
  await sleep(20);
}

// Key echo: type one letter at a time into the prompt and time until the screen shows it.
const latencies = [];
const letters = 'abcdefghijklmnopqrstuvwxyz';
let typed = '';
const floodStart = Date.now();
while (sent < TOTAL && Date.now() - floodStart < LIMIT_MS) {
  const ch = letters[latencies.length % letters.length];
  typed += ch;
  const t0 = performance.now();
  // Checked as the terminal parses output (not by polling), reading only the bottom rows.
  const seen = new Promise((resolve) => {
    const want = `› ${typed}`;
    const check = () => {
      const b = term.buffer.active;
      for (let i = rows - 1; i >= rows - 4; i--) {
        if ((b.getLine(b.viewportY + i)?.translateToString(true) ?? '').startsWith(want)) {
          sub.dispose();
          clearTimeout(timer);
          resolve(true);
          return;
        }
      }
    };
    const sub = term.onLineFeed(check);
    const poll = setInterval(check, 5);
    const _dispose = sub.dispose.bind(sub);
    sub.dispose = () => {
      clearInterval(poll);
      _dispose();
    };
    const timer = setTimeout(() => {
      sub.dispose();
      resolve(false);
    }, 5000);
    check();
  });
  child.write(ch);
  await seen;
  latencies.push(performance.now() - t0);
  if (typed.length >= 60) {
    child.write('\x15'); // Ctrl-U: clear the prompt, keep typing
    typed = '';
    await sleep(50);
  }
  await sleep(100);
}
const floodMs = Date.now() - floodStart;
child.write('\x15');
await sleep(300);
child.write('/info\r');
let exact = false;
const infoStart = Date.now();
while (Date.now() - infoStart < 30_000) {
  const got = /traffic {2}in (\d+) B/.exec(screen());
  if (got && Number(got[1]) === TOTAL) {
    exact = true;
    break;
  }
  await sleep(100);
}
const { cpu, hwm } = stat();
child.write('/quit\r');
await sleep(500);
child.kill();
server.close();
latencies.sort((a, b) => a - b);
const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]?.toFixed(1);
const mib = TOTAL / 1024 / 1024;
console.log(
  `flood ${mib} MiB into the REPL in ${(floodMs / 1000).toFixed(1)} s (${(mib / (floodMs / 1000)).toFixed(0)} MiB/s)`,
);
console.log(`REPL CPU ${cpu.toFixed(1)} s, peak RSS ${(hwm / 1024 / 1024).toFixed(0)} MB (target < 250 MB)`);
console.log(
  `key echo over ${latencies.length} keys: median ${q(0.5)} ms, p90 ${q(0.9)} ms, max ${q(1)} ms (target median < 100 ms)`,
);
console.log(`traffic counter exact at the end: ${exact ? 'yes' : 'NO'}${exact ? '' : `\n${screen()}`}`);
process.exit(exact ? 0 : 1);
