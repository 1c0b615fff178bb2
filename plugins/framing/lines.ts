import { defineFramer } from '../../src/plugin/define-plugin.js';
import { maxRow } from './common.js';
import { createDelimitedFramer } from './delimited.js';

const EOL = { lf: Uint8Array.of(0x0a), crlf: Uint8Array.of(0x0d, 0x0a) } as const;

/** Text lines: `lines` (LF) or `lines:crlf` (HTTP, SMTP, Redis). */
export const lines = defineFramer({
  summary: 'text lines ended by LF or CRLF; a message is one line without its end',
  positional: 'eol',
  options: [
    {
      key: 'eol',
      kind: 'enum',
      values: ['lf', 'crlf'],
      default: 'lf',
      summary: 'line end: lf (\\n) or crlf (\\r\\n); with lf a \\r before \\n stays in the line',
    },
    maxRow,
  ],
  create: ({ eol, max }) => createDelimitedFramer(`lines:${eol}`, EOL[eol], max),
});
