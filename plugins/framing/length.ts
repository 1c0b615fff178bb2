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
 * Length-prefixed messages: `length:u32be`, `length:u16le,include-header`, `length:u8,adjust=2`.
 * The field's value is the payload length, plus the field's own size with include-header, plus
 * `adjust` (bytes it counts besides those; negative when it counts fewer).
 */
export const length = defineFramer({
  summary: 'messages after an unsigned length field (the sticky-packet fix)',
  positional: lengthFieldPositional,
  options: [
    widthRow,
    endianRow,
    { key: 'includeHeader', kind: 'flag', summary: 'the length counts the length field itself' },
    {
      key: 'adjust',
      kind: 'int',
      default: 0,
      min: -(2 ** 32),
      max: 2 ** 32,
      summary: 'the length counts this many bytes besides the payload; may be negative',
    },
    maxRow,
  ],
  create: (o) => createLengthFramer(o.width, o.endian, (o.includeHeader ? o.width : 0) + o.adjust, o.max),
});

/** `extra` = what the field counts besides the payload: the header with include-header, plus adjust. */
function createLengthFramer(width: Width, endian: Endian, extra: number, max: number): Framer {
  const label = `length:u${width * 8}${endian}`;
  return createPrefixedFramer({
    label,
    prefixName: `a ${width}-byte length field`,
    read(queue) {
      if (queue.length < width) return undefined;
      const field = readUint(queue.peek(0, width), width, endian);
      const payloadLength = field - extra;
      if (payloadLength < 0) return `length field says ${field}, less than the ${extra} bytes it must count`;
      if (payloadLength > max)
        return `length field says ${field}: a ${payloadLength}-byte message is over max=${formatSize(max)}`;
      return { size: width, payloadLength, header: { length: field } };
    },
    write(length) {
      const field = length + extra;
      if (field < 0 || field > fieldMax(width))
        throw new FrameError(
          `${label}: a ${length}-byte payload makes a length of ${field}, which a ${width}-byte field cannot hold`,
        );
      const out = new Uint8Array(width);
      writeUint(out, field, width, endian);
      return out;
    },
  });
}
