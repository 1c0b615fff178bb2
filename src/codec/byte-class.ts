/**
 * hexyl's byte classes: null, printable, whitespace, other ASCII, non-ASCII. They decide colour
 * in the TUI (and nothing in plain output).
 */

export const BYTE_CLASSES = ['null', 'printable', 'whitespace', 'ascii-other', 'non-ascii'] as const;
export type ByteClass = (typeof BYTE_CLASSES)[number];

/** Index into BYTE_CLASSES for each byte value. */
export const BYTE_CLASS_TABLE: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let b = 0; b < 256; b++) {
    if (b === 0) t[b] = 0;
    else if (b > 0x20 && b < 0x7f) t[b] = 1;
    else if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0b || b === 0x0c || b === 0x0d) t[b] = 2;
    else if (b < 0x80) t[b] = 3;
    else t[b] = 4;
  }
  return t;
})();

export function byteClass(b: number): ByteClass {
  return BYTE_CLASSES[BYTE_CLASS_TABLE[b & 0xff]!]!;
}
