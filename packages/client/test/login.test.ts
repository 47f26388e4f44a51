// Login against a real TLS token endpoint made with the swarm identity registration creates.
import t from 'tap'
import { once } from 'node:events'
import https from 'node:https'
import net, { type AddressInfo } from 'node:net'
import { fingerprintOf } from '@swarmgate/core'
import { createCa, createServerCert } from '@swarmgate/registration'
import { requestTokens } from '../src/login.js'

const ca = await createCa({ commonName: 'swarmgate alice/prod' })
const cert = await createServerCert(ca, { sans: [] })
const pin = fingerprintOf(ca.certPem)
const bodies: string[] = []

const server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
  let body = ''
  req.on('data', (c: Buffer) => { body += c.toString() })
  req.on('end', () => {
    bodies.push(body)
    const form = new URLSearchParams(body)
    res.setHeader('content-type', 'application/json')
    if (form.get('audience') !== 'alice/prod') { res.writeHead(400).end(JSON.stringify({ error: 'invalid_target', message: 'this swarm is alice/prod' })); return }
    if (form.get('password') === 'right password' || form.get('refresh_token') === 'rt') {
      res.end(JSON.stringify({ access_token: 'at', token_type: 'Bearer', expires_in: 900, refresh_token: 'rt', swarm: 'alice/prod', account: 'alice' }))
      return
    }
    res.writeHead(400).end(JSON.stringify({ error: 'invalid_grant', message: 'wrong username or password' }))
  })
})
server.listen(0, '127.0.0.1')
await once(server, 'listening')
t.teardown(() => server.close())
const endpoint = `127.0.0.1:${(server.address() as AddressInfo).port}`

// A port that refuses connections: one that was free a moment ago.
const closed = net.createServer().listen(0, '127.0.0.1')
await once(closed, 'listening')
const deadEndpoint = `127.0.0.1:${(closed.address() as AddressInfo).port}`
closed.close()

t.test('the password grant returns the refresh token and account', async (t) => {
  t.same(await requestTokens([endpoint], pin, 'alice/prod', { grant_type: 'password', username: 'alice', password: 'right password' }), { refreshToken: 'rt', account: 'alice' })
  t.same(await requestTokens([endpoint], pin, 'alice/prod', { grant_type: 'refresh_token', refresh_token: 'rt' }), { refreshToken: 'rt', account: 'alice' })
})

t.test('an unreachable endpoint is skipped for the next one', async (t) => {
  t.same(await requestTokens([deadEndpoint, endpoint], pin, 'alice/prod', { grant_type: 'refresh_token', refresh_token: 'rt' }), { refreshToken: 'rt', account: 'alice' })
  await t.rejects(requestTokens([deadEndpoint], pin, 'alice/prod', { grant_type: 'refresh_token', refresh_token: 'rt' }), { code: 'SG_ERR_CLIENT_UNREACHABLE', message: new RegExp(`${deadEndpoint}: .*ECONNREFUSED`) })
})

t.test('a wrong password, a stale login and another swarm are refused with sentences', async (t) => {
  await t.rejects(requestTokens([endpoint], pin, 'alice/prod', { grant_type: 'password', username: 'alice', password: 'wrong' }), { code: 'SG_ERR_CLIENT_LOGIN_REFUSED', message: /wrong username or password for alice\/prod/ })
  await t.rejects(requestTokens([endpoint], pin, 'alice/prod', { grant_type: 'refresh_token', refresh_token: 'old' }), { code: 'SG_ERR_CLIENT_LOGIN_REFUSED', message: /saved login is no longer valid/ })
  await t.rejects(requestTokens([endpoint], pin, 'alice/test', { grant_type: 'refresh_token', refresh_token: 'rt' }), { code: 'SG_ERR_CLIENT_LOGIN_REFUSED', message: /is not the swarm alice\/test/ })
})

t.test('a certificate that does not match the pin never gets the password', async (t) => {
  const other = await createCa({ commonName: 'mallory' })
  const before = bodies.length
  await t.rejects(requestTokens([endpoint], fingerprintOf(other.certPem), 'alice/prod', { grant_type: 'password', username: 'alice', password: 'right password' }), { code: 'SG_ERR_TLS_PIN_MISMATCH', message: /did not prove its identity[\s\S]*does not match the pinned fingerprint/ })
  t.equal(bodies.length, before, 'nothing was sent')
})
