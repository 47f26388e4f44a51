/**
 * The swarm's own certificate authority. Clients pin its fingerprint (core's fingerprintOf), so
 * server certificates can be reissued for new managers or endpoints without clients changing pins.
 */
import { BACKDATE_MS, EC_SIGN, generateKeyPair, privateKeyToPem, randomSerial, x509 } from './x509.js'

export interface CertificateAndKey {
  /** PEM certificate (for a server certificate: the leaf, then the CA). */
  readonly certPem: string
  /** PEM (PKCS#8) private key. */
  readonly keyPem: string
}

export interface CaOptions {
  readonly commonName: string
  /** Default 20 years: the pin lives as long as the CA, and replacing it means every client re-pins. */
  readonly validDays?: number
}

/** Creates a self-signed ECDSA P-256 CA that can only sign certificates. */
export async function createCa (opts: CaOptions): Promise<CertificateAndKey> {
  const keys = await generateKeyPair()
  const now = Date.now()
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: [{ CN: [opts.commonName] }, { O: ['swarmgate'] }],
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + (opts.validDays ?? 20 * 365) * 86400_000),
    signingAlgorithm: EC_SIGN,
    keys,
    extensions: [
      // pathLength 0: the CA signs server certificates only, never other CAs.
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)
    ]
  })
  return { certPem: cert.toString('pem') + '\n', keyPem: await privateKeyToPem(keys.privateKey) }
}
