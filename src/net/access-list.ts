import { lookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { BlockList, isIP } from 'node:net';
import { UsageError } from '../errors.js';
import { type AccessEntry, parseAccessEntry, plainAddress, splitAccessList } from './access-entry.js';

/** Which clients a listener accepts (ncat's --allow, --deny, --allowfile, --denyfile). */
export interface AccessRules {
  allow?: readonly string[];
  deny?: readonly string[];
  allowFiles?: readonly string[];
  denyFiles?: readonly string[];
}

/**
 * ncat's rule: with any allow entry, only clients that match one are accepted; a client that
 * matches a deny entry is refused whatever the allow list says.
 */
export class AccessList {
  constructor(
    private readonly allow: BlockList | undefined,
    private readonly deny: BlockList | undefined,
  ) {}

  /** Why this client is refused, or undefined when it is accepted. */
  refusal(address: string): string | undefined {
    const a = plainAddress(address);
    const type = isIP(a) === 6 ? 'ipv6' : 'ipv4';
    if (this.deny?.check(a, type)) return 'its address is denied (--deny)';
    if (this.allow && !this.allow.check(a, type)) return 'its address is not allowed (--allow)';
    return undefined;
  }
}

export function hasAccessRules(r: AccessRules): boolean {
  return Boolean(r.allow?.length || r.deny?.length || r.allowFiles?.length || r.denyFiles?.length);
}

/** Reads the files, resolves host names, and builds the lists; undefined when there are no rules. */
export async function buildAccessList(r: AccessRules): Promise<AccessList | undefined> {
  if (!hasAccessRules(r)) return undefined;
  const allow = await side(r.allow ?? [], r.allowFiles ?? [], '--allow', '--allowfile');
  const deny = await side(r.deny ?? [], r.denyFiles ?? [], '--deny', '--denyfile');
  return new AccessList(allow, deny);
}

async function side(
  lists: readonly string[],
  files: readonly string[],
  what: string,
  fileWhat: string,
): Promise<BlockList | undefined> {
  const entries: AccessEntry[] = [];
  for (const l of lists) for (const w of splitAccessList(l)) entries.push(parseAccessEntry(w, what));
  for (const f of files) {
    let text: string;
    try {
      text = await readFile(f, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
      throw new UsageError(`${fileWhat} ${f}: ${code}: cannot read the file`);
    }
    for (const w of splitAccessList(text)) entries.push(parseAccessEntry(w, `${fileWhat} ${f}`));
  }
  if (entries.length === 0 && files.length === 0) return undefined;
  const list = new BlockList();
  for (const e of entries) await add(list, e, what);
  return list;
}

async function add(list: BlockList, e: AccessEntry, what: string): Promise<void> {
  const type = (family: 4 | 6) => (family === 6 ? 'ipv6' : 'ipv4');
  switch (e.kind) {
    case 'address':
      list.addAddress(e.address, type(e.family));
      return;
    case 'subnet':
      list.addSubnet(e.network, e.prefix, type(e.family));
      return;
    case 'range':
      list.addRange(e.start, e.end, 'ipv4');
      return;
    case 'host': {
      let found: { address: string; family: number }[];
      try {
        found = await lookup(e.name, { all: true });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'ENOTFOUND';
        throw new UsageError(`${what} ${e.name}: ${code}: no such host`);
      }
      for (const a of found) list.addAddress(plainAddress(a.address), type(a.family === 6 ? 6 : 4));
    }
  }
}
