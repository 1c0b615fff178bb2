import { UsageError } from '../errors.js';
import { TLS_VERSIONS, type TlsOptions, type TlsVersion } from '../net/tls/tls-options.js';
import type { ConnectionOptions } from './connection-options.js';
import { ALL_COMMANDS } from './general-rows.js';
import type { OptionRow } from './option-types.js';

/**
 * TLS options, named as ncat names them (`--ssl`, `--ssl-verify`, `--ssl-trustfile`, `--ssl-cert`,
 * `--ssl-key`, `--ssl-servername`, `--ssl-alpn`, `--ssl-ciphers`). `--ssl` turns TLS on from the
 * first byte; the others alone only prepare a later STARTTLS, except `--ssl-verify`, which as in
 * ncat implies `--ssl`. Each has an `--upstream-` twin on the proxy (TLS towards the backend).
 */

const tls = (o: Partial<ConnectionOptions>): TlsOptions => {
  o.tls ??= { verify: false };
  return o.tls;
};

const VERSION_WORDS: Record<string, TlsVersion> = {
  '1': 'TLSv1',
  '1.0': 'TLSv1',
  '1.1': 'TLSv1.1',
  '1.2': 'TLSv1.2',
  '1.3': 'TLSv1.3',
};

function parseVersion(value: string, what: string): TlsVersion {
  const v = value.trim();
  const found =
    VERSION_WORDS[v.replace(/^tlsv?/i, '')] ?? TLS_VERSIONS.find((t) => t.toLowerCase() === v.toLowerCase());
  if (!found) throw new UsageError(`${what}: '${value}' is not a TLS version (1.0, 1.1, 1.2 or 1.3)`);
  return found;
}

function parseAlpn(value: string, what: string): string[] {
  const list = value.split(',').map((p) => p.trim());
  if (list.some((p) => p === '' || p.length > 255))
    throw new UsageError(`${what}: '${value}' is not a comma-separated protocol list (h2,http/1.1)`);
  return list;
}

interface TlsRowSpec {
  name: string;
  aliases?: string[];
  value?: string;
  summary: string;
  set(t: TlsOptions, value: string | true, what: string): void;
  get(t: TlsOptions): string | true | undefined;
}

const SPECS: TlsRowSpec[] = [
  {
    name: 'ssl',
    aliases: ['tls'],
    summary: 'TLS: connect as a TLS client, listen as a TLS server (self-signed certificate if none given)',
    set: (t) => {
      t.enabled = true;
    },
    get: (t) => (t.enabled ? true : undefined),
  },
  {
    name: 'ssl-verify',
    summary:
      "check the peer's certificate (client: CA and name; server: require a client certificate); implies --ssl",
    set: (t) => {
      t.enabled = true;
      t.verify = true;
    },
    get: (t) => (t.verify ? true : undefined),
  },
  {
    name: 'ssl-trustfile',
    value: 'file',
    summary: 'PEM file of the CA certificates to trust (instead of the system ones)',
    set: (t, v) => {
      t.trustFile = String(v);
    },
    get: (t) => t.trustFile,
  },
  {
    name: 'ssl-cert',
    value: 'file',
    summary: 'PEM certificate: the server\u2019s own, or a client certificate',
    set: (t, v) => {
      t.certFile = String(v);
    },
    get: (t) => t.certFile,
  },
  {
    name: 'ssl-key',
    value: 'file',
    summary: 'PEM private key of --ssl-cert (default: the --ssl-cert file)',
    set: (t, v) => {
      t.keyFile = String(v);
    },
    get: (t) => t.keyFile,
  },
  {
    name: 'ssl-servername',
    aliases: ['ssl-sni'],
    value: 'name',
    summary: 'SNI name sent, and the name the certificate is checked against (default: the host)',
    set: (t, v) => {
      t.serverName = String(v);
    },
    get: (t) => t.serverName,
  },
  {
    name: 'ssl-alpn',
    value: 'list',
    summary: 'ALPN protocols to offer or accept, e.g. h2,http/1.1',
    set: (t, v, what) => {
      t.alpn = parseAlpn(String(v), what);
    },
    get: (t) => t.alpn?.join(','),
  },
  {
    name: 'ssl-min',
    value: 'version',
    summary: 'lowest TLS version: 1.0, 1.1, 1.2 or 1.3',
    set: (t, v, what) => {
      t.minVersion = parseVersion(String(v), what);
    },
    get: (t) => t.minVersion,
  },
  {
    name: 'ssl-max',
    value: 'version',
    summary: 'highest TLS version: 1.0, 1.1, 1.2 or 1.3',
    set: (t, v, what) => {
      t.maxVersion = parseVersion(String(v), what);
    },
    get: (t) => t.maxVersion,
  },
  {
    name: 'ssl-ciphers',
    value: 'list',
    summary: 'OpenSSL cipher list for TLS 1.2 and below',
    set: (t, v) => {
      t.ciphers = String(v);
    },
    get: (t) => t.ciphers,
  },
  {
    name: 'ssl-keylog',
    value: 'file',
    summary: 'append NSS key log lines for Wireshark (also: the SSLKEYLOGFILE variable)',
    set: (t, v) => {
      t.keylogFile = String(v);
    },
    get: (t) => t.keylogFile,
  },
];

export const TLS_ROWS: readonly OptionRow[] = SPECS.map((spec) => ({
  name: spec.name,
  aliases: spec.aliases,
  takes: spec.value ? ('required' as const) : ('none' as const),
  value: spec.value,
  commands: ALL_COMMANDS,
  line: 'both' as const,
  library: { on: 'both' as const },
  upstream: true,
  tcpOnly: true,
  group: 'tls' as const,
  summary: spec.summary,
  set: (o, value, what) => spec.set(tls(o), value, what),
  get: (o) => (o.tls ? spec.get(o.tls) : undefined),
}));
