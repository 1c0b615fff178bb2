/**
 * The sockrepl library: the API a TypeScript script run by `sockrepl run` gets, and what a
 * project imports in its own tests (`import { connect } from 'sockrepl'`). This is the package's
 * one public barrel; everything else is internal.
 *
 * ```ts
 * import { connect, pack } from 'sockrepl';
 * const c = await connect('127.0.0.1', 8888, { nodelay: true, timeout: '5s' });
 * await c.sendLine('LOGIN alice');
 * const m = await c.expect(/^OK (\d+)/);
 * await c.send(pack('>HI', 2, Number(m[1])));
 * await c.close();
 * ```
 */

// ---- connections (pwntools' tubes) --------------------------------------------------------------

export type { ConnectOptions, ListenOptions, LogOptions, SocketOptions, TlsKeys } from './modes/library.js';
/** Open a TCP connection (`udp: true` for UDP) and get its tube; `udp()` is the UDP shorthand. */
/** Listen on a port; clients arrive as tubes from `accept()` or `for await`. */
export { connect, listen, TubeListener, udp } from './modes/library.js';
export type { LogOption } from './modes/library-log.js';
export type { SpawnOptions } from './modes/library-spawn.js';
/** A local program as a tube (pwntools' process()): `exitCode`, `signal`, `wait()`, `kill()`. */
export { ProgramTube, spawn } from './modes/library-spawn.js';
/** The channel under a tube, its endpoints and statistics. */
export type { Channel, ChannelStats, CloseReason, Direction, Endpoint, Protocol } from './net/channel.js';
export type { ProgramExit } from './net/program.js';
/** Socket option values as `tube.info().options` reports them. */
export type { SocketOptionValues } from './net/socket-options.js';
export type { TlsInfo } from './net/tls/tls-info.js';
export type { TlsOptions } from './net/tls/tls-options.js';
/** What expect and recvUntil wait for: text, a RegExp, bytes, `'eof'`, or a custom condition. */
export type { CustomMatch, CustomPattern, Pattern, PatternKind } from './tube/matchers.js';
/** The receive buffer a custom pattern searches. */
export type { BufferMatch, ReceiveBuffer } from './tube/receive-buffer.js';
/** Where a traffic log goes: a file path, process.stderr, or any writable stream. */
export type { TrafficLogTarget } from './tube/traffic-log.js';
export type {
  CallOptions,
  ExpectMatch,
  InteractiveOptions,
  Timeout,
  TubeInfo,
  TubeOptions,
} from './tube/tube.js';
/**
 * A connection: `send`, `sendLine`, `sendAfter`, `recv`, `recvExactly`, `recvUntil`, `recvLine`,
 * `recvAll`, `recvRepeat`, `canRecv`, `clean`, `expect`, `expectAny`, `unget`, `withTimeout`,
 * `interactive` (the screen on a terminal, else stdin/stdout), `close`
 * (also `await using`), `shutdown`, `reset`,
 * `setOption`, `info`. Every receive takes a whole-call timeout; a match consumes input only up
 * to its end.
 */
export { Tube, timeoutMs } from './tube/tube.js';

// ---- errors -------------------------------------------------------------------------------------

export type { ExitCode } from './errors.js';
/** Every error sockrepl throws on purpose: a stable `code` and the CLI's `exitCode`. */
export { EXIT, NetError, SockreplError, UsageError } from './errors.js';
/** A failed expectation (exit 3): `expected`, and the bytes `received` and not consumed. */
export { EofError, ExpectError, TimeoutError } from './tube/errors.js';

// ---- bytes: struct, hex, text -------------------------------------------------------------------

/** Bytes as a script writes them: `"OK\r\n"` when text, `hex:"de ad"` when not. */
export { bytesLiteral, hexLiteral, quoteText } from './codec/bytes-literal.js';
export type { HexDumpOptions } from './codec/hexdump.js';
/** `hexdump(bytes)` in the layout of `hexdump -C`, with a text column in any encoding. */
export { hexdump } from './codec/hexdump.js';
/** `fromHex('de ad be ef')` → bytes; `toHex(bytes, ' ')` → `de ad be ef`. */
export { formatHex as toHex, parseHex as fromHex } from './codec/input.js';
export type { Endian, PackArgs, StructValue, Unpacked } from './codec/struct.js';
/** Python-`struct`-style packing: `pack('>HI', 1, 2)`, `unpack('<I3sf', bytes)`, `calcsize('>HI')`. */
export {
  calcsize,
  compile,
  iterUnpack,
  pack,
  Struct,
  StructError,
  unpack,
  unpackFrom,
} from './codec/struct.js';
/** Text in any encoding iconv-lite knows (GBK, Shift_JIS, UTF-16LE...), and the list of them. */
export { decodeText, encodeText, listEncodings } from './codec/text.js';

// ---- --json events ------------------------------------------------------------------------------

/**
 * The lines `--json` prints, typed; the same contract as the JSON Schema shipped as
 * `sockrepl/events.schema.json`. Every line carries `v: JSON_EVENTS_VERSION`.
 */
export type {
  JsonAddress,
  JsonBytes,
  JsonCloseEvent,
  JsonDataEvent,
  JsonDoneEvent,
  JsonEofEvent,
  JsonErrorEvent,
  JsonEvent,
  JsonEventType,
  JsonExitEvent,
  JsonExpectEvent,
  JsonExpectFailedEvent,
  JsonExpectStepEvent,
  JsonFaultEvent,
  JsonListeningEvent,
  JsonNoticeEvent,
  JsonOpenEvent,
  JsonOutputEvent,
  JsonProgressEvent,
  JsonResultEvent,
  JsonStateEvent,
  JsonStepEvent,
  JsonTls,
  JsonTlsEvent,
} from './json/json-event-types.js';
export { JSON_EVENTS_VERSION } from './json/json-event-types.js';

// ---- plugins ------------------------------------------------------------------------------------

/** Type a plugin, a framer or a fault definition (design section 5). */
export { defineFault, defineFramer, definePlugin } from './plugin/define-plugin.js';
/** A framer's stream could not be cut into frames; a plugin's own code threw. */
export { FrameError, PluginError } from './plugin/errors.js';
export type {
  CommandContext,
  CommandDefinition,
  DecoderRow,
  FaultContext,
  FaultDefinition,
  FaultTransform,
  Frame,
  Framer,
  FramerDefinition,
  OptionRow,
  OptionsOf,
  Plugin,
} from './plugin/types.js';

// ---- scripts ------------------------------------------------------------------------------------

/** In a TypeScript script run by `sockrepl run`, the `--var NAME=value` pairs. */
export { scriptVars } from './script/script-context.js';
