/** What one command line did: the interpreter's answer to the screen, `--json` and scripts. */
export interface CommandOutcome {
  /** The command's name; 'text' for a typed line, '' for an empty one. */
  command: string;
  ok: boolean;
  /** What to show the user, one entry per line. */
  lines: string[];
  /** Set when ok is false: a stable code, a one-line message and the exit code it maps to. */
  error?: { code: string; message: string; exitCode: number };
  /** Structured result for machine views (/info, /expect, /inspect...). */
  data?: unknown;
  /** /quit was asked. */
  quit?: boolean;
  /** /clear was asked: views drop what they show. */
  clear?: boolean;
}
