/**
 * Server certificates for server-proxy, issued by the swarm's CA. The SANs name every address a
 * client may dial (managers' addresses, --endpoint values); localhost and 127.0.0.1 are always in,
 * so a client on a manager itself and the image's health check can connect too.
 */
import { isIP } from 'node:net'
import type { CertificateAndKey } from './ca.js'
import { BACKDATE_MS, EC_SIGN, generateKeyPair, privateKeyFromPem, privateKeyToPem, randomSerial, x509 } from './x509.js'

export interface ServerCertOptions {
  /** IP addresses and DNS names the certificate is valid for. */
  readonly sans: readonly string[]
  /** Default 825 days, the longest lifetime common TLS clients accept for a server certificate. */
  readonly validDays?: number
}

const ALWAYS = ['localhost', '127.0.0.1']

/** The SANs a certificate for `sans` carries: deduplicated, lower case, with the loopback names. */
export function serverSans (sans: readonly string[]): string[] {
  const out = new Set<string>()
  for (const raw of [...ALWAYS, ...sans]) {
    // An IPv6 endpoint may come bracketed from a host:port string.
    const name = raw.trim().replace(/^\[(.*)\]$/, '$1').toLowerCase()
    if (name !== '') out.add(name)
  }
  return [...out]
}

/** Issues an ECDSA P-256 server certificate signed by `ca`; certPem holds the leaf, then the CA. */
export async function createServerCert (ca: CertificateAndKey, opts: ServerCertOptions): Promise<CertificateAndKey> {
  const caCert = new x509.X509Certificate(ca.certPem)
  if (caCert.getExtension(x509.BasicConstraintsExtension)?.ca !== true) throw new TypeError(`${caCert.subject} is not a CA certificate`)
  const caKey = await privateKeyFromPem(ca.keyPem)
  const keys = await generateKeyPair()
  const sans = serverSans(opts.sans)
  const now = Date.now()
  const notAfter = Math.min(now + (opts.validDays ?? 825) * 86400_000, caCert.notAfter.getTime())
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: [{ CN: [sans.find((s) => !ALWAYS.includes(s)) ?? 'localhost'] }, { O: ['swarmgate'] }],
    issuer: caCert.subject,
    notBefore: new Date(Math.max(now - BACKDATE_MS, caCert.notBefore.getTime())),
    notAfter: new Date(notAfter),
    signingAlgorithm: EC_SIGN,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(sans.map((s) => ({ type: isIP(s) === 0 ? 'dns' : 'ip', value: s }))),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey)
    ]
  })
  return {
    certPem: cert.toString('pem') + '\n' + caCert.toString('pem') + '\n',
    keyPem: await privateKeyToPem(keys.privateKey)
  }
}

/** The SANs a PEM server certificate carries (the first certificate of the chain). */
export function sansOf (certPem: string): string[] {
  const cert = new x509.X509Certificate(certPem)
  const ext = cert.getExtension(x509.SubjectAlternativeNameExtension)
  return ext === null ? [] : ext.names.items.map((n) => n.value.toLowerCase())
}
