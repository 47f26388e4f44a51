/**
 * A node agent's Prometheus metrics (issue 13, "Operating it"): a real `--node-agent` process in
 * front of the real engine, given `--metrics-address` as registration gives it, serves the figures
 * a manager's server-proxy serves, counting the calls it carries: an asserted call allowed, one
 * without an assertion refused, each under its action, decision and status, as many as its audit
 * lines.
 */
import t from 'tap'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { parseArgs } from '@swarmgate/core'
import { createAgentIdentity, verifyingKeySet } from '@swarmgate/registration'
import { useEngine, ENGINE_SOCKET } from '../testbed/index.js'
import { startProxyProcess, type ProxyProcess } from '../harness/proxy-process.js'
import { createTestIdentity, type TestIdentity } from '../fixtures/identity.js'
import { signNodeAssertion } from '../../packages/server-proxy/src/nodes/index.js'
import { loadSigningKeys } from '../../packages/server-proxy/src/signing-keys.js'
import { tokenSettings } from '../../packages/server-proxy/src/app.js'
import { program } from '../../packages/server-proxy/src/config.js'
import { auditLinesAfter, metricsUrlOf, metricValue, scrapeMetrics } from '../harness/metrics-scrape.js'

useEngine(t)

const NODE = 'metricsnode000000000000000'
const ASSERTION = 'x-swarmgate-node-assertion'

let identity: TestIdentity
/** The agent's flags: the process is started with them, and the assertions are signed for what they say. */
let agentArgs: string[]
let agent: ProxyProcess
let pinned: Agent
let metricsUrl: string

t.before(async () => {
  identity = await createTestIdentity('alice/agent-metrics')
  const publicKeys = join(identity.dir, 'verify-keys.json')
  await writeFile(publicKeys, verifyingKeySet(await readFile(identity.signingKeys, 'utf8')))
  const agentTls = await createAgentIdentity(identity.swarm)
  await writeFile(join(identity.dir, 'agent-cert.pem'), agentTls.certPem)
  await writeFile(join(identity.dir, 'agent-key.pem'), agentTls.keyPem)
  agentArgs = ['--node-agent', '--node-id', NODE, '--host', '127.0.0.1', '--port', '0', '--swarm-name', identity.swarm,
    '--signing-keys', publicKeys, '--tls-cert', join(identity.dir, 'agent-cert.pem'), '--tls-key', join(identity.dir, 'agent-key.pem'),
    '--engine-socket', ENGINE_SOCKET, '--metrics-address', '127.0.0.1:0']
  agent = await startProxyProcess('server-proxy', agentArgs)
  pinned = new Agent({ connect: { ca: agentTls.caPem, servername: 'swarmgate-node-agent' } })
  metricsUrl = await metricsUrlOf(agent)
})
t.teardown(async () => {
  if (!t.passing()) t.comment(agent?.lines().slice(-30).join('\n'))
  await pinned?.close()
  await agent?.stop()
  await identity?.remove()
})

async function call (path: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await request(`https://127.0.0.1:${agent.port}${path}`, { dispatcher: pinned, headers })
  await res.body.dump()
  return res.statusCode
}

t.test('an agent serves the managers\' metrics and counts the calls it carries', async (t) => {
  const before = await scrapeMetrics(metricsUrl)
  t.ok(before.some((s) => s.name === 'swarmgate_build_info' && /^\d+\.\d+\.\d+/.test(s.labels.version ?? '')), 'its version')
  t.ok(before.some((s) => s.name === 'swarmgate_hijacked_sessions_open'), 'the same series as a manager\'s')

  const keys = await loadSigningKeys(await readFile(identity.signingKeys, 'utf8'))
  const parsed = parseArgs(program, agentArgs, {})
  if (parsed.action !== 'run') throw new Error('unexpected parse result')
  const settings = tokenSettings(parsed.config)
  const assertion = await signNodeAssertion(keys, settings, { principal: { name: 'alice', role: 'owner' }, node: NODE, method: 'GET', path: '/v1.41/containers/json' })
  t.equal(await call('/v1.41/containers/json', { [ASSERTION]: assertion }), 200, 'an asserted call')
  t.equal(await call('/v1.41/containers/json'), 401, 'a call without an assertion')

  const after = await scrapeMetrics(metricsUrl)
  const delta = (name: string, labels: Record<string, string>): number => metricValue(after, name, labels) - metricValue(before, name, labels)
  t.same({
    allowed: delta('swarmgate_calls_total', { action: 'container.list', decision: 'allow', status: '200' }),
    refused: delta('swarmgate_calls_total', { action: 'container.list', decision: 'deny', status: '401' }),
    rule: delta('swarmgate_call_denials_total', { decision: 'deny', rule: 'SG_ERR_AUTH_NO_ASSERTION' }),
    timed: delta('swarmgate_call_duration_seconds_count', { action: 'container.list' })
  }, { allowed: 1, refused: 1, rule: 1, timed: 2 })
  const counted = after.filter((s) => s.name === 'swarmgate_calls_total').reduce((n, s) => n + s.value, 0)
  t.equal(counted, await auditLinesAfter(agent, counted), 'as many calls counted as audit lines written')
})
