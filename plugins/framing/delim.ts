import { formatEscapes } from '../../src/codec/escapes.js';
import { defineFramer } from '../../src/plugin/define-plugin.js';
import { maxRow } from './common.js';
import { createDelimitedFramer } from './delimited.js';

/** Messages ended by any byte sequence: `delim:\0`, `delim:\r\n\r\n`, `delim:\,`. */
export const delim = defineFramer({
  summary: 'messages ended by a byte sequence (escapes: \\r \\n \\t \\0 \\xNN \\\\ \\, \\=)',
  positional: 'delimiter',
  options: [
    {
      key: 'delimiter',
      kind: 'bytes',
      required: true,
      minLength: 1,
      summary: 'the bytes that end each message',
    },
    maxRow,
  ],
  create: ({ delimiter, max }) =>
    createDelimitedFramer(`delim:${formatEscapes(delimiter, 'spec')}`, delimiter, max),
});
