import { nearMatches } from '../codec/near-match.js';
import { UsageError } from '../errors.js';
import type { Channel } from '../net/channel.js';
import type { TlsInfo } from '../net/tls/tls-info.js';
import { defaultConnectionOptions } from '../options/connection-options.js';
import { TLS_ROWS } from '../options/tls-rows.js';

/**
 * `/starttls ssl-verify ssl-servername=mail.example.com`: the TLS option words (as on a script's
 * connect line) for this one upgrade, over the settings the connection was opened with.
 */
export async function startTlsWords(channel: Channel, words: readonly string[]): Promise<TlsInfo> {
  if (!channel.startTls) throw new UsageError(`starttls: a ${channel.proto} connection cannot carry TLS`);
  const o = defaultConnectionOptions();
  for (const word of words) {
    const [name = '', ...rest] = word.split('=');
    const value = rest.length > 0 ? rest.join('=') : undefined;
    const row = TLS_ROWS.find((r) => r.name === name || r.aliases?.includes(name));
    if (!row || row.name === 'ssl') {
      const names = TLS_ROWS.filter((r) => r.name !== 'ssl').map((r) => r.name);
      const [near] = nearMatches(name, names, 1);
      throw new UsageError(
        `starttls: unknown word '${name}'${near ? `; did you mean '${near}'?` : ''} (known: ${names.join(', ')})`,
      );
    }
    if (row.takes === 'required' && value === undefined)
      throw new UsageError(`starttls: '${row.name}' needs a value, as in ${row.name}=${row.value}`);
    row.set(o, value ?? true, row.name);
  }
  // Only what the words say: `verify: false` from the defaults must not undo the opening options.
  const { enabled: _, verify, ...given } = o.tls ?? {};
  return channel.startTls(verify ? { ...given, verify } : given);
}
