import type { CommandOutcome } from '../session/interpreter.js';
import type { SessionEvent } from '../session/session-events.js';
import {
  JSON_EVENTS_VERSION,
  type JsonDataEvent,
  type JsonEventBody,
  type JsonResultEvent,
} from './json-event-types.js';

/**
 * One session event as the JSON object `--json` prints (design section 2), without the `v` its
 * writer adds (jsonLine). Field names are a contract with other programs, written down in
 * schema/events.schema.json and json-event-types.ts: fields may be added, never renamed.
 */
export function toJson(e: SessionEvent): JsonEventBody | undefined {
  switch (e.type) {
    case 'data': {
      const out: JsonEventBody<JsonDataEvent> = {
        type: 'data',
        time: e.time,
        conn: e.conn,
        dir: e.dir,
        len: e.bytes.length,
        hex: e.bytes.toString('hex'),
        text: e.text ?? '',
      };
      if (e.frame !== undefined) out.frame = e.frame;
      if (e.payload) {
        out.payload = e.payload.toString('hex');
        out.payloadText = e.payloadText ?? '';
        if (e.payloadOffset !== undefined) out.payloadOffset = e.payloadOffset;
      }
      if (e.header !== undefined) {
        const header = jsonSafe(e.header);
        // The schema's header is an object: a framer's number or list is left out with the rest.
        if (header !== null && typeof header === 'object' && !Array.isArray(header))
          out.header = header as Record<string, unknown>;
      }
      if (e.stderr) out.stream = 'stderr';
      return out;
    }
    case 'open':
      if (e.program) return { type: 'open', time: e.time, conn: e.conn, proto: e.proto, ...e.program };
      return {
        type: 'open',
        time: e.time,
        conn: e.conn,
        proto: e.proto,
        local: { address: e.local.address, port: e.local.port },
        remote: { address: e.remote.address, port: e.remote.port },
        ...(e.tls ? { tls: e.tls } : {}),
      };
    case 'state': {
      const { type, time, conn, ...view } = e;
      return { type, time, conn, ...view };
    }
    case 'notice':
      return {
        type: 'notice',
        time: e.time,
        level: e.level,
        text: e.text,
        ...(e.conn ? { conn: e.conn } : {}),
      };
    default:
      return { ...e };
  }
}

/**
 * A framer's header as plain JSON: BigInts as decimal strings, bytes as hex; undefined when it
 * cannot be written (a cycle), so a plugin's odd header never breaks the event stream.
 */
function jsonSafe(value: unknown): unknown {
  try {
    const text = JSON.stringify(value, (_k, v: unknown) =>
      typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v,
    );
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A command's outcome: `result` when it worked, `error` (with the command) when it did not. */
export function outcomeJson(line: string, o: CommandOutcome): JsonEventBody | undefined {
  if (!o.ok && o.error) {
    // A failed expect is already reported by its `expect` event; the error says the command failed.
    return {
      type: 'error',
      time: Date.now(),
      command: o.command,
      line,
      code: o.error.code,
      message: o.error.message,
    };
  }
  if (o.command === 'text' || o.command === '') return undefined;
  const out: JsonEventBody<JsonResultEvent> = {
    type: 'result',
    time: Date.now(),
    command: o.command,
    ok: true,
    line,
  };
  if (o.lines.length > 0) out.lines = o.lines;
  if (o.data !== undefined && o.command !== 'expect') out.data = o.data;
  return out;
}

/** One `--json` line: the event with the schema version `v` after its type, and a newline. */
export function jsonLine(obj: JsonEventBody): string {
  const { type, ...rest } = obj;
  return `${JSON.stringify({ type, v: JSON_EVENTS_VERSION, ...rest })}\n`;
}
