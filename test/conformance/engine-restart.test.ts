/**
 * Conformance (issue #3, item 11): the engine goes away and comes back while both proxies keep
 * running. The CLI then prints a clear `Error response from daemon: ...` (a Docker-style JSON
 * error from server-proxy) and exits non-zero, and works again once the engine is back, without
 * restarting either proxy.
 *
 * How the engine is "stopped": the engine on this machine is shared by every test, so it is not
 * stopped. Instead server-proxy is pointed (--engine-socket) at a unix socket this test controls
 * (test/harness/socket-relay.ts), which relays every connection to /var/run/docker.sock. Stopping
 * the relay closes its listener, removes the socket file and cuts every relayed connection: to
 * server-proxy this looks exactly like a stopped dockerd (connect fails with ENOENT, open streams
 * are cut). Starting it again on the same path is the engine coming back.
 *
 * The engine can also lose one call it was sent (relay.cutAt): dockerd dying under it, or closing
 * a kept connection just as the call went out. A read lost so is sent again, never answered with
 * an error client-proxy cannot tell from the engine's own.
 */
import t from 'tap'
import http from 'node:http'
import { randomBytes } from 'node:crypto'
import { BUSYBOX_IMAGE, docker, useEngine } from '../testbed/index.js'
import { logsOnFailure, startChain, type Chain, type HttpAnswer } from '../harness/chain.js'
import { CONTAINER_ARGS } from '../harness/containers.js'
import { spawnDocker } from '../harness/docker-process.js'
import { startSocketRelay, type SocketRelay } from '../harness/socket-relay.js'

useEngine(t)

let relay: SocketRelay
let chain: Chain
let box: string

t.before(async () => {
  relay = await startSocketRelay()
  chain = await startChain({ engineSocket: relay.path })
  box = `sg-conf-restart-${randomBytes(4).toString('hex')}`
  await docker(['run', '-d', ...CONTAINER_ARGS, '--name', box, BUSYBOX_IMAGE, 'sh', '-c', 'while true; do echo tick; sleep 0.2; done'])
})
t.teardown(async () => {
  await docker(['rm', '-f', box]).catch(() => {})
  logsOnFailure(t, chain)
  await chain?.close()
  await relay?.close()
})

/** A hijack request (exec start) straight at client-proxy, for the status and body it gets. */
async function rawUpgrade (): Promise<{ status: number, contentType: string | undefined, body: string }> {
  const { port } = new URL(chain.dockerHost.replace('tcp:', 'http:'))
  return await new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1.41/exec/0000/start', headers: { connection: 'Upgrade', upgrade: 'tcp', 'content-type': 'application/json' } })
    req.on('response', (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (c: string) => { body += c }).on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body }))
    })
    req.on('upgrade', (res, socket) => { socket.destroy(); resolve({ status: res.statusCode ?? 0, contentType: undefined, body: '' }) })
    req.on('error', reject)
    req.end('{"Detach":false,"Tty":false}')
  })
}

t.test('11. engine stopped: clear errors; engine back: calls work again, proxies untouched', { timeout: 90_000 }, async (t) => {
  t.equal((await chain.docker(['ps', '-q', '--filter', `name=${box}`])).stdout.trim().length, 12, 'docker ps works while the engine runs')
  const follow = spawnDocker(chain.dockerHost, ['logs', '-f', box])
  t.teardown(async () => { await follow.stop('SIGKILL') })
  await follow.waitForOutput(/tick\n/)

  await relay.stop()
  const cut = await follow.wait(15_000)
  t.not(cut.signal, 'SIGKILL', 'a logs -f stream ends on its own when the engine goes away (it does not hang)')

  for (const args of [['ps'], ['version'], ['exec', box, 'true'], ['run', '--rm', ...CONTAINER_ARGS, BUSYBOX_IMAGE, 'true']]) {
    const r = await chain.docker(args, { timeoutMs: 30_000 })
    t.not(r.code, 0, `docker ${args[0]} fails while the engine is stopped`)
    t.match(r.stderr, /Error response from daemon: swarmgate: .*cannot connect to the Docker engine at unix:\/\/\S+engine\.sock/, `docker ${args[0]} says the engine cannot be reached`)
  }
  const upgrade = await rawUpgrade()
  t.match(upgrade, { status: 502, contentType: 'application/json', body: /"message":"swarmgate: cannot connect to the Docker engine/ }, 'a hijack request gets the same Docker-style 502')
  t.equal((await chain.callServer('/_swarmgate/v1/health')).status, 503, 'server-proxy reports itself unhealthy')

  await relay.start()
  t.equal((await chain.callServer('/_swarmgate/v1/health')).status, 200, 'server-proxy is healthy again')
  const ps = await chain.docker(['ps', '-q', '--filter', `name=${box}`])
  t.match(ps, { code: 0, stdout: /^[0-9a-f]{12}\n$/ }, 'docker ps works again')
  const exec = await chain.docker(['exec', '-i', box, 'cat'], { input: 'after the restart' })
  t.match(exec, { code: 0, stdout: 'after the restart' }, 'docker exec -i (hijacked) works again')
  const ran = await chain.docker(['run', '--rm', ...CONTAINER_ARGS, BUSYBOX_IMAGE, 'echo', 'ran'])
  t.match(ran, { code: 0, stdout: 'ran\n' }, 'docker run works again')
  const alive = (pid: number): boolean => { try { process.kill(pid, 0); return true } catch { return false } }
  t.ok(alive(chain.serverPid) && alive(chain.clientPid), 'the proxy processes started before the stop served it all, never restarted')
  t.equal(chain.server.lines().some((l) => /"level":(50|60)/.test(l) && /uncaught|unhandled/i.test(l)), false, 'server-proxy logged no crash')
})

t.test('a read the engine lost before answering is sent again, on both paths of server-proxy', { timeout: 60_000 }, async (t) => {
  await relay.start()
  // server-proxy without its relay: the careful path (node:http, undici's kept engine connections).
  const careful = await startChain({ engineSocket: relay.path, relay: false, clientProxy: false })
  t.teardown(async () => { logsOnFailure(t, careful); await careful.close() })
  const containers = /^GET \S*\/containers\/json/
  for (const [path, server] of [['relay', chain], ['careful path', careful]] as const) {
    const token = await server.accessToken()
    const list = async (): Promise<HttpAnswer> => await server.callServer('/v1.41/containers/json', { headers: { authorization: `Bearer ${token}` } })
    t.equal((await list()).status, 200, `${path}: a first call opens the engine connection`)
    relay.cutAt(containers, 'listen')
    t.equal((await list()).status, 200, `${path}: a read whose engine connection was cut under it is answered`)
    // Either code makes client-proxy send a read to another manager: UNREACHABLE when the resend
    // found the socket gone, FAILED when it took another kept connection the engine's death cut.
    relay.cutAt(containers, 'stop')
    t.match(await list(), { status: /^50[23]$/, headers: { 'x-swarmgate-error': /^SG_ERR_ENGINE_(UNREACHABLE|FAILED)$/ }, body: /"message":"swarmgate: / },
      `${path}: a read whose engine died under it: an error with the code client-proxy sends a read elsewhere on`)
    await relay.start()
  }
  relay.cutAt(containers, 'listen')
  const ps = await chain.docker(['ps', '-q', '--filter', `name=${box}`])
  t.match(ps, { code: 0, stdout: /^[0-9a-f]{12}\n$/ }, 'through the chain, docker ps answers though the engine connection carrying it was cut')
})
