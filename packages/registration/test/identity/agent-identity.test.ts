// The node agents' TLS identity: a certificate for the agents' name from a CA of their own, which
// a connection pinning that CA accepts for that name only, and no CA key handed back to keep.
import t from 'tap'
import tls from 'node:tls'
import type { AddressInfo } from 'node:net'
import { createAgentIdentity, sansOf } from '../../src/identity/index.js'

async function handshake (port: number, opts: tls.ConnectionOptions): Promise<string> {
  return await new Promise<string>((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ...opts }, () => { socket.end(); resolve('ok') })
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message))
  })
}

t.test('the agents\' certificate verifies against their CA for the name swarmgate-node-agent only', async (t) => {
  const identity = await createAgentIdentity('alice/prod')
  t.same(Object.keys(identity).sort(), ['caPem', 'certPem', 'keyPem'], 'the CA key is not kept')
  t.ok(sansOf(identity.certPem).includes('swarmgate-node-agent'))
  const server = tls.createServer({ cert: identity.certPem, key: identity.keyPem }, (s) => { s.end() })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.close() })
  const { port } = server.address() as AddressInfo
  t.equal(await handshake(port, { ca: identity.caPem, servername: 'swarmgate-node-agent' }), 'ok')
  t.equal(await handshake(port, { ca: identity.caPem, servername: 'elsewhere.example' }), 'ERR_TLS_CERT_ALTNAME_INVALID')
  const other = await createAgentIdentity('alice/prod')
  t.equal(await handshake(port, { ca: other.caPem, servername: 'swarmgate-node-agent' }), 'SELF_SIGNED_CERT_IN_CHAIN', 'another registration\'s CA does not vouch for it')
})
