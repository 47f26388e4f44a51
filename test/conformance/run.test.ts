/**
 * Conformance (issue #3, items 1 and 2): version negotiation and `docker run` through the chain
 * print and exit exactly as on the engine socket.
 */
import t from 'tap'
import { randomBytes, createHash } from 'node:crypto'
import { once } from 'node:events'
import net from 'node:net'
import { WebSocket } from 'undici'
import { BUSYBOX_IMAGE, ENGINE_SOCKET, docker, useEngine } from '../testbed/index.js'
import { logsOnFailure, startChain, type Chain } from '../harness/chain.js'
import { CONTAINER_ARGS } from '../harness/containers.js'
import { expectSameAsSocket } from '../harness/compare.js'
import { rawCall } from '../harness/raw-call.js'

useEngine(t)

let chain: Chain
// A web UI the user runs on purpose, let through by name: client-proxy refuses every other page.
const UI_ORIGIN = 'http://ui.example'
t.before(async () => { chain = await startChain({ clientProxyArgs: ['--allow-origin', UI_ORIGIN] }) })
t.teardown(async () => {
  logsOnFailure(t, chain)
  await chain?.close()
})

/** Lines of `docker info` that change from one moment to the next on a busy engine. */
const VOLATILE_INFO = /^\s*(Containers|Running|Paused|Stopped|Images|Goroutines|File Descriptors|EventsListeners|System Time|Debug Mode|Total Memory|CPUs):/

t.test('1. docker version and docker info', { timeout: 60_000 }, async (t) => {
  await expectSameAsSocket(t, chain, ['version'])
  await expectSameAsSocket(t, chain, ['info'], {
    normalise: (s) => s.split('\n').filter((l) => !VOLATILE_INFO.test(l))
      // The engine lists its runtimes in map order, which changes from call to call.
      .map((l) => l.startsWith(' Runtimes:') ? l.split(' ').sort().join(' ') : l).join('\n')
  })
  for (const method of ['HEAD', 'GET'] as const) {
    const [socket, through] = await Promise.all([rawCall('socket', method, '/_ping'), rawCall(chain, method, '/_ping')])
    t.equal(through.status, socket.status, `${method} /_ping: same status (${socket.status})`)
    t.equal(through.body.toString(), socket.body.toString(), `${method} /_ping: same body`)
    for (const h of ['api-version', 'docker-experimental', 'ostype', 'swarm', 'builder-version', 'cache-control', 'pragma'] as const) {
      t.equal(through.headers[h], socket.headers[h], `${method} /_ping: ${h} passes unchanged (${String(socket.headers[h])})`)
    }
  }
})

t.test('1. API version negotiation', { timeout: 60_000 }, async (t) => {
  const tooNew = await expectSameAsSocket(t, chain, ['version'], { env: { DOCKER_API_VERSION: '1.99' } })
  t.not(tooNew.chain.code, 0, 'DOCKER_API_VERSION=1.99 fails')
  t.match(tooNew.chain.stderr, /Error response from daemon: client version 1\.99 is too new/, 'with the engine\'s own text')
  const pinned = await expectSameAsSocket(t, chain, ['version', '--format', '{{.Client.APIVersion}} {{.Server.APIVersion}}'], { env: { DOCKER_API_VERSION: '1.40' } })
  t.equal(pinned.chain.stdout.trim(), '1.40 1.41', 'an older pinned version is used as asked')
})

t.test('2. docker run --rm: output and exit status', { timeout: 90_000 }, async (t) => {
  const out = await expectSameAsSocket(t, chain, ['run', '--rm', ...CONTAINER_ARGS, BUSYBOX_IMAGE, 'sh', '-c', 'echo out; echo err >&2'])
  t.equal(out.chain.stdout, 'out\n')
  t.equal(out.chain.stderr, 'err\n')
  const exit3 = await expectSameAsSocket(t, chain, ['run', '--rm', ...CONTAINER_ARGS, BUSYBOX_IMAGE, 'sh', '-c', 'exit 3'])
  t.equal(exit3.chain.code, 3, "sh -c 'exit 3' exits 3")
  await expectSameAsSocket(t, chain, ['run', '--rm', ...CONTAINER_ARGS, 'swarmgate-test/no-such-image:none', 'true'], {
    // The CLI names the image it tried to pull; the engine's pull error is what must match.
    normalise: (s) => s.replace(/\r/g, '')
  })
})

t.test('2. docker run -i: standard input reaches the container and output follows its EOF', { timeout: 90_000 }, async (t) => {
  const echo = await expectSameAsSocket(t, chain, ['run', '-i', '--rm', ...CONTAINER_ARGS, BUSYBOX_IMAGE, 'cat'], { input: 'data\n' })
  t.equal(echo.chain.stdout, 'data\n')
  const empty = await expectSameAsSocket(t, chain, ['run', '-i', '--rm', ...CONTAINER_ARGS, BUSYBOX_IMAGE, 'sh', '-c', 'cat; echo after-eof'], { input: '' })
  t.equal(empty.chain.stdout, 'after-eof\n', 'an empty stdin ends at once and the output still arrives')
  // 4 MiB of random bytes: nothing lost or reordered in the hijacked stream.
  const blob = randomBytes(4 * 1024 * 1024)
  const digest = createHash('md5').update(blob).digest('hex')
  const sum = await expectSameAsSocket(t, chain, ['run', '-i', '--rm', ...CONTAINER_ARGS, BUSYBOX_IMAGE, 'md5sum'], { input: blob })
  t.equal(sum.chain.stdout.split(' ')[0], digest, '4 MiB of stdin arrive intact')
})

t.test('attach over a WebSocket (/containers/{id}/attach/ws), as web UIs use it', { timeout: 60_000 }, async (t) => {
  const name = `sg-conf-ws-${randomBytes(4).toString('hex')}`
  await docker(['run', '-d', '-i', ...CONTAINER_ARGS, '--name', name, BUSYBOX_IMAGE, 'cat'])
  t.teardown(async () => { await docker(['rm', '-f', name]).catch(() => {}) })
  // A browser's WebSocket sends its page's Origin (and Sec-Fetch-Mode, as undici's does too).
  const ws = new WebSocket(`${chain.dockerHost.replace(/^tcp:/, 'ws:')}/containers/${name}/attach/ws?stream=1&stdin=1&stdout=1`, { headers: { origin: UI_ORIGIN } })
  ws.binaryType = 'arraybuffer'
  let received = ''
  const echoed = new Promise<void>((resolve, reject) => {
    ws.addEventListener('message', (e) => {
      received += typeof e.data === 'string' ? e.data : Buffer.from(e.data as ArrayBuffer).toString()
      if (received.includes('hello through the chain\n')) resolve()
    })
    ws.addEventListener('close', (e) => { reject(new Error(`the WebSocket closed (${e.code}) after ${JSON.stringify(received)}`)) })
  })
  await once(ws, 'open')
  ws.send('hello through the chain\n')
  await echoed
  t.equal(received, 'hello through the chain\n', 'stdin went in and cat\'s stdout came back over the WebSocket')
  ws.close()
})

t.test('a request that is not HTTP gets a 400 answer, as on the socket, not a dropped connection', { timeout: 30_000 }, async (t) => {
  const answer = async (socket: net.Socket): Promise<string> => {
    const chunks: Buffer[] = []
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.end('NOT AN HTTP REQUEST\r\n\r\n')
    await once(socket, 'close')
    return Buffer.concat(chunks).toString()
  }
  const port = Number(new URL(chain.dockerHost.replace(/^tcp:/, 'http:')).port)
  const [viaSocket, viaChain] = await Promise.all([answer(net.connect(ENGINE_SOCKET)), answer(net.connect(port, '127.0.0.1'))])
  t.match(viaSocket, /^HTTP\/1\.1 400 /, 'the engine answers 400')
  t.match(viaChain, /^HTTP\/1\.1 400 Bad Request\r\n/, 'so does the chain')
  t.match(viaChain, /\r\n\r\n\{"message":"swarmgate: the request could not be read \(HPE_[A-Z_]+\)"\}$/, 'with a message the docker CLI prints')
})
