import { type Matcher, matcher, type Pattern } from './matchers.js';

/**
 * The matchers of text and regex patterns, made once per pattern and encoding: a script's loop
 * expects the same few patterns thousands of times. Receives on a tube run one at a time and each
 * starts by restarting its matchers, so sharing one between calls is safe.
 */
export class MatcherCache {
  private readonly known = new Map<string | RegExp, { encoding: string; matcher: Matcher }>();

  get(pattern: Pattern, encoding: string): Matcher {
    if (typeof pattern !== 'string' && !(pattern instanceof RegExp)) return matcher(pattern, encoding);
    const known = this.known.get(pattern);
    if (known?.encoding === encoding) return known.matcher;
    const m = matcher(pattern, encoding);
    if (this.known.size >= 64) this.known.clear();
    this.known.set(pattern, { encoding, matcher: m });
    return m;
  }
}
