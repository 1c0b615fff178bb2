#!/usr/bin/env node
// Soak: a bounded run of two sockrepl processes under mixed clients, printing RSS, open
// descriptors and MaxListeners warnings over time, and checking bytes in = bytes out.
//   1. `sockrepl proxy` with faults (delay in, fragment out) in front of an echo upstream; clients
//      in waves: most send and read their echo whole (sha256 compared), some read slowly, some
//      reset mid-stream.
//   2. `sockrepl listen -k --broker`: clients in waves each send a block; every other client of its
//      wave must receive it (bytes relayed = bytes sent x (clients - 1)); some read slowly.
// A script, not a test: it prints what it saw and exits 1 if a byte went missing.
//
//   node bench/soak.mjs                  # 30 s
//   SOAK_SECONDS=120 node bench/soak.mjs
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/sockrepl.js', import.meta.url));
const seconds = Number(process.env.SOAK_SECONDS ?? 30);
const deadline = Date.now() + seconds * 1000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sha = (b) => createHash('sha256').update(b).digest('hex');

function start(args) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const port = new Promise((resolve, reject) => {
    const t = setInterval(() => {
      const m = /Listening on \S+ (\d+)/.exec(stderr);
      if (m) {
        clearInterval(t);
        resolve(Number(m[1]));
      } else if (child.exitCode !== null) {
        clearInterval(t);
        reject(new Error(`exited: ${stderr}`));
      }
    }, 20);
  });
  return { child, port, stderr: () => stderr };
}

function sample(pid) {
  try {
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return { rssMb: Math.round(Number(rss) / 1024), fds: readdirSync(`/proc/${pid}/fd`).length };
  } catch {
    return { rssMb: NaN, fds: NaN };
  }
}

// ---- the echo upstream -----------------------------------------------------------------------
const upstream = createServer({ allowHalfOpen: true }, (s) => {
  s.on('error', () => {});
  s.pipe(s);
});
await new Promise((r) => upstream.listen(0, '127.0.0.1', r));

const proxy = start([
  'proxy',
  '0',
  '127.0.0.1',
  String(upstream.address().port),
  '-s',
  '127.0.0.1',
  '-v',
  '--fault',
  'delay:2ms,dir=in',
  '--fault',
  'fragment:16384,gap=0ms,dir=out',
]);
const broker = start(['listen', '--broker', '-v', '127.0.0.1', '0']);
const proxyPort = await proxy.port;
const brokerPort = await broker.port;

const totals = { proxySent: 0, proxyEchoed: 0, proxyClients: 0, proxyResets: 0, lost: 0 };
const btotals = { sent: 0, expected: 0, got: 0, clients: 0 };

/** One proxy client: sends `size` bytes, half-closes, reads the echo whole (slowly if asked). */
function proxyClient(size, { slow = false, reset = false } = {}) {
  return new Promise((resolve) => {
    const data = randomBytes(size);
    const s = connect({ port: proxyPort, host: '127.0.0.1', allowHalfOpen: true });
    const parts = [];
    let n = 0;
    s.on('error', () => {});
    s.on('data', (d) => {
      parts.push(d);
      n += d.length;
      if (reset && n > size / 2) {
        totals.proxyResets++;
        s.resetAndDestroy();
        resolve();
      } else if (slow) {
        s.pause();
        setTimeout(() => s.resume(), 5);
      }
    });
    s.on('end', () => {
      const got = Buffer.concat(parts);
      totals.proxySent += size;
      totals.proxyEchoed += got.length;
      if (sha(got) !== sha(data)) totals.lost++;
      s.end();
      resolve();
    });
    s.on('close', () => resolve());
    s.on('connect', () => {
      totals.proxyClients++;
      s.end(data);
    });
  });
}

/** A wave of broker clients: each sends one block; each other client must receive it. */
async function brokerWave(count, size) {
  const clients = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise((resolve) => {
          const s = connect({ port: brokerPort, host: '127.0.0.1', allowHalfOpen: true }, () => resolve(s));
          s.on('error', () => {});
        }),
    ),
  );
  btotals.clients += count;
  // Every client must be in the broker's set before anyone speaks.
  const want = btotals.clients;
  while ((broker.stderr().match(/Connection received/g) ?? []).length < want) await sleep(10);
  const expected = size * (count - 1);
  const done = clients.map(
    (s, i) =>
      new Promise((resolve) => {
        let got = 0;
        s.on('data', (d) => {
          got += d.length;
          if (i % 4 === 0) {
            s.pause();
            setTimeout(() => s.resume(), 2);
          }
          if (got >= expected) resolve(got);
        });
        s.on('close', () => resolve(got));
      }),
  );
  for (const s of clients) {
    s.write(randomBytes(size));
    btotals.sent += size;
  }
  const got = await Promise.race([Promise.all(done), sleep(30_000).then(() => [])]);
  btotals.expected += expected * count;
  btotals.got += got.reduce((a, b) => a + b, 0);
  for (const s of clients) s.destroy();
}

console.log(`soak: ${seconds}s on ${cpus().length} cores, node ${process.version}`);
console.log('t(s)  proxy RSS MB  fds | broker RSS MB  fds');
const started = Date.now();
const samples = [];
const timer = setInterval(() => {
  const p = sample(proxy.child.pid);
  const b = sample(broker.child.pid);
  samples.push({ p, b });
  const t = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
  console.log(
    `${t}  ${String(p.rssMb).padStart(12)} ${String(p.fds).padStart(4)} | ${String(b.rssMb).padStart(13)} ${String(b.fds).padStart(4)}`,
  );
}, 2000);

const proxyLoop = (async () => {
  while (Date.now() < deadline) {
    const jobs = [];
    for (let i = 0; i < 24; i++)
      jobs.push(proxyClient(256 * 1024 + i * 4096, { slow: i % 6 === 1, reset: i % 8 === 3 }));
    await Promise.all(jobs);
  }
})();
const brokerLoop = (async () => {
  while (Date.now() < deadline) await brokerWave(8, 128 * 1024);
})();
await Promise.all([proxyLoop, brokerLoop]);
clearInterval(timer);
await sleep(500);
const idle = { p: sample(proxy.child.pid), b: sample(broker.child.pid) };
proxy.child.kill('SIGTERM');
broker.child.kill('SIGTERM');
upstream.close();

const warnings = (proxy.stderr() + broker.stderr()).match(/MaxListenersExceeded/g)?.length ?? 0;
const peak = (k) => Math.max(...samples.map((s) => s[k].rssMb));
console.log(
  `proxy:  ${totals.proxyClients} clients (${totals.proxyResets} reset mid-stream), ${totals.proxySent} bytes sent by those that finished, ${totals.proxyEchoed} echoed back, ${totals.lost} mismatched`,
);
console.log(
  `broker: ${btotals.clients} clients, ${btotals.sent} bytes sent, ${btotals.got} of ${btotals.expected} relayed bytes received`,
);
console.log(
  `peak RSS: proxy ${peak('p')} MB, broker ${peak('b')} MB; after the last wave: fds proxy ${idle.p.fds}, broker ${idle.b.fds}`,
);
console.log(`MaxListenersExceededWarning lines: ${warnings}`);
const ok =
  totals.lost === 0 &&
  totals.proxySent === totals.proxyEchoed &&
  btotals.got === btotals.expected &&
  warnings === 0;
console.log(ok ? 'bytes in = bytes out' : 'MISMATCH');
process.exit(ok ? 0 : 1);
