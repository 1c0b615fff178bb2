import { nearMatches } from '../codec/near-match.js';
import { isSockreplError, UsageError } from '../errors.js';
import { type BuiltinOptions, builtinCommands } from './builtin-commands.js';
import { parseLine } from './command-line.js';
import type { CommandOutcome } from './command-outcome.js';
import type { CommandEntry, CommandSpec } from './command-spec.js';
import { BUILTIN_COMMANDS } from './command-table.js';
import type { Session } from './session.js';
import { EOL_BYTES } from './settings.js';
import { textCodec } from './text-port.js';

export { EXPECT_FAILED_EXIT, formatRate } from './builtin-commands.js';
export type { CommandOutcome } from './command-outcome.js';

/**
 * The command interpreter: one typed line in, its effect on the session and an outcome out. The
 * screen, `--json` and scripts all run commands through here; it never touches a terminal. It
 * keeps a registry of commands: its own, and those registered by whoever composes the session
 * (/fault, /record) and by plugins, all dispatched, listed by /help and completed the same way.
 */

export interface InterpreterOptions extends BuiltinOptions {
  /** Lines /help adds after the commands (the screen's keys). */
  helpFooter?: readonly string[];
}

export class Interpreter {
  private readonly entries: CommandEntry[] = [];
  private readonly byName = new Map<string, CommandEntry>();

  constructor(
    readonly session: Session,
    private readonly options: InterpreterOptions = {},
  ) {
    const runs = builtinCommands(session, options, (topic) => this.help(topic));
    for (const spec of BUILTIN_COMMANDS) this.register({ spec, run: runs[spec.name]! });
  }

  /** Adds a command; its name and aliases must be new. */
  register(entry: CommandEntry): void {
    for (const name of [entry.spec.name, ...(entry.spec.aliases ?? [])]) {
      const taken = this.byName.get(name.toLowerCase());
      if (taken) {
        const by = entry.spec.plugin ? `plugin '${entry.spec.plugin}': ` : '';
        throw new UsageError(`${by}command /${name} exists already (${taken.spec.usage})`);
      }
    }
    this.entries.push(entry);
    for (const name of [entry.spec.name, ...(entry.spec.aliases ?? [])])
      this.byName.set(name.toLowerCase(), entry);
  }

  /** Every command, in the order /help lists them. */
  get commands(): readonly CommandSpec[] {
    return this.entries.map((e) => e.spec);
  }

  find(name: string): CommandSpec | undefined {
    return this.byName.get(name.toLowerCase())?.spec;
  }

  /** Runs one line. Never throws for a user's mistake or a network failure: those are outcomes. */
  async execute(line: string, signal?: AbortSignal): Promise<CommandOutcome> {
    let command = '';
    try {
      const parsed = parseLine(line);
      if (parsed.kind === 'empty') return { command: '', ok: true, lines: [] };
      if (parsed.kind === 'text') {
        command = 'text';
        await this.sendText(parsed.text);
        return { command, ok: true, lines: [] };
      }
      const entry = this.byName.get(parsed.name.toLowerCase());
      if (!entry) throw new UsageError(this.unknownCommand(parsed.name));
      command = entry.spec.name;
      const result = (await entry.run(parsed.rest, signal)) ?? {};
      return { command, ok: true, lines: [], ...result };
    } catch (err) {
      if (!isSockreplError(err)) throw err;
      return {
        command,
        ok: false,
        lines: [err.message],
        error: { code: err.code, message: err.message, exitCode: err.exitCode },
      };
    }
  }

  /** A typed line: the text in the session encoding, plus the end of line. */
  async sendText(text: string): Promise<void> {
    const { encoding, eol } = this.session.settings;
    await this.session.send(textCodec(encoding).encode(text + EOL_BYTES[eol]));
  }

  /** /help: every command, or one. */
  help(topic: string): string[] {
    if (topic) {
      const spec = this.find(topic.replace(/^\//, ''));
      if (!spec) throw new UsageError(this.unknownCommand(topic.replace(/^\//, '')));
      return [`${spec.usage}  ${spec.summary}`];
    }
    const width = Math.max(...this.entries.map((e) => e.spec.usage.length));
    const line = (s: CommandSpec) => `${s.usage.padEnd(width)}  ${s.summary}`;
    const own = this.entries.filter((e) => !e.spec.plugin).map((e) => line(e.spec));
    const plugged = this.entries
      .filter((e) => e.spec.plugin)
      .map((e) => `${line(e.spec)}  [${e.spec.plugin}]`);
    return [
      'a line not starting with / is sent as text; //x sends /x',
      ...own,
      ...(plugged.length ? ['plugin commands:', ...plugged] : []),
      ...(this.options.helpFooter ?? []),
    ];
  }

  private unknownCommand(name: string): string {
    const names = this.entries.map((e) => e.spec.name);
    const close = [
      ...new Set([...names.filter((n) => n.startsWith(name.slice(0, 2))), ...nearMatches(name, names, 2)]),
    ].map((n) => `/${n}`);
    return `unknown command /${name}${close.length ? ` (did you mean ${close.join(', ')}?)` : ''}; /help lists them; //text sends a line starting with /`;
  }
}
