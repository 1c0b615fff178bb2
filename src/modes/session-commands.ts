import { isSockreplError, UsageError } from '../errors.js';
import { faultCommand } from '../fault/fault-command.js';
import { describeValue, isThenable } from '../plugin/describe-value.js';
import { PluginContractError } from '../plugin/errors.js';
import { isExpectedPluginError, pluginFailure } from '../plugin/guard.js';
import type { PluginRegistry } from '../plugin/registry.js';
import type { CommandContext, CommandDefinition } from '../plugin/types.js';
import { recordCommand } from '../record/record-command.js';
import { splitWords } from '../session/command-line.js';
import type { CommandEntry, CommandSpec } from '../session/command-spec.js';
import { BUILTIN_COMMANDS } from '../session/command-table.js';
import { formatEndpoint } from '../session/conn.js';
import type { Interpreter } from '../session/interpreter.js';
import type { Session } from '../session/session.js';
import { textCodec } from '../session/text-port.js';
import { textPattern } from '../tube/matchers.js';
import { timeoutMs } from '../tube/timeout.js';

/**
 * The commands a composed session adds to its interpreter, registered the same way a plugin's
 * are: /fault (fault injection is set up here), /record and /pcap (views of the session), and every
 * command of the loaded plugins.
 */

export const FAULT_COMMAND: CommandSpec = {
  name: 'fault',
  usage: '/fault <spec>|list|off <n>|clear|stats',
  summary: 'fault injection: delay:200ms, fragment:1...',
  arg: 'word',
  words: ['list', 'off', 'clear', 'stats'],
  args: { min: 1 },
};

export const RECORD_COMMAND: CommandSpec = {
  name: 'record',
  usage: '/record <file>|stop',
  summary: 'record the session as a replayable script (sockrepl run <file>); stop finishes it',
  arg: 'file',
  args: { min: 1, max: 1 },
};

export const PCAP_COMMAND: CommandSpec = {
  name: 'pcap',
  usage: '/pcap <file>|off',
  summary: 'capture the traffic to a pcap file (pcapng when it ends in .pcapng); off stops',
  arg: 'file',
  args: { min: 0, max: 1 },
};

/** Every command a session has before plugins: what a script is checked against when parsed. */
export const SESSION_COMMANDS: readonly CommandSpec[] = [
  ...BUILTIN_COMMANDS,
  FAULT_COMMAND,
  RECORD_COMMAND,
  PCAP_COMMAND,
];

/** Registers /fault, /record and the plugins' commands. */
export function registerSessionCommands(interpreter: Interpreter, session: Session): void {
  interpreter.register({ spec: FAULT_COMMAND, run: (rest) => faultCommand(session.faults, rest) });
  interpreter.register({ spec: RECORD_COMMAND, run: (rest) => recordCommand(session, rest) });
  interpreter.register({
    spec: PCAP_COMMAND,
    run: async (rest) => (await import('./session-capture.js')).pcapCommand(session, rest),
  });
  if (session.plugins)
    for (const entry of pluginCommands(session, session.plugins, interpreter)) interpreter.register(entry);
}

/** A plugin's commands as entries; a name a built-in has is registered as `plugin/name`. */
function pluginCommands(
  session: Session,
  registry: PluginRegistry,
  interpreter: Interpreter,
): CommandEntry[] {
  const entries: CommandEntry[] = [];
  for (const loaded of registry.plugins) {
    for (const [name, definition] of Object.entries(loaded.plugin.commands ?? {})) {
      const plugin = loaded.plugin.name;
      const qualified = interpreter.find(name) || entries.some((e) => e.spec.name === name);
      const spec: CommandSpec = {
        name: qualified ? `${plugin}/${name}` : name,
        usage: definition.usage,
        summary: definition.summary,
        arg: 'text',
        plugin,
      };
      entries.push({
        spec,
        run: (rest, signal) => runPluginCommand(session, registry, plugin, name, definition, rest, signal),
      });
    }
  }
  return entries;
}

async function runPluginCommand(
  session: Session,
  registry: PluginRegistry,
  plugin: string,
  name: string,
  definition: CommandDefinition,
  rest: string,
  signal: AbortSignal | undefined,
): Promise<{ lines: string[] }> {
  const loaded = registry.plugins.find((l) => l.plugin.name === plugin);
  if (loaded?.disabled) throw new UsageError(`/${name}: plugin '${plugin}' is disabled (${loaded.disabled})`);
  const lines: string[] = [];
  const ended = endOfSession(session, signal);
  const ctx = commandContext(session, lines, ended.signal);
  try {
    const out = await untilAborted(definition.run(splitWords(rest), ctx), ctx.signal, plugin, name);
    lines.push(...resultLines(out));
    return { lines };
  } catch (err) {
    if (isSockreplError(err)) throw err;
    // A plugin loaded through jiti has its own copy of the error classes: known by their code.
    if (isExpectedPluginError(err)) throw new UsageError((err as Error).message, { cause: err });
    const failure = pluginFailure(plugin, `command '${name}'`, err);
    // A third-party plugin that failed is taken out of every lookup; the session goes on.
    if (!loaded?.builtin) registry.disable(plugin, failure.message);
    throw new UsageError(`${failure.message}; plugin '${plugin}' is disabled`, { cause: err });
  } finally {
    ended.dispose();
  }
}

/**
 * The signal a plugin command gets: aborted when the caller cancels (Ctrl-C, a script's end) and
 * also once the session has nothing left open, so a command that waits for ever cannot keep
 * `--json` or a script from ending when the peer has gone.
 */
function endOfSession(session: Session, signal: AbortSignal | undefined) {
  const controller = new AbortController();
  const abort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', abort, { once: true });
  if (signal?.aborted) abort();
  const onEvent = (e: { type: string }) => {
    // After the close event's own handlers, as the JSON writer checks `finished` the same way.
    if (e.type === 'close') setImmediate(() => session.finished && abort());
  };
  session.on('event', onEvent);
  return {
    signal: controller.signal,
    dispose() {
      signal?.removeEventListener('abort', abort);
      session.off('event', onEvent);
    },
  };
}

function commandContext(session: Session, lines: string[], signal: AbortSignal): CommandContext {
  const target = () => {
    try {
      return session.targetOne('command');
    } catch {
      return undefined;
    }
  };
  return {
    async send(data) {
      const bytes = typeof data === 'string' ? textCodec(session.settings.encoding).encode(data) : data;
      await session.send(bytes, undefined, signal);
    },
    async expect(pattern, timeout = '10s') {
      const conn = session.targetOne('expect');
      const encoding = session.settings.encoding;
      const p = typeof pattern === 'string' ? textPattern(pattern, encoding) : pattern;
      const m = await conn.tube.expect(p, { timeout: timeoutMs(timeout), encoding, signal });
      return { text: m[0] ?? '', bytes: m.bytes, groups: m.slice(1).map((g) => g ?? '') };
    },
    print(line) {
      lines.push(String(line));
    },
    get encoding() {
      return session.settings.encoding;
    },
    get endian() {
      return session.settings.endian;
    },
    get connection() {
      const c = target();
      return (
        c && { id: c.id, proto: c.proto, local: formatEndpoint(c.local), remote: formatEndpoint(c.remote) }
      );
    },
    signal,
  };
}

/**
 * What a command returned, as lines: nothing, a line, or lines. Anything else (a number, an
 * object, null) breaks the contract and is reported as the plugin's bug, not dropped unseen.
 */
function resultLines(out: unknown): string[] {
  if (out === undefined) return [];
  if (typeof out === 'string') return [out];
  const printable = (v: unknown) => ['string', 'number', 'boolean', 'bigint'].includes(typeof v);
  if (Array.isArray(out) && out.every(printable)) return out.map(String);
  const what = Array.isArray(out)
    ? `an array holding ${describeValue(out.find((v) => !printable(v)))}`
    : describeValue(out);
  throw new PluginContractError(`returned ${what}, not a line or lines (a string or an array of strings)`);
}

/**
 * The command's promise, or a rejection as soon as the user cancels (Ctrl-C) or the script
 * stops, even when the plugin pays no attention to its signal: a command that never settles
 * cannot hold the session.
 */
function untilAborted<T>(
  result: T | Promise<T>,
  signal: AbortSignal,
  plugin: string,
  name: string,
): Promise<T> {
  if (!isThenable(result)) return Promise.resolve(result);
  const cancelled = () =>
    new UsageError(`plugin '${plugin}': command '${name}' was cancelled (it did not stop by itself)`);
  if (signal.aborted) {
    Promise.resolve(result).catch(() => {});
    return Promise.reject(cancelled());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(result).then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v as T);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
