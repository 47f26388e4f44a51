/**
 * Conformance (issue #3, item 10): a docker CLI killed with SIGKILL in the middle of `logs -f`
 * (a streamed response) and of `attach` (a hijacked connection) leaves no socket open in either
 * proxy. Each proxy's open file descriptors (/proc/<pid>/fd) are counted once the chain is idle,
 * before and after; the count must come back down to that baseline within a bounded wait. The
 * chain reaches the engine through a socket relay, which shows the engine connections close too.
 * A client that vanishes without closing (no FIN, no RST) is found by TCP keepalive, checked on
 * the sockets themselves with `ss` (waiting, within a deadline, for the keepalive timer to show).
 */
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { Pool } from 'undici'
import { BUSYBOX_IMAGE, docker, run, useEngine, waitFor } from '../testbed/index.js'
import { CONTAINER_ARGS } from '../harness/containers.js'
import { logsOnFailure, startChain, type Chain } from '../harness/chain.js'
import { spawnDocker } from '../harness/docker-process.js'
import { fdsBackTo, idleFds } from '../harness/fds.js'
import { startSocketRelay, type SocketRelay } from '../harness/socket-relay.js'

useEngine(t)

let relay: SocketRelay
let chain: Chain
let ticker: string
let baseline: { server: number, client: number }

t.before(async () => {
  relay = await startSocketRelay()
  chain = await startChain({ engineSocket: relay.path })
  ticker = `sg-conf-leaks-${randomBytes(4).toString('hex')}`
  await docker(['run', '-d', '-i', ...CONTAINER_ARGS, '--name', ticker, BUSYBOX_IMAGE, 'sh', '-c', 'while true; do echo tick; sleep 0.2; done'])
  // Warm up every path once (TLS session, pools), then count once idle connections have closed.
  await chain.docker(['logs', '--tail', '1', ticker])
  await chain.docker(['exec', ticker, 'true'])
  const [server, client] = await Promise.all([idleFds(chain.server), idleFds(chain.client!)])
  baseline = { server, client }
})
t.teardown(async () => {
  await docker(['rm', '-f', ticker]).catch(() => {})
  logsOnFailure(t, chain)
  await chain?.close()
  await relay?.close()
})

for (const scenario of [
  { name: 'logs -f', args: () => ['logs', '-f', '--tail', '1', ticker] },
  { name: 'attach', args: () => ['attach', ticker] }
]) {
  t.test(`10. kill -9 of the CLI in the middle of docker ${scenario.name} leaks no socket`, { timeout: 60_000 }, async (t) => {
    const cli = spawnDocker(chain.dockerHost, scenario.args())
    await cli.waitForOutput(/tick\n[^]*tick\n/)
    const during = { server: await chain.server.openFds(), client: await chain.client!.openFds() }
    t.ok(during.server > baseline.server && during.client > baseline.client, `the stream holds descriptors in both proxies (server ${baseline.server} -> ${during.server}, client ${baseline.client} -> ${during.client})`)
    t.ok(relay.open >= 1, 'and a connection to the engine')

    t.same(await cli.stop('SIGKILL'), { code: null, signal: 'SIGKILL' }, 'the CLI is killed mid-stream')
    const after = { server: await fdsBackTo(chain.server, baseline.server), client: await fdsBackTo(chain.client!, baseline.client) }
    t.ok(after.server <= baseline.server, `server-proxy is back to its baseline (${baseline.server}, now ${after.server})`)
    t.ok(after.client <= baseline.client, `client-proxy is back to its baseline (${baseline.client}, now ${after.client})`)
    await waitFor('the engine connections to close', async () => relay.open === 0 ? true : undefined, { timeoutMs: 10_000, intervalMs: 100 })
    t.pass('no connection to the engine is left open')
  })
}

t.test('a silent stream is probed with TCP keepalive on both sides of the TLS hop', { timeout: 60_000 }, async (t) => {
  // A laptop closed during `docker logs -f` sends nothing: without keepalive, server-proxy would
  // hold that stream and its engine connection for good, and NAT in between would drop it.
  const pool = new Pool(chain.dockerHost.replace(/^tcp:/, 'http:'), { bodyTimeout: 0 })
  t.teardown(async () => { await pool.destroy() })
  const res = await pool.request({ path: '/events', method: 'GET' })
  res.body.resume()
  const port = new URL(chain.serverUrl).port
  const sockets = async (filter: string): Promise<string[]> => (await run('ss', ['-tno', 'state', 'established', filter])).stdout
    .split('\n').filter((l) => l.trim() !== '' && !l.startsWith('Recv-Q'))
  // ss shows one timer per socket, and the keepalive timer only once nothing sent waits for its
  // acknowledgement: until then (on a busy machine, a while) it shows the retransmission timer
  // `timer:(on,...)`. A socket without SO_KEEPALIVE never shows it; so wait, within a deadline,
  // until every connection of the hop shows it on both ends.
  const keepalive = /timer:\(keepalive,/
  const seen = await waitFor('every connection between the proxies to show the keepalive timer on both ends', async () => {
    const [accepted, dialled] = await Promise.all([sockets(`( sport = :${port} )`), sockets(`( dport = :${port} )`)])
    const quiet = (lines: string[]): boolean => lines.length > 0 && lines.every((l) => keepalive.test(l))
    if (quiet(accepted) && quiet(dialled)) return { accepted, dialled }
    throw new Error(`server-proxy's side:\n${accepted.join('\n')}\nclient-proxy's side:\n${dialled.join('\n')}`)
  }, { timeoutMs: 40_000, intervalMs: 250 })
  t.pass(`server-proxy's side of the connection:\n${seen.accepted.join('\n')}`)
  t.pass(`client-proxy's side of the connection:\n${seen.dialled.join('\n')}`)
  res.body.destroy()
})

t.test('10. the proxies logged the killed calls as ended', { timeout: 10_000 }, async (t) => {
  const records = chain.server.records()
  t.ok(records.some((r) => r.msg === 'audit' && r.action === 'container.logs' && r.clientAborted === true), 'the follow call ended, aborted by the client')
  t.ok(records.some((r) => r.msg === 'audit' && r.event === 'hijack-end' && r.action === 'container.attach'), 'the attach session ended')
})
