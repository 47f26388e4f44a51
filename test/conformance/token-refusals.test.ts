/**
 * Conformance (issue #3, item 12): every kind of bad token is refused by server-proxy with 401, a
 * Docker-style JSON error naming the failed check (and never the token), on plain calls, on
 * hijacked calls and through the real docker CLI, and none of them ever reaches the engine.
 *
 * "Never reaches the engine" is measured, not assumed: server-proxy's --engine-socket is a
 * relay (test/harness/socket-relay.ts) that counts the connections it accepts before piping them
 * to /var/run/docker.sock. The count must still be 0 after every refusal; a call with a valid
 * token at the end shows the relay does count.
 */
import t from 'tap'
import https from 'node:https'
import { createHmac, createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SignJWT, importJWK, type JWK, type JWTPayload } from 'jose'
import { runDocker, useEngine, waitFor } from '../testbed/index.js'
import { logsOnFailure, startChain, type Chain } from '../harness/chain.js'
import { startSocketRelay, type SocketRelay } from '../harness/socket-relay.js'

useEngine(t)

let relay: SocketRelay
let chain: Chain
let work: string
let signingJwk: JWK & { kid: string }

t.before(async () => {
  relay = await startSocketRelay()
  chain = await startChain({ engineSocket: relay.path, clientProxy: false })
  work = await mkdtemp(join(tmpdir(), 'swarmgate-conformance-refusals-'))
  await mkdir(join(work, 'certs'))
  await writeFile(join(work, 'certs', 'ca.pem'), chain.identity.caPem)
  signingJwk = (JSON.parse(await readFile(chain.identity.signingKeys, 'utf8')) as { keys: Array<JWK & { kid: string }> }).keys[0] as JWK & { kid: string }
})
t.teardown(async () => {
  logsOnFailure(t, chain)
  await chain?.close()
  await relay?.close()
  if (work !== undefined) await rm(work, { recursive: true, force: true })
})

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')
const now = (): number => Math.floor(Date.now() / 1000)

/** Claims of a good access token, `changes` applied. */
function claims (changes: JWTPayload = {}): JWTPayload {
  const t0 = now()
  return { iss: 'swarmgate', sub: 'alice', aud: chain.swarm, iat: t0, nbf: t0, exp: t0 + 300, jti: randomUUID(), ...changes }
}

/** A token signed with `jwk` (default the swarm's own signing key). */
async function signed (payload: JWTPayload, header: { kid?: string, typ?: string } = {}, jwk: JWK = signingJwk): Promise<string> {
  const key = await importJWK({ ...jwk, alg: 'EdDSA' }, 'EdDSA')
  return await new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', kid: signingJwk.kid, typ: 'at+jwt', ...header }).sign(key)
}

function otherKey (): JWK {
  return generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as JWK
}

/** Each refusal: the Authorization header to send and the check its message must name. */
const CASES: Array<{ name: string, authorization: () => Promise<string | undefined>, check: RegExp }> = [
  { name: 'no Authorization header', authorization: async () => undefined, check: /no Authorization: Bearer token/ },
  { name: 'garbage', authorization: async () => 'Bearer not-a-token', check: /malformed/ },
  { name: 'not a bearer token', authorization: async () => 'Basic YWxpY2U6cGFzc3dvcmQ=', check: /malformed/ },
  { name: 'expired', authorization: async () => `Bearer ${await signed(claims({ iat: now() - 7200, nbf: now() - 7200, exp: now() - 3600 }))}`, check: /expired/ },
  { name: 'not yet valid', authorization: async () => `Bearer ${await signed(claims({ nbf: now() + 3600, exp: now() + 4000 }))}`, check: /not valid yet/ },
  {
    name: 'bad signature (payload changed after signing)',
    authorization: async () => {
      const [h, , s] = (await signed(claims())).split('.')
      return `Bearer ${h as string}.${b64(claims({ sub: 'mallory' }))}.${s as string}`
    },
    check: /signature does not verify/
  },
  { name: 'signed by another key under the swarm key\'s kid', authorization: async () => `Bearer ${await signed(claims(), {}, otherKey())}`, check: /signature does not verify/ },
  { name: 'another swarm\'s audience', authorization: async () => `Bearer ${await signed(claims({ aud: 'mallory/prod' }))}`, check: /another swarm/ },
  { name: 'alg none', authorization: async () => `Bearer ${b64({ alg: 'none', typ: 'at+jwt', kid: signingJwk.kid })}.${b64(claims())}.`, check: /algorithm/ },
  {
    name: 'HS256 signed with the public key',
    authorization: async () => {
      const publicPem = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: signingJwk.x as string }, format: 'jwk' }).export({ type: 'spki', format: 'pem' })
      const unsigned = `${b64({ alg: 'HS256', typ: 'at+jwt', kid: signingJwk.kid })}.${b64(claims())}`
      return `Bearer ${unsigned}.${createHmac('sha256', publicPem).update(unsigned).digest('base64url')}`
    },
    check: /algorithm/
  },
  { name: 'unknown kid', authorization: async () => `Bearer ${await signed(claims(), { kid: 'no-such-key' }, otherKey())}`, check: /key this swarm does not know/ },
  { name: 'wrong issuer', authorization: async () => `Bearer ${await signed(claims({ iss: 'someone-else' }))}`, check: /claims|issuer/ },
  { name: 'a refresh token used as an access token', authorization: async () => `Bearer ${(await chain.login()).refresh_token}`, check: /claims|type/ }
]

interface Answer { status: number, contentType: string | undefined, body: string }

/** One call to server-proxy with `authorization`; `upgrade` makes it a hijack (exec start). */
async function call (authorization: string | undefined, opts: { method: string, path: string, upgrade?: boolean, body?: string }): Promise<Answer> {
  const headers: Record<string, string> = {}
  if (authorization !== undefined) headers.authorization = authorization
  if (opts.upgrade === true) Object.assign(headers, { connection: 'Upgrade', upgrade: 'tcp' })
  if (opts.body !== undefined) headers['content-type'] = 'application/json'
  return await new Promise((resolve, reject) => {
    const req = https.request(new URL(opts.path, chain.serverUrl), { method: opts.method, headers, ca: chain.identity.caPem, agent: false })
    req.on('response', (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (c: string) => { body += c }).on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body }))
    })
    req.on('upgrade', (res, socket) => { socket.destroy(); resolve({ status: res.statusCode ?? 0, contentType: undefined, body: '' }) })
    req.on('error', reject)
    req.end(opts.body)
  })
}

/** The docker CLI straight at server-proxy over TLS, sending `authorization` on every call. */
async function cliWith (authorization: string | undefined): Promise<{ code: number | null, stderr: string }> {
  const config = await mkdtemp(join(work, 'config-'))
  await writeFile(join(config, 'config.json'), JSON.stringify(authorization === undefined ? {} : { HttpHeaders: { Authorization: authorization } }))
  const r = await runDocker(['ps'], {
    host: chain.serverUrl.replace('https:', 'tcp:'),
    env: { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: join(work, 'certs'), DOCKER_CONFIG: config },
    timeoutMs: 30_000
  })
  return { code: r.code, stderr: r.stderr }
}

for (const c of CASES) {
  t.test(`12. refused with 401, never reaching the engine: ${c.name}`, { timeout: 30_000 }, async (t) => {
    const authorization = await c.authorization()
    const token = authorization?.split(' ')[1]
    for (const request of [
      { method: 'HEAD', path: '/_ping' },
      { method: 'GET', path: '/_ping' },
      { method: 'GET', path: '/v1.41/containers/json' },
      { method: 'POST', path: '/v1.41/containers/create', body: '{"Image":"swarmgate-test/busybox"}' },
      { method: 'POST', path: '/v1.41/exec/0123456789ab/start', upgrade: true, body: '{"Detach":false,"Tty":false}' }
    ]) {
      const what = `${request.method} ${request.path}${request.upgrade === true ? ' (Upgrade: tcp)' : ''}`
      const answer = await call(authorization, request)
      t.equal(answer.status, 401, `${what}: 401`)
      t.equal(answer.contentType, 'application/json', `${what}: Content-Type exactly application/json`)
      if (request.method !== 'HEAD') {
        t.match(JSON.parse(answer.body), { message: c.check }, `${what}: the message names the check`)
        if (token !== undefined && token.length > 8) t.notOk(answer.body.includes(token), `${what}: the token is not echoed`)
      }
    }
    const cli = await cliWith(authorization)
    t.equal(cli.code, 1, 'docker ps exits 1')
    t.match(cli.stderr, new RegExp(`^Error response from daemon: swarmgate: .*${c.check.source}`, 'm'), 'docker ps prints the refusal as a daemon error')
    t.equal(relay.accepted, 0, 'no connection was opened to the engine')
  })
}

t.test('12. control: a valid token reaches the engine (so the relay does count)', { timeout: 30_000 }, async (t) => {
  const token = await chain.accessToken()
  t.equal(relay.accepted, 0, 'still no engine connection after every refusal')
  const answer = await call(`Bearer ${token}`, { method: 'GET', path: '/_ping' })
  t.match(answer, { status: 200, body: 'OK' })
  const cli = await cliWith(`Bearer ${token}`)
  t.equal(cli.code, 0, `docker ps with a valid token: ${cli.stderr}`)
  t.ok(relay.accepted >= 1, `the engine was reached (${relay.accepted} connections)`)
  // Lines are written in batches (up to 100 ms late): read the log once the allowed calls' audit lines are in it.
  await waitFor('server-proxy to write the audit lines of the allowed calls', async () => /"status":200[,}].*"msg":"audit"/.test(chain.logs()) ? true : undefined, { timeoutMs: 10_000, intervalMs: 50 })
  t.notOk(chain.logs().includes(token), 'the token never appears in server-proxy\'s log')
})
