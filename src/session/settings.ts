import { UsageError } from '../errors.js';

/** The display and typing settings a user changes with /enc /endian /eol /view /inspect. */
export interface Settings {
  encoding: string;
  endian: 'le' | 'be';
  eol: 'lf' | 'crlf' | 'none';
  view: 'hex' | 'text' | 'both';
  /** Inspector: byte offset into the selected message, and an optional struct format for it. */
  inspectOffset: number;
  inspectFormat: string | undefined;
  /**
   * What the inspector's offsets count from in a framed message: the whole frame (default), or
   * its payload (`/inspect payload`; `/inspect frame` switches back). Unframed messages: the chunk.
   */
  inspectFrom?: 'frame' | 'payload';
}

export const EOL_BYTES = { lf: '\n', crlf: '\r\n', none: '' } as const;

export const VIEWS = ['hex', 'text', 'both'] as const;

export function parseEndian(text: string): Settings['endian'] {
  const t = text.toLowerCase();
  if (t === 'le' || t === 'little' || t === '<') return 'le';
  if (t === 'be' || t === 'big' || t === '>' || t === '!' || t === 'network') return 'be';
  throw new UsageError(`endian: '${text}' is not le or be`);
}

export function parseEol(text: string): Settings['eol'] {
  const t = text.toLowerCase();
  if (t === 'lf' || t === '\\n') return 'lf';
  if (t === 'crlf' || t === '\\r\\n') return 'crlf';
  if (t === 'none' || t === 'off') return 'none';
  throw new UsageError(`eol: '${text}' is not lf, crlf or none`);
}

export function parseView(text: string): Settings['view'] {
  const t = text.toLowerCase();
  if ((VIEWS as readonly string[]).includes(t)) return t as Settings['view'];
  throw new UsageError(`view: '${text}' is not hex, text or both`);
}
