import { describe, expect, expectTypeOf, it } from 'vitest';
import type { JsonEventType } from '../../../src/index.js';
import { JSON_EVENTS_VERSION } from '../../../src/index.js';
import { jsonLine, outcomeJson, toJson } from '../../../src/json/json-event.js';
import { failureEvent, stepEvent } from '../../../src/script/transcript.js';
import type { SessionEvent } from '../../../src/session/session-events.js';
import {
  assertJsonEvent,
  eventValidators,
  loadEventSchema,
  parseJsonEvents,
} from '../../helpers/json-events.js';

// The schema, the TypeScript types and the producers agree: one sample of every session event
// type (the mapped type below stops compiling when a SessionEvent type has no sample), every
// command outcome and every `sockrepl run` line goes through the real writer and the strict check.

const ep = (port: number) => ({ address: '127.0.0.1', port, family: 'IPv4' as const });
const time = 1_700_000_000_000;
const tls = {
  role: 'client' as const,
  protocol: 'TLSv1.3',
  cipher: 'TLS_AES_128_GCM_SHA256',
  authorized: false,
  verified: false,
};

const SAMPLES: { [K in SessionEvent['type']]: Extract<SessionEvent, { type: K }>[] } = {
  listening: [
    { type: 'listening', time, proto: 'tcp', address: '0.0.0.0', port: 8888, addresses: [ep(8888)] },
  ],
  open: [
    { type: 'open', time, conn: 1, proto: 'tcp', local: ep(40000), remote: ep(8888), tls },
    {
      type: 'open',
      time,
      conn: 2,
      proto: 'exec',
      local: ep(0),
      remote: ep(42),
      program: { pid: 42, argv: ['cat'], pty: { cols: 80, rows: 24, tty: '/dev/pts/3' } },
    },
  ],
  tls: [
    {
      type: 'tls',
      time,
      conn: 1,
      tls: {
        ...tls,
        alpn: 'h2',
        peer: { subject: 'CN=x', issuer: 'CN=x', validFrom: 'a', validTo: 'b', fingerprint256: 'AA' },
      },
    },
  ],
  data: [
    { type: 'data', time, conn: 1, dir: 'in', bytes: Buffer.from('hi'), prev: Buffer.alloc(0), text: 'hi' },
    {
      type: 'data',
      time,
      conn: 1,
      dir: 'out',
      bytes: Buffer.from([0, 255]),
      prev: Buffer.alloc(0),
      frame: 3,
      stderr: true,
    },
  ],
  eof: [{ type: 'eof', time, conn: 1 }],
  close: [{ type: 'close', time, conn: 1, reason: 'reset', message: 'ECONNRESET' }],
  exit: [{ type: 'exit', time, conn: 2, pid: 42, code: null, signal: 'SIGTERM' }],
  error: [{ type: 'error', time, code: 'ECONNREFUSED', message: 'nothing listens', conn: 1 }],
  state: [{ type: 'state', time, conn: 1, state: 'ESTABLISHED', sendQ: 0, recvQ: 3, rttMs: 0.1, cwnd: 10 }],
  expect: [
    {
      type: 'expect',
      time,
      conn: 1,
      ok: true,
      pattern: '/OK (\\d+)/',
      elapsedMs: 3,
      match: 'OK 1',
      hex: '4f4b2031',
      groups: ['1'],
    },
    {
      type: 'expect',
      time,
      conn: 1,
      ok: false,
      pattern: '"x"',
      elapsedMs: 5000,
      reason: 'timeout',
      lastHex: '',
      lastText: '',
    },
  ],
  notice: [{ type: 'notice', time, level: 'warn', text: 'plugin x disabled', conn: 1 }],
  fault: [
    {
      type: 'fault',
      time,
      conn: 1,
      dir: 'out',
      fault: 'delay:200ms',
      id: 1,
      kind: 'delayed',
      action: 'delayed 200 ms',
    },
  ],
  progress: [
    {
      type: 'progress',
      time,
      conn: 1,
      file: 'f.bin',
      sent: 10,
      total: 20,
      bytesPerSec: 5,
      etaMs: 2000,
      done: false,
    },
    {
      type: 'progress',
      time,
      conn: 1,
      file: 'f.bin',
      sent: 20,
      total: 20,
      bytesPerSec: 5,
      etaMs: undefined,
      done: true,
    },
  ],
};

/** Every `type` the schema lists, typed so that a JsonEventType missing here fails to compile. */
const ALL_TYPES = [
  'listening',
  'open',
  'tls',
  'data',
  'eof',
  'close',
  'exit',
  'error',
  'state',
  'expect',
  'notice',
  'fault',
  'progress',
  'result',
  'step',
  'output',
  'done',
] as const satisfies readonly JsonEventType[];

describe('the --json event schema', () => {
  it('is a valid JSON Schema that ajv compiles in strict mode, at version 1', () => {
    expect(() => eventValidators()).not.toThrow();
    expect(JSON_EVENTS_VERSION).toBe(1);
    expect((loadEventSchema().$defs as { v: { const: number } }).v.const).toBe(JSON_EVENTS_VERSION);
  });

  it('lists exactly the event types of the TypeScript types', () => {
    expectTypeOf<Exclude<JsonEventType, (typeof ALL_TYPES)[number]>>().toEqualTypeOf<never>();
    const schema = loadEventSchema() as { properties: { type: { enum: string[] } } };
    expect([...schema.properties.type.enum].sort()).toEqual([...ALL_TYPES].sort());
  });

  it('describes every session event as the --json writer prints it', () => {
    const lines = Object.values(SAMPLES)
      .flat()
      .map((e) => toJson(e))
      .map((o) => jsonLine(o!));
    const events = parseJsonEvents(lines.join(''));
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(Object.keys(SAMPLES)));
    for (const line of lines) expect(line).toMatch(/^\{"type":"[a-z]+","v":1,/);
  });

  it('describes command results and errors', () => {
    const ok = outcomeJson('/info', { command: 'info', ok: true, lines: ['x'], data: { a: 1 } });
    const bad = outcomeJson('/hex zz', {
      command: 'hex',
      ok: false,
      lines: [],
      error: { code: 'EUSAGE', message: 'bad hex', exitCode: 2 },
    });
    expect(parseJsonEvents(jsonLine(ok!) + jsonLine(bad!)).map((e) => e.type)).toEqual(['result', 'error']);
  });

  it('describes what sockrepl run --json prints', () => {
    const bytes = Buffer.from('OK 1\n');
    const lines = [
      stepEvent({ step: 1, elapsedMs: 1, line: 1, command: 'send x', sent: Buffer.from('x'), note: 'n' }),
      stepEvent({
        step: 2,
        elapsedMs: 2,
        line: 2,
        command: 'expect /OK (\\d)/',
        durationMs: 1,
        matched: {
          bytes,
          before: Buffer.from('a'),
          captures: ['OK 1', '1', undefined],
          groups: { n: '1', m: undefined },
          branch: '/OK/',
        },
      }),
      failureEvent({
        file: 'a.srs',
        line: 3,
        col: 1,
        command: 'expect "x"',
        reason: 'timed out',
        expected: '"x"',
        received: bytes,
      }),
      { type: 'output' as const, lines: ['hello'] },
      { type: 'error' as const, code: 'EUSAGE', message: 'bad', exit: 2 },
      { type: 'done' as const, ok: false, exit: 3, steps: 3, ms: 12 },
    ];
    const events = parseJsonEvents(lines.map((l) => jsonLine(l)).join(''));
    expect(events.map((e) => e.type)).toEqual(['step', 'expect', 'expect', 'output', 'error', 'done']);
  });

  it('fails on an event type it does not describe, a missing or other v, or an unlisted field', () => {
    expect(() => assertJsonEvent({ type: 'bogus', v: 1, time })).toThrow(/does not match/);
    expect(() => assertJsonEvent({ type: 'eof', time, conn: 1 })).toThrow(/must have required property 'v'/);
    expect(() => assertJsonEvent({ type: 'eof', v: 2, time, conn: 1 })).toThrow(/does not match/);
    const extra = { type: 'eof', v: 1, time, conn: 1, surprise: true };
    expect(() => assertJsonEvent(extra)).toThrow(/surprise/);
    // The shipped schema lets a consumer's copy accept fields a later sockrepl adds.
    expect(eventValidators().shipped(extra)).toBe(true);
    expect(eventValidators().shipped({ type: 'bogus', v: 1 })).toBe(false);
  });

  it('accepts the framed data fields (payload, payloadText, header)', () => {
    const framed = {
      type: 'data',
      v: 1,
      time,
      conn: 1,
      dir: 'in',
      len: 6,
      hex: '000268690a00',
      text: '',
      frame: 1,
    };
    expect(() =>
      assertJsonEvent({ ...framed, payload: '6869', payloadText: 'hi', header: { length: 2 } }),
    ).not.toThrow();
    expect(() => assertJsonEvent({ ...framed, payload: 'xyz' })).toThrow(/payload/);
  });
});
