import t from 'tap'
import { request } from 'undici'
import { startRecordingEngine, startServer } from '../../../../test/fixtures/server-proxy.js'

t.test('docker gateway', async (t) => {
  const engine = await startRecordingEngine()
  const server = await startServer({ engineSocket: engine.socketPath })
  t.teardown(async () => { await server.close(); await engine.close() })
  const { access_token: token } = (await server.token({ grant_type: 'password', username: 'alice', password: 'correct horse battery' })).body as { access_token: string }

  t.test('a refused call gets a Docker-style 401 and never reaches the engine', async (t) => {
    const before = engine.connections
    for (const auth of [undefined, 'Bearer', 'Basic YWxpY2U6eA==', 'Bearer not.a.jwt', `Bearer ${token}x`]) {
      const res = await request(`${server.url}/v1.41/containers/json`, { dispatcher: server.dispatcher, headers: auth === undefined ? {} : { authorization: auth } })
      t.equal(res.statusCode, 401, `status for ${auth ?? 'no header'}`)
      t.equal(res.headers['content-type'], 'application/json')
      const body = await res.body.json() as { message: string }
      t.match(body.message, /^swarmgate: /)
      t.notMatch(body.message, token.slice(20), 'the token is not echoed')
    }
    t.equal(engine.connections, before, 'no connection was opened to the engine')
  })

  t.test('an accepted call reaches the engine without Authorization and with every other header as sent', async (t) => {
    const res = await request(`${server.url}/v1.41/images/create?fromImage=x`, {
      method: 'POST',
      dispatcher: server.dispatcher,
      headers: [
        'Authorization', `Bearer ${token}`,
        'X-Registry-Auth', 'eyJ1c2VybmFtZSI6ImEifQ==',
        'X-Docker-Expose-Session-Grpc-Method', '/a.A/One',
        'X-Docker-Expose-Session-Grpc-Method', '/b.B/Two',
        'X-Custom', 'Exact  Value'
      ]
    })
    t.equal(res.statusCode, 200)
    t.same(await res.body.json(), { ok: true })
    const seen = engine.requests.at(-1)
    t.equal(seen?.url, '/v1.41/images/create?fromImage=x')
    const raw = seen?.rawHeaders ?? []
    const named = (n: string): string[] => raw.filter((_, i) => i % 2 === 1 && raw[i - 1]?.toLowerCase() === n)
    t.same(named('authorization'), [], 'Authorization removed')
    t.same(named('x-registry-auth'), ['eyJ1c2VybmFtZSI6ImEifQ=='])
    t.same(named('x-docker-expose-session-grpc-method'), ['/a.A/One', '/b.B/Two'], 'duplicates kept, one by one, in order')
    t.same(named('x-custom'), ['Exact  Value'])
  })

  t.test('one audit line per call, with account, role, decision, status and sizes, and no token', async (t) => {
    const lines = server.logLines().filter((l) => l.msg === 'audit' && l.module === 'docker-gateway')
    const allowed = lines.filter((l) => l.decision === 'allow')
    t.ok(allowed.length >= 1)
    t.match(allowed.at(-1), { account: 'alice', role: 'owner', method: 'POST', route: '/images/create', action: 'image.pull', decision: 'allow', rule: 'owner', status: 200, bytesIn: Number, bytesOut: Number, durationMs: Number, reqId: String, source: String })
    const refused = lines.filter((l) => l.decision === 'deny')
    t.equal(refused.length, 5)
    t.match(refused[0], { rule: 'SG_ERR_AUTH_MISSING', status: 401 })
    t.notMatch(JSON.stringify(server.logLines()), token.slice(0, 40))
  })
})
