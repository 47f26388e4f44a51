import t from 'tap'
import { X509Certificate } from 'node:crypto'
import { createCa } from '../../src/identity/ca.js'

t.test('a CA is a self-signed P-256 certificate that may sign certificates', async (t) => {
  const ca = await createCa({ commonName: 'alice/prod' })
  const cert = new X509Certificate(ca.certPem)
  t.ok(cert.ca, 'basicConstraints cA is true')
  t.match(cert.subject, /CN=alice\/prod/)
  t.equal(cert.subject, cert.issuer)
  t.ok(cert.verify(cert.publicKey), 'self-signed')
  t.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1')
  t.match(ca.keyPem, /^-----BEGIN PRIVATE KEY-----/)
  t.ok(new Date(cert.validFrom) < new Date(), 'valid from the past, to tolerate clocks behind')
  t.ok(new Date(cert.validTo).getTime() > Date.now() + 10 * 365 * 86400_000, 'long-lived, the pin lives as long')
})

t.test('two CAs never share a key or serial', async (t) => {
  const [a, b] = await Promise.all([createCa({ commonName: 'x' }), createCa({ commonName: 'x' })])
  t.not(a.keyPem, b.keyPem)
  t.not(new X509Certificate(a.certPem).serialNumber, new X509Certificate(b.certPem).serialNumber)
})
