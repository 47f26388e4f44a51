/**
 * The one place that wires @peculiar/x509 to Node's WebCrypto and converts keys to and from PEM,
 * so ca.ts and server-cert.ts only describe certificates.
 */
import { webcrypto } from 'node:crypto'
import * as x509 from '@peculiar/x509'

type CryptoKey = webcrypto.CryptoKey
type CryptoKeyPair = webcrypto.CryptoKeyPair

x509.cryptoProvider.set(webcrypto)

export { x509 }

/** ECDSA on P-256 with SHA-256: small keys that every TLS stack and the docker CLI accept. */
export const EC_KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const
export const EC_SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const

/** Tolerates clocks of other machines that run a little behind the one that issued the certificate. */
export const BACKDATE_MS = 60 * 60 * 1000

/** A new P-256 key pair, extractable so the private key can be written into a swarm secret. */
export async function generateKeyPair (): Promise<CryptoKeyPair> {
  return await webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']) as CryptoKeyPair
}

/** The private key as PEM (PKCS#8). */
export async function privateKeyToPem (key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key)
  return x509.PemConverter.encode(der, 'PRIVATE KEY')
}

/** A PKCS#8 PEM private key of a P-256 key, ready to sign with. */
export async function privateKeyFromPem (pem: string): Promise<CryptoKey> {
  const [der] = x509.PemConverter.decode(pem)
  if (der === undefined) throw new TypeError('no PEM block found in the private key')
  return await webcrypto.subtle.importKey('pkcs8', der, EC_KEY, false, ['sign'])
}

/** A random positive serial number of 16 bytes, as hex. */
export function randomSerial (): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16))
  bytes[0] = (bytes[0] as number) & 0x7f
  return Buffer.from(bytes).toString('hex')
}
