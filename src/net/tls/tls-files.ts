import { readFileSync } from 'node:fs';
import { NetError } from '../../errors.js';
import { errorCode } from '../errno.js';

/** Reads a PEM file named by a TLS option; a missing or unreadable file is one clear line. */
export function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = errorCode(err);
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'a directory, not a file'
            : (err as Error).message;
    throw new NetError(`${what} ${path}: ${code}: ${why}`, code || 'EIO');
  }
}
