/** `in`: received from the peer; `out`: sent to it (the same words as a channel's). */
export type Direction = 'in' | 'out';
/** `exec`: the peer is a local program; `unix`: a unix domain stream socket (byte streams, like tcp). */
export type Protocol = 'tcp' | 'udp' | 'exec' | 'unix';

/**
 * The plugin contract (design section 5). A plugin is a plain object with a required `name` and
 * any of `framers`, `faults`, `commands`, `decoders`. Built-in plugins in `plugins/` use exactly
 * these types and nothing else, so anything they do a user's plugin can do too.
 */

// ---------------------------------------------------------------------------------------------
// Option schemas: how `--frame`, `--fault` and `/frame` specs are parsed (see spec.ts).
// A spec is `name[:positional][,option[=value]]...`, e.g. `length:u32be,include-header`.
// ---------------------------------------------------------------------------------------------

interface OptionRowBase {
  /** The property name in the parsed options object (camelCase). */
  key: string;
  /** How the option is spelled in a spec; defaults to `key` in kebab-case (`includeHeader` → `include-header`). */
  name?: string;
  /** One line for `sockrepl plugins`. */
  summary: string;
  /** The spec is rejected when the option is missing. */
  required?: boolean;
  /** Placeholder shown in help, e.g. `<bytes>`; each kind has a sensible one. */
  hint?: string;
}

/** `include-header` → true; also `include-header=false`, `no-include-header`. Always present (default false). */
export interface FlagRow extends OptionRowBase {
  kind: 'flag';
  default?: boolean;
}

/**
 * Numbers: `int` (whole number, may be negative), `size` (`64k`, `16m`: bytes), `duration` (`500ms`, `2s`:
 * milliseconds; a bare number is seconds as in nc), `probability` (`0.01` or `1%`: 0..1).
 */
export interface NumberRow extends OptionRowBase {
  kind: 'int' | 'size' | 'duration' | 'probability';
  default?: number;
  min?: number;
  max?: number;
}

/** Bytes with escapes: `\r \n \t \0 \xNN \\ \,` (a bare comma would end the option). */
export interface BytesRow extends OptionRowBase {
  kind: 'bytes';
  default?: Uint8Array;
  /** Fewest bytes accepted, e.g. 1 for a delimiter. */
  minLength?: number;
  maxLength?: number;
}

export interface StringRow extends OptionRowBase {
  kind: 'string';
  default?: string;
}

/**
 * One of a fixed set of words. `values` is a list of words (the value is the word) or a table
 * from word to value (`{ u8: 1, u16: 2 }`: the value is the number).
 */
export interface EnumRow extends OptionRowBase {
  kind: 'enum';
  values: readonly string[] | Readonly<Record<string, unknown>>;
  /** The parsed value (a word of the list, or a value of the table). */
  default?: unknown;
}

/** Anything else: `parse` turns the text into the value or throws a UsageError saying why not. */
export interface CustomRow extends OptionRowBase {
  kind: 'custom';
  hint: string;
  parse(text: string): unknown;
  default?: unknown;
}

export type OptionRow = FlagRow | NumberRow | BytesRow | StringRow | EnumRow | CustomRow;
export type OptionKind = OptionRow['kind'];

/**
 * What may follow the colon: the `key` of the row it fills (`fixed:16` fills `size`), or a splitter
 * for a compound shorthand that fills several rows (`length:u32be` → `width=u32`, `endian=be`).
 * `expand` returns the raw text per row key, or undefined when the text is not of that form.
 */
export type Positional =
  | string
  | { hint: string; summary: string; expand(text: string): Readonly<Record<string, string>> | undefined };

/** What `--frame` / `--fault` parsing needs from a definition; framers and faults both have it. */
export interface SpecSchema {
  /** One line for `sockrepl plugins`. */
  summary: string;
  options?: readonly OptionRow[];
  positional?: Positional;
}

/** Parsed options, before a definition's own type is applied. */
export type ParsedOptions = Record<string, unknown>;

type RowValue<R> = R extends { kind: 'flag' }
  ? boolean
  : R extends { kind: 'int' | 'size' | 'duration' | 'probability' }
    ? number
    : R extends { kind: 'bytes' }
      ? Uint8Array
      : R extends { kind: 'string' }
        ? string
        : R extends { kind: 'enum'; values: readonly (infer W extends string)[] }
          ? W
          : R extends { kind: 'enum'; values: Readonly<Record<string, infer V>> }
            ? V
            : R extends { kind: 'custom'; parse(text: string): infer V }
              ? V
              : never;

type AlwaysSet<R> = R extends { kind: 'flag' } | { default: unknown } | { required: true } ? R : never;
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/**
 * The options object a schema produces: flags, required rows and rows with a default are always
 * set; the rest may be undefined. `defineFramer` uses it so `create` gets typed options.
 */
export type OptionsOf<Rows extends readonly OptionRow[]> = Simplify<
  { [R in AlwaysSet<Rows[number]> as R['key']]: RowValue<R> } & {
    [R in Exclude<Rows[number], AlwaysSet<Rows[number]>> as R['key']]?: RowValue<R>;
  }
>;

// ---------------------------------------------------------------------------------------------
// Framers: byte stream ⇄ messages. Pure and stateful: one instance per connection and direction.
// ---------------------------------------------------------------------------------------------

export interface Frame {
  /**
   * The message without its framing (the length prefix, the delimiter...). `--json` shows it as
   * `payload` and `payloadText`; a framer with nothing to strip gives the whole frame.
   */
  payload: Uint8Array;
  /** The whole frame as it was on the wire, framing included. */
  bytes: Uint8Array;
  /**
   * Where the payload starts in `bytes` (the inspector's `/inspect payload` counts offsets from
   * there). Optional: when absent it is found from the payload itself (a view into `bytes`, or
   * the same bytes found in it); a payload that is not in `bytes` (an unescaped one) has none.
   */
  payloadOffset?: number;
  /**
   * The header fields the framing carries, as a plain JSON-able object: `{ length: 5 }` for a
   * length prefix (the field's value as sent), json-header's parsed JSON header. `--json` shows
   * it as `header`.
   */
  header?: unknown;
}

export interface Framer {
  /**
   * Takes the next chunk of the stream, returns the frames it completes (possibly none). Keeps
   * partial frames until more bytes arrive. Throws a FrameError when the stream cannot be a
   * sequence of frames (a frame over the size limit, a malformed header).
   */
  decode(chunk: Uint8Array): Frame[];
  /** Wraps one payload in its framing, ready to send. Throws a FrameError when it cannot be framed. */
  encode(payload: Uint8Array): Uint8Array;
  /**
   * At end of stream: frames made of what is left (lines without a final newline). Framers whose
   * frames cannot be cut short throw a FrameError carrying the leftover bytes instead.
   */
  flush?(): Frame[];
}

export interface FramerDefinition<O = ParsedOptions> extends SpecSchema {
  /** Makes one framer from parsed options; may throw a UsageError for options that do not fit together. */
  create(options: O): Framer;
}

// ---------------------------------------------------------------------------------------------
// Faults: the contract the fault-injection pipeline implements against. A fault instance sits
// on one connection and sees every chunk of the directions it is configured for.
// ---------------------------------------------------------------------------------------------

export interface FaultContext {
  readonly proto: Protocol;
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Uniform in [0, 1), seeded by `--seed` so a run can be repeated. */
  random(): number;
  /** A timer that is cancelled when the connection closes; returns its cancel function. */
  setTimer(ms: number, fn: () => void): () => void;
  /** Passes bytes on towards their destination, now or later (delay, throttle). */
  forward(dir: Direction, chunk: Uint8Array): void;
  /** Abortive close: RST. */
  reset(): void;
  /** Half-close: 'write' sends FIN; 'read' stops reading. */
  shutdown(how: 'write' | 'read'): void;
  /** Stop / start reading from the kernel, so the peer's writes block once buffers fill. */
  pauseReading(): void;
  resumeReading(): void;
  /** A line for the traffic view / --verbose. */
  log(message: string): void;
}

export interface FaultTransform {
  onOpen?(ctx: FaultContext): void;
  /**
   * One chunk travelling in `dir`. Bytes go on only through `ctx.forward` (at once, later, split,
   * altered); a chunk never forwarded is dropped. Without `onData`, chunks pass unchanged.
   */
  onData?(dir: Direction, chunk: Uint8Array, ctx: FaultContext): void;
  onClose?(ctx: FaultContext): void;
}

export interface FaultDefinition<O = ParsedOptions> extends SpecSchema {
  create(options: O, ctx: FaultContext): FaultTransform;
}

// ---------------------------------------------------------------------------------------------
// Commands and inspector rows.
// ---------------------------------------------------------------------------------------------

/**
 * What a plugin command gets to act on the session: the target connection(s), the session's
 * text settings, a way to say things, and a signal that aborts when the user cancels (Ctrl-C) or
 * the script stops. The session implements it; plugins see only this.
 */
export interface CommandContext {
  /** Sends bytes, or text in the session's encoding, to the target connection(s); framed when framing is on. */
  send(data: Uint8Array | string): Promise<void>;
  /**
   * Waits on the target connection for text, a RegExp, bytes or `'eof'`, consuming up to the end of
   * the match; rejects with the expectation's error (timeout, EOF) when it does not come.
   */
  expect(
    pattern: string | RegExp | Uint8Array,
    timeout?: number | string,
  ): Promise<{ text: string; bytes: Uint8Array; groups: string[] }>;
  /** A line of output: shown at the prompt, in `--json` results and in a script's transcript. */
  print(line: string): void;
  readonly encoding: string;
  readonly endian: 'le' | 'be';
  /** The target connection, when exactly one is; undefined when none is open. */
  readonly connection: { id: number; proto: Protocol; local: string; remote: string } | undefined;
  readonly signal: AbortSignal;
}

/** What a plugin command returns: nothing, or lines to show. */
// biome-ignore lint/suspicious/noConfusingVoidType: void lets a plugin write `run() { ... }` with no return.
export type CommandResult = void | string | string[];

export interface CommandDefinition {
  summary: string;
  /** e.g. `/ping [count]`. */
  usage: string;
  /**
   * Runs the command with the words after its name (quotes removed). What it returns (a line or
   * lines) is shown like `print`. A UsageError or PluginError it throws is a clear one-line
   * failure; anything else disables the plugin with a message, and the session goes on.
   */
  run(args: string[], ctx: CommandContext): CommandResult | Promise<CommandResult>;
}

/** An extra inspector row (ImHex style): decodes `size` bytes at the selected offset. */
export interface DecoderRow {
  name: string;
  /** Bytes the row reads; the inspector passes fewer at the end of a message. */
  size: number;
  decode(bytes: Uint8Array, endian: 'le' | 'be'): string;
}

export interface Plugin {
  /** Unique among loaded plugins; also qualifies names (`framing/lines`). */
  name: string;
  framers?: Readonly<Record<string, FramerDefinition>>;
  faults?: Readonly<Record<string, FaultDefinition>>;
  commands?: Readonly<Record<string, CommandDefinition>>;
  decoders?: readonly DecoderRow[];
}
