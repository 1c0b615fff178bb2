import { definePlugin } from '../../src/plugin/define-plugin.js';
import { delim } from './delim.js';
import { fixed } from './fixed.js';
import { jsonHeader } from './json-header.js';
import { length } from './length.js';
import { lines } from './lines.js';
import { varint } from './varint.js';

/** The built-in framers. Built with the public plugin API only, like any user's plugin. */
export default definePlugin({
  name: 'framing',
  framers: {
    lines,
    delim,
    length,
    varint,
    fixed,
    'json-header': jsonHeader,
  },
});
