import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** Prompt history kept across runs: `$XDG_STATE_HOME/sockrepl/history` or `~/.local/state/sockrepl/history`. */

export const MAX_HISTORY = 1000;

export function historyPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(base, 'sockrepl', 'history');
}

export function loadHistory(path = historyPath()): string[] {
  try {
    const lines = readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    if (lines.length > MAX_HISTORY * 2) {
      // Keep the file from growing without end: rewrite it with the newest lines.
      const kept = lines.slice(-MAX_HISTORY);
      writeFileSync(path, `${kept.join('\n')}\n`);
      return kept;
    }
    return lines.slice(-MAX_HISTORY);
  } catch {
    return [];
  }
}

/** Appends one line; failures (read-only home) are ignored: history is a convenience. */
export function appendHistory(line: string, path = historyPath()): void {
  if (line.trim() === '' || line.includes('\n')) return;
  try {
    mkdirSync(dirname(path), { recursive: true });
    appendFileSync(path, `${line}\n`, { mode: 0o600 });
  } catch {
    // Nothing to do: the session goes on without saving history.
  }
}
