import { encodeText } from '../codec/text.js';
import type { Pattern as TubePattern } from '../tube/matchers.js';
import type { Pattern, Template } from './ast.js';
import { resolvePattern } from './resolve.js';
import type { Variables } from './variables.js';

/**
 * A send's bytes and an expect's pattern, worked out once per encoding for templates without
 * variables: a send/expect loop then costs no re-encoding per iteration.
 */
export class LiteralCache {
  private readonly bytes = new WeakMap<Template, { encoding: string; bytes: Buffer }>();
  private readonly patterns = new WeakMap<Pattern, { encoding: string; pattern: TubePattern | undefined }>();

  constructor(private readonly vars: Variables) {}

  pattern(p: Pattern, encoding: string): TubePattern | undefined {
    const cached = this.patterns.get(p);
    if (cached?.encoding === encoding) return cached.pattern;
    const template =
      p.kind === 'text' || p.kind === 'hex' ? p.value : p.kind === 'regex' ? p.source : undefined;
    const pattern = resolvePattern(p, this.vars, encoding);
    if (!template?.parts.some((x) => x.kind === 'var')) this.patterns.set(p, { encoding, pattern });
    return pattern;
  }

  bytesOf(t: Template, encoding: string): Buffer {
    const cached = this.bytes.get(t);
    if (cached?.encoding === encoding) return cached.bytes;
    const bytes = this.vars.expandBytes(t, (text) => encodeText(text, encoding));
    if (!t.parts.some((p) => p.kind === 'var')) this.bytes.set(t, { encoding, bytes });
    return bytes;
  }
}
