import { defineFramer } from '../../src/plugin/define-plugin.js';
import { FrameError } from '../../src/plugin/errors.js';
import type { Framer } from '../../src/plugin/types.js';
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
import { createPrefixedFramer } from './prefixed.js';

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
  return createPrefixedFramer({
    label,
    prefixName: 'a header',
    read(queue) {
      if (queue.length < width) return undefined;
      const headerLength = readUint(queue.peek(0, width), width, endian);
      if (headerLength > max) return `header length ${headerLength} is over max=${formatSize(max)}`;
      if (queue.length < width + headerLength) return undefined;
      const header = parseHeader(queue.peek(width, width + headerLength));
      if (typeof header === 'string') return header;
      const size = header[field];
      if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
        return `header ${preview(header)} has no whole-number "${field}"`;
      if (size > max) return `"${field}": ${size} is over max=${formatSize(max)}`;
      return { size: width + headerLength, payloadLength: size, header };
    },
    write(length) {
      const json = encoder.encode(JSON.stringify({ [field]: length }));
      if (json.length > fieldMax(width))
        throw new FrameError(
          `${label}: a ${json.length}-byte header does not fit a ${width}-byte length field`,
        );
      const out = new Uint8Array(width + json.length);
      writeUint(out, json.length, width, endian);
      out.set(json, width);
      return out;
    },
  });
}

/** The header as a JSON object, or why it is not one. */
function parseHeader(bytes: Uint8Array): Record<string, unknown> | string {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return `header is not UTF-8 JSON (${why}): ${preview(Buffer.from(bytes).toString('latin1'))}`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return `header is JSON but not an object: ${preview(value)}`;
  return value as Record<string, unknown>;
}

/** At most 60 characters of a header, for messages. */
function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
