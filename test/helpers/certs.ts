import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Certificate, makeCertificate } from '../../src/net/tls/certificates.js';

/**
 * Certificates made at test time (never checked-in files that expire): a CA, a server leaf for
 * localhost/127.0.0.1 it signed, a client leaf, an expired leaf, and a leaf of another CA nobody
 * trusts. Each written as PEM files in a fresh directory.
 */
export interface TestPki {
  dir: string;
  ca: Files;
  server: Files;
  client: Files;
  expired: Files;
  stranger: Files;
  remove(): void;
}

export interface Files {
  cert: string;
  key: string;
  fingerprint256: string;
}

const DAY = 86_400_000;

export async function makeTestPki(): Promise<TestPki> {
  const dir = mkdtempSync(join(tmpdir(), 'sockrepl-pki-'));
  const write = (name: string, c: Certificate): Files => {
    const cert = join(dir, `${name}.crt`);
    const key = join(dir, `${name}.key`);
    writeFileSync(cert, c.certPem);
    writeFileSync(key, c.keyPem);
    return { cert, key, fingerprint256: c.fingerprint256 };
  };
  const ca = await makeCertificate({ commonName: 'sockrepl test CA', ca: true });
  const otherCa = await makeCertificate({ commonName: 'untrusted CA', ca: true });
  const names = ['localhost', '127.0.0.1'];
  const server = await makeCertificate({ commonName: 'localhost', altNames: names, issuer: ca });
  const client = await makeCertificate({ commonName: 'test client', issuer: ca });
  const expired = await makeCertificate({
    commonName: 'localhost',
    altNames: names,
    issuer: ca,
    notBefore: new Date(Date.now() - 30 * DAY),
    notAfter: new Date(Date.now() - 2 * DAY),
  });
  const stranger = await makeCertificate({ commonName: 'localhost', altNames: names, issuer: otherCa });
  return {
    dir,
    ca: write('ca', ca),
    server: write('server', server),
    client: write('client', client),
    expired: write('expired', expired),
    stranger: write('stranger', stranger),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
