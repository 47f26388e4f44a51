/**
 * server-proxy's Prometheus metrics (issue 13, "Operating it"), scraped from a real server-proxy
 * process in front of the real engine after calls whose counts the test knows exactly: allowed
 * and denied calls, a call without a token, a hijacked exec held open and then ended, token
 * grants and a refusal. The figures must match what was sent and the audit lines written.
 */
import t from 'tap'
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import { Agent, request } from 'undici'
import { BUSYBOX_IMAGE, docker, useEngine, waitFor } from '../testbed/index.js'
import { CONTAINER_ARGS } from '../harness/containers.js'
import { startProxyProcess, type ProxyProcess } from '../harness/proxy-process.js'
import { startHijackedExec } from '../harness/hijacked-exec.js'
import { createTestIdentity, ROLE_ACCOUNTS, type TestIdentity } from '../fixtures/identity.js'
import { auditLinesAfter, metricsUrlOf, metricValue, scrapeMetrics } from '../harness/metrics-scrape.js'
import type { MetricSample } from '../../packages/registration/src/proxy-figures.js'

useEngine(t)

/** The relay's audit lines are counted too (the relay is the default); SWARMGATE_TEST_RELAY=0 runs the file without it, as the chain does. */
const RELAY = process.env.SWARMGATE_TEST_RELAY !== '0'

let identity: TestIdentity
let server: ProxyProcess
let container: string
let dispatcher: Agent
let base: string
let metricsUrl: string

t.before(async () => {
  container = `sg-metrics-${randomBytes(4).toString('hex')}`
  await docker(['run', '-d', ...CONTAINER_ARGS, '--name', container, BUSYBOX_IMAGE, 'sleep', '600'])
  identity = await createTestIdentity('alice/test', Object.values(ROLE_ACCOUNTS))
  server = await startProxyProcess('server-proxy', ['--host', '127.0.0.1', '--port', '0', ...identity.serverArgs, '--metrics-address', '127.0.0.1:0', ...(RELAY ? [] : ['--relay=off'])])
  base = `https://127.0.0.1:${server.port}`
  dispatcher = new Agent({ connect: { ca: identity.caPem } })
  metricsUrl = await metricsUrlOf(server)
})
t.teardown(async () => {
  if (!t.passing()) t.comment(server?.lines().slice(-40).join('\n'))
  await dispatcher?.close()
  await server?.stop()
  await identity?.remove()
  await docker(['rm', '-f', container]).catch(() => {})
})

async function scrape (): Promise<MetricSample[]> {
  return await scrapeMetrics(metricsUrl)
}

async function token (form: Record<string, string>): Promise<{ status: number, body: Record<string, unknown> }> {
  const res = await request(`${base}/_swarmgate/v1/token`, { method: 'POST', dispatcher, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() })
  return { status: res.statusCode, body: await res.body.json() as Record<string, unknown> }
}

async function login (role: keyof typeof ROLE_ACCOUNTS): Promise<string> {
  const account = ROLE_ACCOUNTS[role]
  const answer = await token({ grant_type: 'password', username: account.name, password: account.password })
  if (answer.status !== 200) throw new Error(`login as ${account.name} answered ${answer.status}`)
  return answer.body.access_token as string
}

/** One Docker API call on a connection of its own: with --relay, a connection that carried a refusal or a token call stays on the careful path. */
async function call (method: string, path: string, accessToken: string | undefined, body?: unknown): Promise<{ status: number, body: string }> {
  const own = new Agent({ connect: { ca: identity.caPem } })
  try {
    const res = await request(`${base}${path}`, {
      method: method as 'GET',
      dispatcher: own,
      headers: { ...(accessToken === undefined ? {} : { authorization: `Bearer ${accessToken}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    return { status: res.statusCode, body: await res.body.text() }
  } finally {
    await own.close()
  }
}

t.test('the scrape endpoint: text format, GET and HEAD at /metrics only, and never on the public port', async (t) => {
  const res = await request(metricsUrl)
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8')
  const text = await res.body.text()
  t.match(text, /^# HELP swarmgate_build_info /m)
  t.match(text, /^swarmgate_build_info\{version="\d+\.\d+\.\d+[^"]*"\} 1$/m)
  t.match(text, /^swarmgate_hijacked_sessions_open 0$/m)
  const head = await request(metricsUrl, { method: 'HEAD' })
  t.equal(head.statusCode, 200)
  t.equal(await head.body.text(), '')
  t.equal((await request(metricsUrl.replace('/metrics', '/other'))).statusCode, 404)
  t.equal((await request(metricsUrl, { method: 'POST', body: 'x' })).statusCode, 405)
  const publicPort = await call('GET', '/metrics', undefined)
  t.equal(publicPort.status, 401, 'the public port answers /metrics as any Docker API path: a token is needed, and it is not a metrics endpoint')
})

t.test('calls, denials, a hijacked exec and token answers are counted exactly', { timeout: 60_000 }, async (t) => {
  const before = await scrape()
  const operator = await login('operator')
  const viewer = await login('viewer')

  t.equal((await call('GET', '/v1.41/containers/json', operator)).status, 200)
  t.equal((await call('GET', `/v1.41/containers/json?filters=${encodeURIComponent(JSON.stringify({ name: [container] }))}`, operator)).status, 200)
  t.equal((await call('GET', `/v1.41/containers/${container}/json`, undefined)).status, 401, 'no token')
  t.equal((await call('POST', `/v1.41/containers/${container}/kill`, viewer)).status, 403, 'a viewer may not kill')
  const created = await call('POST', `/v1.41/containers/${container}/exec`, operator, { Cmd: ['cat'], AttachStdin: true, AttachStdout: true, AttachStderr: true })
  t.equal(created.status, 201)
  const execId = (JSON.parse(created.body) as { Id: string }).Id

  const session = await startHijackedExec(server.port, identity.caPem, execId, operator)
  const open = await scrape()
  t.equal(metricValue(open, 'swarmgate_hijacked_sessions_open'), 1, 'the exec is open')
  t.equal(metricValue(open, 'swarmgate_calls_total', { action: 'exec.start', decision: 'allow', status: '101' }), 0, 'a session is counted when it ends')
  session.write('bye\n')
  session.end()
  await once(session, 'close')
  await waitFor('the session to end', async () => metricValue(await scrape(), 'swarmgate_hijacked_sessions_open') === 0 ? true : undefined, { timeoutMs: 15_000, intervalMs: 50 })

  const refused = await token({ grant_type: 'password', username: ROLE_ACCOUNTS.viewer.name, password: 'not the password' })
  t.equal(refused.status, 400)
  t.equal((await token({ grant_type: 'client_credentials' })).status, 400)

  const after = await scrape()
  const delta = (name: string, labels: Record<string, string> = {}): number => metricValue(after, name, labels) - metricValue(before, name, labels)
  const kill = server.records().find((r) => r.msg === 'audit' && r.action === 'container.kill')
  t.same({
    list: delta('swarmgate_calls_total', { action: 'container.list', decision: 'allow', status: '200' }),
    noToken: delta('swarmgate_calls_total', { action: 'container.inspect', decision: 'deny', status: '401' }),
    missing: delta('swarmgate_call_denials_total', { decision: 'deny', rule: 'SG_ERR_AUTH_MISSING' }),
    kill: delta('swarmgate_calls_total', { action: 'container.kill', decision: 'deny', status: '403' }),
    killRule: delta('swarmgate_call_denials_total', { decision: 'deny', rule: String(kill?.rule) }),
    execCreate: delta('swarmgate_calls_total', { action: 'container.exec-create', decision: 'allow', status: '201' }),
    execStart: delta('swarmgate_calls_total', { action: 'exec.start', decision: 'allow', status: '101' }),
    sessions: delta('swarmgate_hijacked_session_duration_seconds_count', { action: 'exec.start' }),
    listTimed: delta('swarmgate_call_duration_seconds_count', { action: 'container.list' }),
    grants: delta('swarmgate_token_grants_total', { grant: 'password' }),
    wrongPassword: delta('swarmgate_token_refusals_total', { grant: 'password', code: 'SG_ERR_LOGIN_INVALID' }),
    badGrant: delta('swarmgate_token_refusals_total', { grant: 'other', code: 'unsupported_grant_type' }),
    engineErrors: after.filter((s) => s.name === 'swarmgate_engine_errors_total').reduce((n, s) => n + s.value, 0)
  }, {
    list: 2, noToken: 1, missing: 1, kill: 1, killRule: 1, execCreate: 1, execStart: 1, sessions: 1, listTimed: 2, grants: 2, wrongPassword: 1, badGrant: 1, engineErrors: 0
  })
  t.equal(metricValue(after, 'swarmgate_hijacked_sessions_open'), 0)

  // The figures and the audit trail count the same calls: one per audit line, a session's start line aside.
  const counted = after.filter((s) => s.name === 'swarmgate_calls_total').reduce((n, s) => n + s.value, 0)
  t.equal(counted, await auditLinesAfter(server, counted), 'as many calls counted as audit lines written')
  if (RELAY) t.ok(server.records().some((r) => r.msg === 'audit' && r.path === 'relay'), 'the relay carried some of them')
  t.notMatch(after.map((s) => JSON.stringify(s.labels)).join('\n'), new RegExp(`${container}|${execId}`), 'no name or ID in a label')
})

t.test('a malformed --metrics-address stops the start as a usage error', async (t) => {
  const err = await startProxyProcess('server-proxy', ['--host', '127.0.0.1', '--port', '0', ...identity.serverArgs, '--metrics-address', 'nocolon']).then(async (p) => { await p.stop(); return undefined }, (e: Error) => e)
  t.match(err?.message, /exited 2\)[\s\S]*--metrics-address must be HOST:PORT \(IPv6 as \[::1\]:9323\): got "nocolon"/, 'exit status 2, as for any malformed flag, with the sentence')
})
