import { isIP } from 'node:net';
import { UsageError } from '../errors.js';

/**
 * One entry of an --allow/--deny list as ncat takes them: an address (`10.0.0.5`, `::1`), a CIDR
 * range (`10.0.0.0/8`, `fd00::/8`), an IPv4 range in the last part (`192.168.1.10-20`,
 * `192.168.1.*`), or a host name (resolved when listening starts). Pure: the parsing only.
 */
export type AccessEntry =
  | { kind: 'address'; address: string; family: 4 | 6 }
  | { kind: 'subnet'; network: string; prefix: number; family: 4 | 6 }
  | { kind: 'range'; start: string; end: string }
  | { kind: 'host'; name: string };

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,62})(\.[a-z0-9_]([a-z0-9_-]{0,62}))*\.?$/i;

/** Splits a list as given (`a,b c`), and a file's text (one or more a line, `#` comments). */
export function splitAccessList(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/#.*/, ''))
    .join(' ')
    .split(/[\s,]+/)
    .filter((w) => w !== '');
}

export function parseAccessEntry(word: string, what = '--allow'): AccessEntry {
  const w = word.trim();
  const slash = w.indexOf('/');
  if (slash >= 0) {
    const network = stripBrackets(w.slice(0, slash));
    const family = isIP(network);
    const bits = w.slice(slash + 1);
    const max = family === 6 ? 128 : 32;
    if (family === 0 || !/^\d{1,3}$/.test(bits) || Number(bits) > max)
      throw new UsageError(`${what}: '${word}' is not a CIDR range (e.g. 10.0.0.0/8 or fd00::/8)`);
    return { kind: 'subnet', network, prefix: Number(bits), family: family as 4 | 6 };
  }
  const address = stripBrackets(w);
  const family = isIP(address);
  if (family !== 0) return { kind: 'address', address, family: family as 4 | 6 };
  const range = /^(\d{1,3}\.\d{1,3}\.\d{1,3})\.(\*|(\d{1,3})-(\d{1,3}))$/.exec(w);
  if (range && isIP(`${range[1]}.0`) === 4) {
    const [lo, hi] = range[2] === '*' ? [0, 255] : [Number(range[3]), Number(range[4])];
    if (lo <= hi && hi <= 255) return { kind: 'range', start: `${range[1]}.${lo}`, end: `${range[1]}.${hi}` };
  }
  // A host name has a letter somewhere: 1.2.3.4.5 or 10.0.0.20-10 is a mistyped address.
  if (HOST_NAME.test(w) && /[a-z]/i.test(w)) return { kind: 'host', name: w };
  throw new UsageError(
    `${what}: '${word}' is not an address, a CIDR range (10.0.0.0/8), a range (192.168.1.1-20) or a host name`,
  );
}

function stripBrackets(s: string): string {
  return s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s;
}

/** `::ffff:10.0.0.5` as `10.0.0.5`: an IPv4 client of a dual-stack listener is checked as IPv4. */
export function plainAddress(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address;
}
