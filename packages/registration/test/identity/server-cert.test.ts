import t from 'tap'
import { X509Certificate } from 'node:crypto'
import { once } from 'node:events'
import { createServer, connect, type TLSSocket } from 'node:tls'
import type { AddressInfo } from 'node:net'
import { checkPin, fingerprintOf } from '@swarmgate/core'
import { createCa } from '../../src/identity/ca.js'
import { createServerCert, sansOf, serverSans } from '../../src/identity/server-cert.js'

function splitChain (pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
}

t.test('serverSans always adds the loopback names, unbrackets IPv6 and removes duplicates', async (t) => {
  t.same(serverSans(['Manager-1.Example', '[::1]', '127.0.0.1', '203.0.113.5', ' ']), ['localhost', '127.0.0.1', 'manager-1.example', '::1', '203.0.113.5'])
})

t.test('a server certificate is signed by the CA, names its SANs and serves TLS', async (t) => {
  const ca = await createCa({ commonName: 'alice/prod' })
  const server = await createServerCert(ca, { sans: ['198.51.100.3', 'swarm.example.org', '::1'] })
  const [leafPem, caPem, extra] = splitChain(server.certPem)
  t.equal(extra, undefined, 'leaf then CA, nothing else')
  const leaf = new X509Certificate(leafPem as string)
  t.equal(fingerprintOf(caPem as string), fingerprintOf(ca.certPem), 'the CA follows the leaf')
  t.notOk(leaf.ca)
  t.ok(leaf.checkIssued(new X509Certificate(ca.certPem)))
  t.ok(leaf.verify(new X509Certificate(ca.certPem).publicKey))
  t.equal(leaf.checkIP('198.51.100.3'), '198.51.100.3')
  t.equal(leaf.checkIP('127.0.0.1'), '127.0.0.1')
  t.equal(leaf.checkIP('::1'), '::1')
  t.equal(leaf.checkHost('swarm.example.org'), 'swarm.example.org')
  t.equal(leaf.checkHost('localhost'), 'localhost')
  t.equal(leaf.checkIP('198.51.100.99'), undefined)
  t.same(leaf.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'extended key usage is serverAuth only')
  t.same(sansOf(server.certPem).sort(), ['127.0.0.1', '198.51.100.3', '::1', 'localhost', 'swarm.example.org'])
  t.match(server.keyPem, /^-----BEGIN PRIVATE KEY-----/)

  const tls = createServer({ cert: server.certPem, key: server.keyPem, minVersion: 'TLSv1.2' }, (s) => s.end('hello'))
  tls.listen(0, '127.0.0.1')
  await once(tls, 'listening')
  t.teardown(() => tls.close())
  const port = (tls.address() as AddressInfo).port

  const dial = async (pin: string): Promise<ReturnType<typeof checkPin>> => {
    const socket: TLSSocket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false })
    await once(socket, 'secureConnect')
    const problem = checkPin(socket, pin)
    socket.destroy()
    return problem
  }
  t.equal(await dial(fingerprintOf(ca.certPem)), undefined, 'the CA pin holds')
  t.equal(await dial(fingerprintOf(leafPem as string)), undefined, 'the leaf pin holds')
  const other = await createCa({ commonName: 'mallory' })
  t.equal((await dial(fingerprintOf(other.certPem)))?.code, 'SG_ERR_TLS_PIN_MISMATCH', 'another CA pin fails')

  const socket = connect({ host: '127.0.0.1', port, ca: ca.certPem, servername: 'swarm.example.org' })
  await once(socket, 'secureConnect')
  t.ok(socket.authorized, 'standard verification with the CA as trust anchor accepts it too')
  socket.destroy()
})

t.test('a server certificate never outlives its CA', async (t) => {
  const ca = await createCa({ commonName: 'short', validDays: 10 })
  const leaf = new X509Certificate(splitChain((await createServerCert(ca, { sans: [] })).certPem)[0] as string)
  t.ok(new Date(leaf.validTo) <= new Date(new X509Certificate(ca.certPem).validTo))
})

t.test('a certificate that is not a CA cannot issue (regression: a chain was taken for its CA)', async (t) => {
  const ca = await createCa({ commonName: 'alice/prod' })
  const server = await createServerCert(ca, { sans: [] })
  await t.rejects(createServerCert({ certPem: server.certPem, keyPem: server.keyPem }, { sans: [] }), TypeError)
})
