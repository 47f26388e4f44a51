/**
 * client-proxy against web pages (issue 11): a DNS-rebinding Host and any Origin or Sec-Fetch-*
 * header are refused with 403 before anything reaches the swarm, plain calls and WebSocket
 * upgrades alike, while the docker CLI works on both listeners.
 */
import t from 'tap'
import http from 'node:http'
import { useEngine } from '../testbed/index.js'
import { logsOnFailure, startChain, type Chain } from '../harness/chain.js'
import { startSocketRelay, type SocketRelay } from '../harness/socket-relay.js'
import { runDocker } from '../testbed/docker.js'

useEngine(t)

let chain: Chain
let relay: SocketRelay
t.before(async () => {
  relay = await startSocketRelay(undefined, { record: true })
  chain = await startChain({ engineSocket: relay.path })
})
t.teardown(async () => {
  logsOnFailure(t, chain)
  await chain?.close()
  await relay?.close()
})

interface Answer { status: number, contentType: string | undefined, message: string }

/** A call to client-proxy's tcp listener with exactly these headers. */
async function call (method: string, path: string, headers: Record<string, string>): Promise<Answer> {
  const port = Number(new URL(chain.dockerHost.replace('tcp:', 'http:')).port)
  return await new Promise((resolve, reject) => {
    http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (c: string) => { body += c })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], message: res.headers['content-type'] === 'application/json' ? (JSON.parse(body) as { message: string }).message : body }))
    }).on('upgrade', (res, socket) => {
      socket.destroy()
      resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], message: 'upgraded' })
    }).on('error', reject).end()
  })
}

const ATTACKS: Array<[string, string, string, Record<string, string>, RegExp]> = [
  ['a DNS-rebinding Host', 'GET', '/v1.41/containers/json', { Host: 'rebind.example:2375' }, /^swarmgate: refused: Host rebind\.example:2375 is not this proxy's address \(DNS rebinding\)/],
  ['a cross-site simple POST', 'POST', '/v1.41/containers/sg-none/kill', { Host: '127.0.0.1', Origin: 'https://evil.example', 'Content-Type': 'text/plain' }, /a request from a web page \(Origin: https:\/\/evil\.example\)/],
  ['a no-cors GET', 'GET', '/v1.41/info', { Host: '127.0.0.1', 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'no-cors' }, /a request from a web page \(Sec-Fetch-Site: cross-site\)/],
  ['the health endpoint (it names the account)', 'GET', '/_swarmgate/v1/health', { Host: 'rebind.example' }, /DNS rebinding/],
  ['a WebSocket attach', 'GET', '/v1.41/containers/sg-none/attach/ws?stream=1', {
    Host: '127.0.0.1', Origin: 'https://evil.example', Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ=='
  }, /a request from a web page \(Origin: https:\/\/evil\.example\)/]
]

t.test('web pages are refused and nothing reaches the engine', async (t) => {
  for (const [name, method, path, headers, message] of ATTACKS) {
    const before = relay.requestLines().length
    const answer = await call(method, path, headers)
    t.equal(answer.status, 403, name)
    t.equal(answer.contentType, 'application/json', `${name}: Docker-style`)
    t.match(answer.message, message, name)
    t.same(relay.requestLines().slice(before), [], `${name}: nothing reached the engine`)
  }
})

t.test('what the CLI sends passes', async (t) => {
  t.equal((await call('GET', '/_ping', { Host: 'localhost:1' })).status, 200, 'localhost, another port (a published or forwarded one)')
  t.equal((await call('GET', '/_ping', { Host: '[::1]:2375' })).status, 200, '[::1]')
  const tcp = await chain.docker(['version', '--format', '{{.Server.APIVersion}}'])
  t.equal(tcp.code, 0, `docker version over tcp:// (${tcp.stderr})`)
  const unix = await runDocker(['version', '--format', '{{.Server.APIVersion}}'], { host: chain.dockerSocketHost })
  t.equal(unix.code, 0, `docker version over unix:// (Host: api.moby.localhost) (${unix.stderr})`)
})
