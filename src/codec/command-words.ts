/**
 * A command line as `-e` takes it (ncat runs it without a shell): words split at blanks, with
 * the quoting people type anyway: '...' keeps everything, "..." keeps blanks and takes \" \\ \$ \`,
 * and a backslash outside quotes keeps the next character. No variables, globs or pipes: for
 * those there is `-c` (/bin/sh -c).
 */
export function splitCommandWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated ' in: ${text}`);
      word += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      let closed = false;
      while (i < text.length) {
        const d = text[i]!;
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) {
          word += text[i + 1];
          i += 2;
        } else {
          word += d;
          i++;
        }
      }
      if (!closed) throw new Error(`unterminated " in: ${text}`);
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 >= text.length) throw new Error(`a lone \\ ends: ${text}`);
      word += text[i + 1];
      inWord = true;
      i += 2;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** The inverse: words quoted so that splitCommandWords gives them back. */
export function joinCommandWords(words: readonly string[]): string {
  return words.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}
