import t from 'tap'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { createLogger, hasCode } from '@swarmgate/core'
import { SwarmUpstream } from '../../src/swarm/index.js'

interface Endpoint { host: string, port: number }

/** Four endpoints nothing listens on (a listener opened and closed): probes of them are refused at once. */
async function deadEndpoints (): Promise<[Endpoint, Endpoint, Endpoint, Endpoint]> {
  const out: Endpoint[] = []
  for (let i = 0; i < 4; i++) {
    const s = net.createServer()
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
    out.push({ host: '127.0.0.1', port: (s.address() as AddressInfo).port })
    await new Promise<void>((resolve) => s.close(() => resolve()))
  }
  return out as [Endpoint, Endpoint, Endpoint, Endpoint]
}

const key = (e: Endpoint): string => `127.0.0.1:${e.port}`

const logger = createLogger({ name: 'client-proxy', level: process.env.TEST_LOG_LEVEL ?? 'silent' })
const trust = { pin: `sha256:${'0'.repeat(64)}` }

t.test('health decides where calls go', async (t) => {
  const [a, b, c] = await deadEndpoints()
  const upstream = new SwarmUpstream([a, b, c], trust, logger)
  t.teardown(async () => { await upstream.close() })
  t.same(upstream.pick(), a, 'the first endpoint while it is healthy')
  upstream.markUnhealthy(a, 'its engine is gone', true)
  t.same(upstream.pick(), b, 'the next healthy one after it')
  t.same(upstream.status()[0], { endpoint: key(a), healthy: false, reason: 'its engine is gone' })
  upstream.markUnhealthy(c, 'refused', false)
  t.same(upstream.pick(), b, 'the current one stays while healthy')
  upstream.markUnhealthy(b, 'refused', false)
  t.equal(upstream.pick(), undefined, 'none when none is healthy')
  const err = upstream.noneUsable()
  t.ok(hasCode(err, 'SG_ERR_ALL_ENDPOINTS_DOWN'))
  for (const e of [a, b, c]) t.match(err.message, `${key(e)}: `, 'the error names each endpoint with its problem')
})

t.test('the list follows the swarm only where the swarm names the endpoint it was asked at', async (t) => {
  const [a, b, c, d] = await deadEndpoints()
  const upstream = new SwarmUpstream([a, b], trust, logger)
  t.teardown(async () => { await upstream.close() })
  t.equal(upstream.adopt([c, d], a), false, 'a list that does not name the endpoint asked is not adopted (NAT, DNS names)')
  t.same(upstream.list(), [a, b].map(key), 'the list stays')
  t.equal(upstream.adopt([c, a, c, d], a), true, 'a list naming it is adopted')
  t.same(upstream.list(), [c, a, d].map(key), 'in the swarm\'s order, each endpoint once')
  t.same(upstream.endpoint, a, 'and the current endpoint stays')
  t.equal(upstream.adopt([c, a, d], a), false, 'the same list again changes nothing')
})
