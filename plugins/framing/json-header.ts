import { ByteQueue } from '../../src/plugin/byte-queue.js';
import { defineFramer } from '../../src/plugin/define-plugin.js';
import { FrameError } from '../../src/plugin/errors.js';
import type { Frame, Framer } from '../../src/plugin/types.js';
import {
  type Endian,
  endianRow,
  fieldMax,
  formatSize,
  lengthFieldPositional,
  maxRow,
  readUint,
  type Width,
  widthRow,
  writeUint,
} from './common.js';

/**
 * Length + JSON header + body, the classic fix for TCP's sticky packets in socket tutorials:
 * a 4-byte big-endian length of the header, the header as UTF-8 JSON whose `data_size` is the
 * body's length, then the body. The frame's `header` is the parsed JSON; its payload the body.
 */
export const jsonHeader = defineFramer({
  summary: 'a length-prefixed JSON header whose data_size gives the body length, then the body',
  positional: lengthFieldPositional,
  options: [
    { ...widthRow, summary: 'size of the header-length field' },
    { ...endianRow, summary: 'byte order of the header-length field' },
    {
      key: 'field',
      kind: 'string',
      default: 'data_size',
      summary: 'the header field that holds the body length',
    },
    maxRow,
  ],
  create: ({ width, endian, field, max }) => createJsonHeaderFramer(width, endian, field, max),
});

const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

function createJsonHeaderFramer(width: Width, endian: Endian, field: string, max: number): Framer {
  const label = 'json-header';
  const queue = new ByteQueue();
  // Set once the length field is read, then once the header is parsed.
  let headerLength: number | undefined;
  let header: Record<string, unknown> | undefined;
  let need: number | undefined;

  const reset = () => {
    headerLength = undefined;
    header = undefined;
    need = undefined;
  };
  const fail = (message: string, frames: Frame[]) => {
    reset();
    return new FrameError(`${label}: ${message}`, { frames, rest: queue.takeAll() });
  };

  return {
    decode(chunk) {
      queue.push(chunk);
      const frames: Frame[] = [];
      for (;;) {
        if (headerLength === undefined) {
          if (queue.length < width) return frames;
          headerLength = readUint(queue.peek(0, width), width, endian);
          if (headerLength > max)
            throw fail(`header length ${headerLength} is over max=${formatSize(max)}`, frames);
        }
        if (need === undefined) {
          if (queue.length < width + headerLength) return frames;
          header = parseHeader(queue.peek(width, width + headerLength), (why) => fail(why, frames));
          const size = header[field];
          if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
            throw fail(`header ${preview(header)} has no whole-number "${field}"`, frames);
          if (size > max) throw fail(`"${field}": ${size} is over max=${formatSize(max)}`, frames);
          need = width + headerLength + size;
        }
        if (queue.length < need) return frames;
        const bytes = queue.take(need);
        frames.push({ payload: bytes.subarray(width + headerLength), bytes, header });
        reset();
      }
    },
    encode(payload) {
      const json = encoder.encode(JSON.stringify({ [field]: payload.length }));
      if (json.length > fieldMax(width))
        throw new FrameError(
          `${label}: a ${json.length}-byte header does not fit a ${width}-byte length field`,
        );
      const out = new Uint8Array(width + json.length + payload.length);
      writeUint(out, json.length, width, endian);
      out.set(json, width);
      out.set(payload, width + json.length);
      return out;
    },
    flush() {
      if (queue.length === 0) return [];
      const of = need === undefined ? 'a header' : `a ${need}-byte frame`;
      throw fail(`stream ended after ${queue.length} bytes of ${of}`, []);
    },
  };
}

function parseHeader(bytes: Uint8Array, fail: (why: string) => FrameError): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw fail(`header is not UTF-8 JSON (${why}): ${preview(Buffer.from(bytes).toString('latin1'))}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw fail(`header is JSON but not an object: ${preview(value)}`);
  return value as Record<string, unknown>;
}

/** At most 60 characters of a header, for messages. */
function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
