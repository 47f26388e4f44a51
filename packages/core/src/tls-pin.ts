/**
 * Certificate pinning for the client side. A pin is `sha256:<hex>` of either the swarm's CA
 * certificate or the server certificate itself. Finding the pinned CA somewhere in the chain the
 * server sends is not enough (the CA certificate is public, anyone can send it along): the leaf
 * must also carry a valid signature by the pinned CA's key and be inside its validity period.
 */
import { X509Certificate, createHash } from 'node:crypto'
import type { TLSSocket, PeerCertificate, DetailedPeerCertificate } from 'node:tls'
import { SwarmgateError } from './errors.js'

const PIN = /^sha256:[0-9a-f]{64}$/

/** Normalises a user-given pin (upper case and colons allowed) to `sha256:<64 lower-case hex>`. */
export function normalizePin (pin: string): string {
  const hex = pin.trim().toLowerCase().replace(/^sha256:/, '').replaceAll(':', '')
  const out = `sha256:${hex}`
  if (!PIN.test(out)) throw new SwarmgateError('SG_ERR_TLS_PIN_FORMAT', `"${pin}" is not a certificate fingerprint; expected sha256: followed by 64 hex digits`)
  return out
}

/** The pin of a certificate given as PEM or DER. */
export function fingerprintOf (cert: string | Buffer): string {
  const der = typeof cert === 'string' ? new X509Certificate(cert).raw : cert
  return `sha256:${createHash('sha256').update(der).digest('hex')}`
}

/** Checks a connected socket's peer against the pin; returns the problem, or undefined when it holds. */
export function checkPin (socket: TLSSocket, pin: string, now = new Date()): SwarmgateError | undefined {
  const chain: X509Certificate[] = []
  let peer: PeerCertificate | DetailedPeerCertificate | undefined = socket.getPeerCertificate(true)
  const seen = new Set<string>()
  while (peer !== undefined && peer.raw !== undefined && !seen.has(peer.fingerprint256)) {
    seen.add(peer.fingerprint256)
    chain.push(new X509Certificate(peer.raw))
    peer = (peer as DetailedPeerCertificate).issuerCertificate
  }
  const leaf = chain[0]
  if (leaf === undefined) return new SwarmgateError('SG_ERR_TLS_PIN_MISMATCH', 'the server sent no certificate')
  if (new Date(leaf.validTo) < now || new Date(leaf.validFrom) > now) {
    return new SwarmgateError('SG_ERR_TLS_PIN_MISMATCH', `the server certificate is outside its validity period (${leaf.validFrom} to ${leaf.validTo})`)
  }
  if (fingerprintOf(leaf.raw) === pin) return undefined
  const ca = chain.find((c) => fingerprintOf(c.raw) === pin)
  if (ca !== undefined && ca.ca && leaf.checkIssued(ca) && leaf.verify(ca.publicKey)) return undefined
  return new SwarmgateError('SG_ERR_TLS_PIN_MISMATCH',
    `the server's certificate does not match the pinned fingerprint ${pin} (it presented ${fingerprintOf(leaf.raw)}); ` +
    'check --fingerprint, or that this endpoint really is the swarm you registered')
}
