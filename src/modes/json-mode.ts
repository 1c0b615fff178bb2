import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { EXIT, isSockreplError } from '../errors.js';
import { jsonLine, outcomeJson, toJson } from '../json/json-event.js';
import type { JsonEventBody } from '../json/json-event-types.js';
import type { Session } from '../session/session.js';
import type { SessionSpec } from '../session/session-spec.js';
import { createInterpreter, createSession, startSession } from './open-session.js';

/**
 * `--json` machine mode: every session event is one JSON object per line on standard output;
 * standard input is read line by line as REPL commands (a line not starting with `/` is sent as
 * text). Commands run one after another, so `/expect` orders what follows it. With --recv-only
 * every send is refused (an `error` event; the session goes on); with --send-only received data
 * prints no `data` events. Exits when the connection is over (connect, or listen without -k), on
 * /quit, or at the end of standard input with --send-only or -q: 0, or 1 after a reset, a timeout
 * or a network error.
 */
export async function runJson(
  spec: SessionSpec,
  io: { stdin: NodeJS.ReadableStream; stdout: Writable; stderr: Writable } = process,
): Promise<number> {
  const out = new NdjsonOut(io.stdout);
  let session: Session;
  try {
    session = await createSession(spec, { decodeText: true });
  } catch (err) {
    return fail(err, out, io.stderr);
  }
  out.onPressure = (full) => session.setPaused(full);
  let lastFailure = false;
  // --send-only: what arrives is counted (and /expect reads it) but not printed, as pipe mode
  // writes none of it to standard output and the screen does not list it.
  const hidden = session.hiddenDir;
  session.on('event', (e) => {
    if (e.type === 'close')
      lastFailure = e.reason === 'reset' || e.reason === 'error' || e.reason === 'timeout';
    if (e.type === 'data' && e.dir === hidden) return;
    const obj = toJson(e);
    if (obj) out.write(obj);
  });
  try {
    await startSession(session, spec);
  } catch (err) {
    return fail(err, out, io.stderr);
  }

  const interpreter = createInterpreter(session);
  let quit = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });
  const checkFinished = () => {
    if (session.finished) resolveDone();
  };
  // Like nc: once standard input has ended, the peer's EOF ends the connection too.
  let stdinEnded = false;
  session.on('event', (e) => {
    if (e.type === 'close') setImmediate(checkFinished);
    // Not with -e/-c: a client's connection is its program's, which ends it when it exits.
    if (e.type === 'eof' && stdinEnded && !spec.options.exec) void session.conns.get(e.conn)?.channel.close();
  });

  // Commands in order; a command that waits (/expect, /file) holds back the ones after it.
  const rl = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY, terminal: false });
  let chain = Promise.resolve();
  rl.on('line', (line) => {
    chain = chain.then(async () => {
      if (quit) return;
      const outcome = await interpreter.execute(line);
      const obj = outcomeJson(line, outcome);
      if (obj) out.write(obj);
      if (outcome.quit) {
        quit = true;
        resolveDone();
      }
    });
  });
  rl.on('close', () => {
    chain = chain.then(() => {
      stdinEnded = true;
      afterStdinEof(session, spec, resolveDone);
    });
  });

  await done;
  rl.close();
  await session.close();
  await out.flush();
  return quit ? EXIT.ok : lastFailure ? EXIT.network : EXIT.ok;
}

/**
 * netcat's rules for the end of standard input, the pipe-mode EOF table, applied once every
 * command read so far has run: --send-only ends the run (the session's close flushes what is
 * queued and sends FIN on every connection), -N half-closes, -q quits after a while; otherwise
 * the connection stays until the peer closes it.
 */
function afterStdinEof(session: Session, spec: SessionSpec, quit: () => void): void {
  const o = spec.options;
  if (o.sendOnly) {
    quit();
    return;
  }
  if (o.halfClose) {
    for (const c of session.openConns()) if (!c.channel.writeClosed) c.channel.shutdown('write');
  }
  if (!o.exec) for (const c of session.openConns()) if (c.peerEof) void c.channel.close();
  if (o.quitAfterMs !== undefined) setTimeout(quit, o.quitAfterMs).unref();
  if (session.finished) quit();
}

function fail(err: unknown, out: NdjsonOut, stderr: Writable): number {
  if (!isSockreplError(err)) throw err;
  out.write({ type: 'error', time: Date.now(), code: err.code, message: err.message });
  stderr.write(`sockrepl: ${err.message}\n`);
  return err.exitCode;
}

/** Writes NDJSON, and tells the session to stop reading while the consumer lags. */
class NdjsonOut {
  onPressure: ((full: boolean) => void) | undefined;
  private full = false;

  constructor(private readonly stream: Writable) {
    stream.on('drain', () => {
      if (!this.full) return;
      this.full = false;
      this.onPressure?.(false);
    });
    stream.on('error', () => {
      // A consumer that went away (EPIPE) must not crash the session with an unhandled error.
    });
  }

  write(obj: JsonEventBody): void {
    if (!this.stream.write(jsonLine(obj)) && !this.full) {
      this.full = true;
      this.onPressure?.(true);
    }
  }

  flush(): Promise<void> {
    if (!this.full && this.stream.writableLength === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.stream.once('drain', resolve);
      setTimeout(resolve, 2000).unref();
    });
  }
}
