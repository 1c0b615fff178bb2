import type { Pos, Template, TemplatePart, VarRef } from './ast.js';

/** Building and reshaping templates: the lexer's output and the values the parser makes up. */

/**
 * Accumulates template parts, merging neighbours of the same kind. Text comes a character or a
 * run at a time: the pieces are kept in an array and joined once, because `+=` per character
 * builds a rope of one node per character (a 5 MB `send` line peaked at 500 MB).
 */
export class PartsBuilder {
  readonly parts: TemplatePart[] = [];
  /** The bytes of the last part while it is still a run of byte escapes being read. */
  private run: number[] | undefined;
  /** Pieces of the text part being read, joined when another kind of part follows (or at build). */
  private pieces: string[] | undefined;

  text(s: string): void {
    if (s === '') return;
    this.closeRun();
    if (this.pieces) {
      this.pieces.push(s);
      return;
    }
    const last = this.parts.at(-1);
    this.pieces = last?.kind === 'text' ? [last.text, s] : [s];
    if (last?.kind !== 'text') this.parts.push({ kind: 'text', text: '' });
  }

  bytes(b: number): void {
    this.closeText();
    // A run of `\xNN` escapes is gathered in a plain array and turned into one Uint8Array when
    // another kind of part follows (or at build), so a long hex string costs linear time.
    const last = this.parts.at(-1);
    if (last?.kind === 'bytes' && this.run) this.run.push(b);
    else {
      this.run = [b];
      this.parts.push({ kind: 'bytes', bytes: new Uint8Array(0) });
    }
  }

  private closeText(): void {
    const last = this.parts.at(-1);
    if (this.pieces && last?.kind === 'text') last.text = this.pieces.join('');
    this.pieces = undefined;
  }

  private closeRun(): void {
    const last = this.parts.at(-1);
    if (this.run && last?.kind === 'bytes') last.bytes = Uint8Array.from(this.run);
    this.run = undefined;
  }

  variable(ref: VarRef): void {
    this.closeText();
    this.closeRun();
    this.parts.push({ kind: 'var', ref });
  }

  append(parts: readonly TemplatePart[]): void {
    for (const p of parts) {
      if (p.kind === 'text') this.text(p.text);
      else if (p.kind === 'var') this.variable(p.ref);
      else for (const b of p.bytes) this.bytes(b);
    }
  }

  build(pos: Pos, source: string, regex = false): Template {
    this.closeText();
    this.closeRun();
    return regex ? { parts: this.parts, pos, source, regex } : { parts: this.parts, pos, source };
  }
}

/** A template holding one piece of text, for values the parser makes up (empty raw text). */
export function textTemplate(text: string, pos: Pos): Template {
  return { parts: text === '' ? [] : [{ kind: 'text', text }], pos, source: text };
}

/** Concatenates templates, with the given literal text between them (the source's own spacing). */
export function joinTemplates(
  items: readonly { t: Template; sep: string }[],
  pos: Pos,
  source: string,
): Template {
  const b = new PartsBuilder();
  for (const { t, sep } of items) {
    b.text(sep);
    b.append(t.parts);
  }
  return b.build(pos, source);
}

/** The template without its first `n` characters of literal text (`hex:` of `hex:"de ad"`). */
export function dropPrefix(t: Template, n: number): Template {
  const first = t.parts[0];
  if (first?.kind !== 'text' || first.text.length < n) throw new Error('dropPrefix: no such literal prefix');
  const rest = first.text.slice(n);
  const parts = rest === '' ? t.parts.slice(1) : [{ kind: 'text' as const, text: rest }, ...t.parts.slice(1)];
  return {
    parts,
    pos: { ...t.pos, col: t.pos.col + n, offset: t.pos.offset + n },
    source: t.source.slice(n),
  };
}
