/**
 * The REPL's commands (design section 3) as one table: the interpreter dispatches on it, /help
 * and Tab completion read it. The same words are the script language.
 */

/** What an argument position completes to. */
export type ArgKind = 'text' | 'hex' | 'file' | 'option' | 'encoding' | 'conn' | 'word' | 'none';

export interface CommandSpec {
  name: string;
  aliases?: readonly string[];
  usage: string;
  summary: string;
  /** Completion for the first argument; `words` lists fixed choices. */
  arg: ArgKind;
  words?: readonly string[];
}

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'send',
    usage: '/send <text>',
    summary: 'send text; escapes \\r \\n \\t \\xNN \\0 (no line end added)',
    arg: 'text',
  },
  {
    name: 'hex',
    usage: '/hex <bytes>',
    summary: 'send bytes: "de ad be ef", "deadbeef", "0xde 0xad"',
    arg: 'hex',
  },
  {
    name: 'pack',
    usage: '/pack <fmt> <values...>',
    summary: 'send a struct: /pack >HI 1 123456',
    arg: 'text',
  },
  { name: 'file', usage: '/file <path>', summary: "send a file's bytes, with progress", arg: 'file' },
  {
    name: 'expect',
    usage: '/expect <pattern> [timeout]',
    summary: 'wait for "text", /regex/, hex:0a0d, eof or frame (default 10s)',
    arg: 'word',
    words: ['eof', 'frame', 'hex:'],
  },
  { name: 'close', usage: '/close', summary: 'close the connection gracefully (FIN)', arg: 'none' },
  {
    name: 'shutdown',
    usage: '/shutdown [write|read]',
    summary: 'half-close: write sends FIN and keeps reading; read stops reading',
    arg: 'word',
    words: ['write', 'read'],
  },
  { name: 'reset', usage: '/reset', summary: 'abort the connection with RST', arg: 'none' },
  {
    name: 'opt',
    usage: '/opt <name> <value>',
    summary: 'set a socket option live: nodelay on, linger 0...',
    arg: 'option',
  },
  {
    name: 'info',
    usage: '/info',
    summary: 'socket options as the kernel reports them, TCP state, queues, RTT',
    arg: 'none',
  },
  { name: 'use', usage: '/use <conn>', summary: 'send to one connection', arg: 'conn' },
  { name: 'all', usage: '/all', summary: 'send to every open connection', arg: 'none' },
  {
    name: 'enc',
    usage: '/enc <name>',
    summary: 'text encoding for display and typing: utf8, gbk, big5...',
    arg: 'encoding',
  },
  {
    name: 'endian',
    usage: '/endian <le|be>',
    summary: 'default byte order for the inspector and /pack',
    arg: 'word',
    words: ['le', 'be'],
  },
  {
    name: 'eol',
    usage: '/eol <lf|crlf|none>',
    summary: 'what a typed line ends with',
    arg: 'word',
    words: ['lf', 'crlf', 'none'],
  },
  {
    name: 'frame',
    usage: '/frame [<spec>|off]',
    summary: 'show framing, or set it: length:u32be, lines, delim:\\r\\n, fixed:16...; off stops it',
    arg: 'word',
    words: ['off'],
  },
  {
    name: 'fault',
    usage: '/fault <spec>|list|off <n>|clear',
    summary: 'fault injection: delay:200ms, fragment:1...',
    arg: 'word',
    words: ['list', 'off', 'clear'],
  },
  {
    name: 'inspect',
    usage: '/inspect [offset] [fmt]',
    summary: 'decode the selected message at an offset, optionally with a struct format',
    arg: 'text',
  },
  {
    name: 'view',
    usage: '/view <hex|text|both>',
    summary: 'how traffic is shown',
    arg: 'word',
    words: ['hex', 'text', 'both'],
  },
  {
    name: 'record',
    usage: '/record <file>|stop',
    summary: 'record the session as a replayable script (sockrepl run <file>); stop finishes it',
    arg: 'file',
  },
  {
    name: 'save',
    usage: '/save <file> [in|out]',
    summary: 'write the traffic shown as a hex transcript, or the raw bytes of one direction',
    arg: 'file',
  },
  { name: 'clear', usage: '/clear', summary: 'clear the traffic view', arg: 'none' },
  { name: 'help', usage: '/help [command]', summary: 'list commands and keys', arg: 'word' },
  {
    name: 'quit',
    aliases: ['exit', 'q'],
    usage: '/quit',
    summary: 'close everything and leave',
    arg: 'none',
  },
];

export function findCommand(name: string): CommandSpec | undefined {
  const n = name.toLowerCase();
  return COMMANDS.find((c) => c.name === n || c.aliases?.includes(n));
}
