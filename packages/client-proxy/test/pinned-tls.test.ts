import t from 'tap'
import net from 'node:net'
import tls from 'node:tls'
import type { AddressInfo } from 'node:net'
import { fingerprintOf, hasCode } from '@swarmgate/core'
import { createCa, createServerCert } from '@swarmgate/registration'
import { connectPinned, parseEndpoint } from '../src/pinned-tls.js'

const DEADLINE_MS = 5_000

async function tlsServer (cert: string, key: string): Promise<{ port: number, close: () => void }> {
  const server = tls.createServer({ cert, key }, (s) => { s.end() })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { port: (server.address() as AddressInfo).port, close: () => { server.close() } }
}

t.test('pinning', async (t) => {
  const ca = await createCa({ commonName: 'swarm CA' })
  const leaf = await createServerCert(ca, { sans: ['127.0.0.1'] })
  const good = await tlsServer(leaf.certPem, leaf.keyPem)
  // An impostor who has the public CA certificate (anyone can) but not its key: it sends the
  // real CA along with a leaf issued by its own CA.
  const otherCa = await createCa({ commonName: 'impostor CA' })
  const fake = await createServerCert(otherCa, { sans: ['127.0.0.1'] })
  const fakeLeafOnly = fake.certPem.slice(0, fake.certPem.indexOf('-----END CERTIFICATE-----') + 25) + '\n'
  const impostor = await tlsServer(fakeLeafOnly + ca.certPem, fake.keyPem)
  t.teardown(() => { good.close(); impostor.close() })
  const endpoint = (port: number): { host: string, port: number } => ({ host: '127.0.0.1', port })

  t.test('the CA fingerprint is accepted', async (t) => {
    const s = await connectPinned(endpoint(good.port), { pin: fingerprintOf(ca.certPem) }, DEADLINE_MS)
    t.ok(s.encrypted)
    s.destroy()
  })
  t.test('the server certificate fingerprint is accepted', async (t) => {
    const s = await connectPinned(endpoint(good.port), { pin: fingerprintOf(leaf.certPem) }, DEADLINE_MS)
    s.destroy()
    t.pass()
  })
  t.test('another fingerprint is refused with a sentence naming both', async (t) => {
    const err = await connectPinned(endpoint(good.port), { pin: fingerprintOf(otherCa.certPem) }, DEADLINE_MS).catch((e: unknown) => e)
    t.ok(hasCode(err, 'SG_ERR_TLS_PIN_MISMATCH'))
    t.match((err as Error).message, fingerprintOf(otherCa.certPem))
  })
  t.test('an impostor sending the real CA certificate in its chain is refused', async (t) => {
    const err = await connectPinned(endpoint(impostor.port), { pin: fingerprintOf(ca.certPem) }, DEADLINE_MS).catch((e: unknown) => e)
    t.ok(hasCode(err, 'SG_ERR_TLS_PIN_MISMATCH'))
  })
  t.test('a CA bundle verifies the server the ordinary way', async (t) => {
    const s = await connectPinned(endpoint(good.port), { ca: ca.certPem }, DEADLINE_MS)
    s.destroy()
    const err = await connectPinned(endpoint(impostor.port), { ca: ca.certPem }, DEADLINE_MS).catch((e: unknown) => e)
    t.ok(err instanceof Error)
  })
})

t.test('a listener that accepts and never answers fails the deadline instead of holding the connection', async (t) => {
  // A black hole: the TCP connection opens, the TLS handshake never gets an answer.
  const held = new Set<net.Socket>()
  const hole = net.createServer((s) => { held.add(s); s.on('error', () => {}) })
  await new Promise<void>((resolve) => hole.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { for (const s of held) s.destroy(); hole.close() })
  const err = await connectPinned({ host: '127.0.0.1', port: (hole.address() as AddressInfo).port }, { pin: 'sha256:' + '0'.repeat(64) }, 300).catch((e: unknown) => e)
  t.match(err, { code: 'UND_ERR_CONNECT_TIMEOUT', message: /within 300 ms/ })
  t.equal(held.size, 1, 'the black hole saw the connection')
})

t.test('endpoints parse as host:port', async (t) => {
  t.same(parseEndpoint('203.0.113.7:2376'), { host: '203.0.113.7', port: 2376 })
  t.same(parseEndpoint('[::1]:2376'), { host: '::1', port: 2376 })
  t.same(parseEndpoint('manager-1.example:443'), { host: 'manager-1.example', port: 443 })
  t.equal(parseEndpoint('manager-1'), undefined)
  t.equal(parseEndpoint('h:0'), undefined)
  t.equal(parseEndpoint('h:70000'), undefined)
})
