import { definePlugin } from '../../src/plugin/define-plugin.js';
import { blackhole } from './blackhole.js';
import { coalesce } from './coalesce.js';
import { corrupt } from './corrupt.js';
import { delay } from './delay.js';
import { drop } from './drop.js';
import { duplicate } from './duplicate.js';
import { fragment } from './fragment.js';
import { halfclose } from './halfclose.js';
import { jitter } from './jitter.js';
import { reset } from './reset.js';
import { stall } from './stall.js';
import { throttle } from './throttle.js';

/**
 * The built-in faults. Built with the public plugin API only: each is a transform on the bytes of
 * one connection, given time, seeded randomness and the connection's controls by its context.
 * Every fault also takes dir=, from= and until=, which the fault pipeline adds.
 */
export default definePlugin({
  name: 'faults',
  faults: {
    delay,
    jitter,
    throttle,
    fragment,
    coalesce,
    corrupt,
    drop,
    duplicate,
    stall,
    reset,
    halfclose,
    blackhole,
  },
});
