import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { runsInLinearTime } from '../codec/regex-literal.js';
import { UsageError } from '../errors.js';

/**
 * Runs a user's regex over received text so that it can never hang the process. A regex V8 can
 * run in linear time runs here as usual. Any other (a backreference, a lookaround, the `i` or
 * `u` flag) runs on a helper thread while this one waits, at most REGEX_BUDGET_MS: a catastrophic
 * pattern (`/^(a+)+\1$/i` on a long line of a's) is stopped and named instead of blocking
 * every connection for minutes. The call stays synchronous, so matching keeps its semantics.
 */

/** How long one match may run on the helper thread before it is stopped. */
export const REGEX_BUDGET_MS = 5_000;
/** How long the helper thread may take to start (a busy machine). */
const START_BUDGET_MS = 30_000;

// The helper's code, evaluated in the worker: no file to find from dist/ or from src/.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ source, flags, text, control, port }) => {
  Atomics.store(control, 1, 1);
  let reply;
  try {
    const m = new RegExp(source, flags).exec(text);
    reply = m && { index: m.index, values: [...m], groups: m.groups, indices: m.indices };
  } catch (err) {
    reply = { error: String(err && err.message) };
  }
  port.postMessage(reply);
  Atomics.store(control, 0, 1);
  Atomics.notify(control, 0);
});
`;

interface Reply {
  index: number;
  values: (string | undefined)[];
  groups?: Record<string, string | undefined>;
  indices?: unknown;
  error?: string;
}

let helper: Worker | undefined;

export function execBounded(re: RegExp, text: string): RegExpExecArray | null {
  if (runsInLinearTime(re)) return re.exec(text);
  return execOnHelper(re, text);
}

function execOnHelper(re: RegExp, text: string): RegExpExecArray | null {
  if (!helper) {
    // No execArgv of this process: `--input-type=module` there would make the source an ES module.
    helper = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    helper.unref();
  }
  // [0]: the reply is posted; [1]: the match has started (the thread is up).
  const control = new Int32Array(new SharedArrayBuffer(8));
  const { port1, port2 } = new MessageChannel();
  // A fresh RegExp starts at lastIndex 0, as the receive buffer runs every regex.
  helper.postMessage({ source: re.source, flags: re.flags, text, control, port: port2 }, [port2]);
  const started = performance.now();
  let matchStarted: number | undefined;
  try {
    while (Atomics.load(control, 0) === 0) {
      Atomics.wait(control, 0, 0, 50);
      const now = performance.now();
      if (matchStarted === undefined && Atomics.load(control, 1) === 1) matchStarted = now;
      const over =
        matchStarted === undefined ? now - started > START_BUDGET_MS : now - matchStarted > REGEX_BUDGET_MS;
      if (over && Atomics.load(control, 0) === 0) {
        void helper.terminate();
        helper = undefined;
        throw new UsageError(
          `regex /${re.source}/${re.flags} ran longer than ${REGEX_BUDGET_MS / 1000}s on ${text.length} characters and was stopped (it backtracks catastrophically: avoid nested repetition such as (a+)+ together with backreferences, lookarounds or the i/u flags)`,
        );
      }
    }
    const reply = receiveMessageOnPort(port1)?.message as Reply | null | undefined;
    if (!reply) return null;
    if (reply.error !== undefined) throw new UsageError(`regex /${re.source}/${re.flags}: ${reply.error}`);
    const m = Object.assign([...reply.values], { index: reply.index, input: text, groups: reply.groups });
    if (reply.indices !== undefined) Object.assign(m, { indices: reply.indices });
    return m as unknown as RegExpExecArray;
  } finally {
    port1.close();
  }
}
