import t, { type Test } from 'tap'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { once } from 'node:events'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EngineClient, compareApiVersions } from '../../src/engine/client.js'
import { engineAddress } from '../../src/engine/address.js'

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void

/** A fake engine on a unix socket that records the calls it gets. */
async function fakeEngine (t: Test, apiVersion: string, handle: Handler): Promise<{ socket: string, calls: string[] }> {
  const calls: string[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => { body += c.toString() })
    req.on('end', () => {
      calls.push(`${req.method ?? ''} ${req.url ?? ''}`)
      if (req.url === '/_ping') { res.writeHead(200, { 'api-version': apiVersion }).end('OK'); return }
      handle(req, res, body)
    })
  })
  const socket = join(mkdtempSync(join(tmpdir(), 'engine-')), 'docker.sock')
  server.listen(socket)
  await once(server, 'listening')
  t.teardown(() => { server.close() })
  return { socket, calls }
}

t.test('compareApiVersions orders versions numerically', async (t) => {
  t.ok(compareApiVersions('1.9', '1.25') < 0)
  t.equal(compareApiVersions('1.41', '1.41'), 0)
  t.ok(compareApiVersions('1.43', '1.41') > 0)
})

t.test('the API version is the lower of the engine\'s and ours', async (t) => {
  const old = await fakeEngine(t, '1.30', (_req, res) => res.end('{}'))
  const engine = await EngineClient.connect(engineAddress(`unix://${old.socket}`))
  t.equal(engine.apiVersion, '1.30')
  await engine.info()
  t.same(old.calls, ['GET /_ping', 'GET /v1.30/info'])
  await engine.close()
  const recent = await fakeEngine(t, '1.45', (_req, res) => res.end('{}'))
  const engine2 = await EngineClient.connect(engineAddress(`unix://${recent.socket}`))
  t.equal(engine2.apiVersion, '1.41')
  await engine2.close()
})

t.test('engine answers become errors with the engine\'s message and a code by status', async (t) => {
  const fake = await fakeEngine(t, '1.41', (req, res) => {
    const status = Number(new URL(req.url ?? '', 'http://x').searchParams.get('status') ?? 500)
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `engine says ${status}` }))
  })
  const engine = await EngineClient.connect(engineAddress(`unix://${fake.socket}`))
  t.teardown(async () => { await engine.close() })
  for (const [status, code] of [[404, 'SG_ERR_ENGINE_NOT_FOUND'], [409, 'SG_ERR_ENGINE_CONFLICT'], [503, 'SG_ERR_ENGINE_UNAVAILABLE'], [500, 'SG_ERR_ENGINE_REFUSED']] as const) {
    await t.rejects(engine.call('GET', '/x', { query: { status } }), { code, message: new RegExp(`engine says ${status}`) })
  }
})

t.test('filters and bodies are sent as the engine wants them', async (t) => {
  const fake = await fakeEngine(t, '1.41', (req, res, body) => {
    if (req.url?.startsWith('/v1.41/secrets/create') === true) { res.end(JSON.stringify({ ID: Buffer.from(JSON.parse(body).Data, 'base64').toString() })); return }
    res.end('[]')
  })
  const engine = await EngineClient.connect(engineAddress(`unix://${fake.socket}`))
  t.teardown(async () => { await engine.close() })
  await engine.secrets({ label: ['io.swarmgate.kind'] })
  t.equal(decodeURIComponent(fake.calls[1] as string), 'GET /v1.41/secrets?filters={"label":["io.swarmgate.kind"]}')
  t.equal(await engine.createSecret('s', 'secret text', {}), 'secret text')
})

t.test('exec collects demultiplexed output and the exit code', async (t) => {
  const frame = (type: number, text: string): Buffer => {
    const head = Buffer.alloc(8)
    head[0] = type
    head.writeUInt32BE(Buffer.byteLength(text), 4)
    return Buffer.concat([head, Buffer.from(text)])
  }
  const fake = await fakeEngine(t, '1.41', (req, res) => {
    if (req.url === '/v1.41/containers/c1/exec') res.end('{"Id":"e1"}')
    else if (req.url === '/v1.41/exec/e1/start') res.end(Buffer.concat([frame(1, 'out '), frame(2, 'err'), frame(1, 'more')]))
    else res.end('{"ExitCode":3}')
  })
  const engine = await EngineClient.connect(engineAddress(`unix://${fake.socket}`))
  t.teardown(async () => { await engine.close() })
  t.same(await engine.exec('c1', ['true']), { exitCode: 3, stdout: 'out more', stderr: 'err' })
})

t.test('an engine that is not there is SG_ERR_ENGINE_UNREACHABLE naming the address', async (t) => {
  await t.rejects(EngineClient.connect(engineAddress('unix:///nonexistent/docker.sock')), { code: 'SG_ERR_ENGINE_UNREACHABLE', message: /unix:\/\/\/nonexistent\/docker.sock \(ENOENT\)/ })
})
