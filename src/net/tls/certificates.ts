import { createHash, randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';

type KeyPair = webcrypto.CryptoKeyPair;

/**
 * X.509 certificates made in memory (ECDSA P-256, SHA-256) with @peculiar/x509 over Node's own
 * WebCrypto: the self-signed certificate `listen --ssl` uses when given none, and the CAs and
 * leaves the tests make (so no checked-in file ever expires). Loaded only when needed.
 */

export interface CertificateRequest {
  /** The subject's common name. */
  commonName: string;
  /** DNS names and IP addresses the certificate is for (subjectAltName). */
  altNames?: string[];
  /** Sign with this CA; self-signed when absent. */
  issuer?: Certificate;
  /** May sign other certificates. */
  ca?: boolean;
  notBefore?: Date;
  notAfter?: Date;
}

export interface Certificate {
  certPem: string;
  keyPem: string;
  /** SHA-256 of the DER certificate, colon-separated upper-case hex as Node and openssl print it. */
  fingerprint256: string;
  /** Kept for signing certificates under this one. */
  readonly keys: KeyPair;
  readonly subject: string;
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 24 * 60 * 60 * 1000;

export async function makeCertificate(request: CertificateRequest): Promise<Certificate> {
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as KeyPair;
  const subject = `CN=${request.commonName.replace(/[,=+<>#;"\\]/g, '\\$&')}`;
  const notBefore = request.notBefore ?? new Date(Date.now() - DAY);
  const notAfter = request.notAfter ?? new Date(Date.now() + 365 * DAY);
  const extensions: InstanceType<typeof x509.Extension>[] = [
    new x509.BasicConstraintsExtension(Boolean(request.ca), undefined, true),
    new x509.KeyUsagesExtension(
      request.ca
        ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature
        : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  if (request.issuer)
    extensions.push(await x509.AuthorityKeyIdentifierExtension.create(request.issuer.keys.publicKey));
  if (request.altNames?.length) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension(
        request.altNames.map((n) => ({ type: isIP(n) ? ('ip' as const) : ('dns' as const), value: n })),
      ),
    );
  }
  if (!request.ca) {
    extensions.push(
      new x509.ExtendedKeyUsageExtension([
        x509.ExtendedKeyUsage.serverAuth,
        x509.ExtendedKeyUsage.clientAuth,
      ]),
    );
  }
  // A positive serial: the top bit clear.
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial.toString('hex'),
    subject,
    issuer: request.issuer?.subject ?? subject,
    notBefore,
    notAfter,
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: request.issuer?.keys.privateKey ?? keys.privateKey,
    extensions,
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return {
    certPem: cert.toString('pem'),
    keyPem: toPem(pkcs8, 'PRIVATE KEY'),
    fingerprint256: fingerprint(Buffer.from(cert.rawData)),
    keys,
    subject,
  };
}

/** The certificate `listen --ssl` makes when given none: for localhost and the loopback addresses. */
export function selfSignedCertificate(hostName?: string): Promise<Certificate> {
  const names = ['localhost', '127.0.0.1', '::1'];
  if (hostName && !names.includes(hostName) && hostName !== '0.0.0.0' && hostName !== '::')
    names.unshift(hostName);
  return makeCertificate({ commonName: names[0]!, altNames: names });
}

function toPem(der: Buffer, label: string): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export function fingerprint(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)!.join(':');
}
