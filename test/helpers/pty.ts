import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as pty from '@lydell/node-pty';

/**
 * Runs a program in a pseudo-terminal and reads the screen back through a headless xterm, as a
 * person would see it (ink's own test/helpers/term.ts does the same). Every wait is bounded.
 */

// @xterm/headless is CommonJS without a default export for ESM; load it the CommonJS way.
const { Terminal } = createRequire(import.meta.url)('@xterm/headless') as typeof import('@xterm/headless');

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Screen {
  /** The visible screen as lines (trailing spaces trimmed). */
  text(): string;
  type(keys: string): void;
  /** Waits until the screen matches; throws with the screen in the message after timeoutMs. */
  waitFor(pattern: RegExp | string, timeoutMs?: number): Promise<void>;
  exited: Promise<number>;
  kill(): void;
}

/** The command line that opens the interactive screen of the real CLI. */
export function tuiCommand(args: string[]): string[] {
  return [join(ROOT, 'bin', 'sockrepl.js'), '--tui', ...args];
}

export function spawnScreen(
  args: string[],
  options: { cols?: number; rows?: number; env?: Record<string, string> } = {},
): Screen {
  const cols = options.cols ?? 100;
  const rows = options.rows ?? 30;
  const term = new Terminal({ cols, rows, allowProposedApi: true });
  const child = pty.spawn(process.execPath, args, {
    name: 'xterm-256color',
    cols,
    rows,
    cwd: ROOT,
    env: { ...process.env, FORCE_COLOR: '0', ...options.env } as Record<string, string>,
  });
  child.onData((d) => term.write(d));
  const exited = new Promise<number>((resolve) => child.onExit((e) => resolve(e.exitCode)));
  const text = () => {
    const buf = term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < rows; i++) lines.push(buf.getLine(buf.viewportY + i)?.translateToString(true) ?? '');
    return lines.join('\n');
  };
  return {
    text,
    type: (keys) => child.write(keys),
    async waitFor(pattern, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      const test = (s: string) => (typeof pattern === 'string' ? s.includes(pattern) : pattern.test(s));
      while (!test(text())) {
        if (Date.now() > deadline)
          throw new Error(`screen never showed ${String(pattern)}; it shows:\n${text()}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    exited,
    kill: () => {
      try {
        child.kill();
      } catch {
        // Already gone.
      }
    },
  };
}

/** Types a line key by key (as a person does), then Enter. */
export async function typeLine(screen: Screen, line: string): Promise<void> {
  screen.type(line);
  await new Promise((r) => setTimeout(r, 30));
  screen.type('\r');
}
