import t from 'tap'
import { ServerMetrics } from '../../src/metrics/index.js'

/** The value of the sample `name{labels}` exactly as rendered, or undefined when there is no such line. */
function sample (text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

const NOW = 1_700_000_000_000

t.test('plain calls: counted by action, decision and status; their duration in the histogram by action', async (t) => {
  const m = new ServerMetrics('1.2.3', () => NOW)
  m.audited({ method: 'GET', route: '/containers/json', action: 'container.list', decision: 'allow', status: 200, durationMs: 3 })
  m.audited({ method: 'GET', route: '/containers/json', action: 'container.list', decision: 'allow', status: 200, durationMs: 40 })
  m.audited({ method: 'POST', route: '/containers/create', action: 'container.create', decision: 'deny', rule: 'privileged', status: 403, durationMs: 1 })
  m.audited({ method: 'POST', route: '/containers/create', action: 'container.create', decision: 'would-deny', rule: 'privileged', status: 201, durationMs: 9 })
  const text = m.registry.render()
  t.equal(sample(text, 'swarmgate_build_info{version="1.2.3"}'), 1)
  t.equal(sample(text, 'process_start_time_seconds'), NOW / 1000)
  t.equal(sample(text, 'swarmgate_calls_total{action="container.list",decision="allow",status="200"}'), 2)
  t.equal(sample(text, 'swarmgate_calls_total{action="container.create",decision="deny",status="403"}'), 1)
  t.equal(sample(text, 'swarmgate_calls_total{action="container.create",decision="would-deny",status="201"}'), 1)
  t.equal(sample(text, 'swarmgate_call_denials_total{decision="deny",rule="privileged"}'), 1)
  t.equal(sample(text, 'swarmgate_call_denials_total{decision="would-deny",rule="privileged"}'), 1)
  t.equal(sample(text, 'swarmgate_call_duration_seconds_bucket{action="container.list",le="0.005"}'), 1)
  t.equal(sample(text, 'swarmgate_call_duration_seconds_bucket{action="container.list",le="0.05"}'), 2)
  t.equal(sample(text, 'swarmgate_call_duration_seconds_count{action="container.list"}'), 2)
  t.ok(Math.abs((sample(text, 'swarmgate_call_duration_seconds_sum{action="container.list"}') ?? 0) - 0.043) < 1e-9, 'the sum of the durations, in seconds')
  t.equal(sample(text, 'swarmgate_engine_errors_total'), undefined, 'no engine error series before one happened')
  t.equal(sample(text, 'swarmgate_engine_last_error_timestamp_seconds'), 0)
})

t.test('a call refused before it was routed is counted under its action, never its path', async (t) => {
  const m = new ServerMetrics('1.2.3')
  m.audited({ method: 'GET', route: '/v1.41/containers/0123456789ab/json?size=1', decision: 'deny', rule: 'SG_ERR_AUTH_EXPIRED', status: 401, durationMs: 0.2 })
  m.audited({ method: 'GET', route: '/no/such/route/4f2a', decision: 'deny', rule: 'SG_ERR_AUTH_MISSING', status: 401, durationMs: 0.1 })
  const text = m.registry.render()
  t.equal(sample(text, 'swarmgate_calls_total{action="container.inspect",decision="deny",status="401"}'), 1)
  t.equal(sample(text, 'swarmgate_calls_total{action="unknown",decision="deny",status="401"}'), 1)
  t.equal(sample(text, 'swarmgate_call_denials_total{decision="deny",rule="SG_ERR_AUTH_EXPIRED"}'), 1)
  t.notMatch(text, /0123456789ab|4f2a/, 'no ID or path reaches a label')
})

t.test('hijacked sessions: open while between start and end, counted as a call at the end, their duration apart', async (t) => {
  const m = new ServerMetrics('1.2.3')
  const who = { method: 'POST', route: '/exec/abc/start', action: 'exec.start', decision: 'allow', hijack: true }
  m.audited({ ...who, event: 'hijack-start' })
  m.audited({ ...who, event: 'hijack-start' })
  let text = m.registry.render()
  t.equal(sample(text, 'swarmgate_hijacked_sessions_open'), 2)
  t.equal(sample(text, 'swarmgate_calls_total{action="exec.start",decision="allow",status="101"}'), undefined, 'not counted before it ends')
  m.audited({ ...who, event: 'hijack-end', status: 101, durationMs: 2500 })
  m.audited({ method: 'POST', route: '/containers/x/attach', action: 'container.attach', decision: 'deny', rule: 'swarmgate-object', status: 403, hijack: true })
  text = m.registry.render()
  t.equal(sample(text, 'swarmgate_hijacked_sessions_open'), 1)
  t.equal(sample(text, 'swarmgate_calls_total{action="exec.start",decision="allow",status="101"}'), 1)
  t.equal(sample(text, 'swarmgate_calls_total{action="container.attach",decision="deny",status="403"}'), 1)
  t.equal(sample(text, 'swarmgate_hijacked_session_duration_seconds_bucket{action="exec.start",le="1"}'), 0)
  t.equal(sample(text, 'swarmgate_hijacked_session_duration_seconds_bucket{action="exec.start",le="5"}'), 1)
  t.equal(sample(text, 'swarmgate_call_duration_seconds_count{action="exec.start"}'), undefined, 'sessions stay out of the call histogram')
})

t.test('engine errors: by stage and error code, with the time of the last', async (t) => {
  let now = NOW
  const m = new ServerMetrics('1.2.3', () => now)
  const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
  m.audited({ method: 'GET', route: '/containers/json', action: 'container.list', decision: 'allow', status: 503, durationMs: 1, err: refused })
  now += 5000
  m.audited({ method: 'POST', route: '/exec/a/start', action: 'exec.start', decision: 'allow', hijack: true, event: 'hijack-end', status: 0, durationMs: 4, err: new Error('no code: a sentence') })
  m.audited({ method: 'POST', route: '/containers/c/exec', decision: 'deny', rule: 'SG_ERR_FACTS_UNAVAILABLE', status: 503, durationMs: 2 })
  const text = m.registry.render()
  t.equal(sample(text, 'swarmgate_engine_errors_total{stage="call",code="ECONNREFUSED"}'), 1)
  t.equal(sample(text, 'swarmgate_engine_errors_total{stage="hijack",code="other"}'), 1)
  t.equal(sample(text, 'swarmgate_engine_errors_total{stage="facts",code="SG_ERR_FACTS_UNAVAILABLE"}'), 1)
  t.equal(sample(text, 'swarmgate_engine_last_error_timestamp_seconds'), (NOW + 5000) / 1000)
  t.equal(sample(text, 'swarmgate_hijacked_sessions_open'), -1, 'an end without its start shows as such (never happens: each start line has its end)')
})

t.test('token answers: grants by grant type, refusals by the code their body carries', async (t) => {
  const m = new ServerMetrics('1.2.3')
  m.tokenAnswered('password', 200, '{"access_token":"x"}')
  m.tokenAnswered('refresh_token', 200, '{"access_token":"x"}')
  m.tokenAnswered('password', 400, JSON.stringify({ error: 'invalid_grant', code: 'SG_ERR_LOGIN_INVALID' }))
  m.tokenAnswered('password', 429, JSON.stringify({ error: 'slow_down' }))
  m.tokenAnswered('client_credentials', 400, JSON.stringify({ error: 'unsupported_grant_type' }))
  m.tokenAnswered(undefined, 415, JSON.stringify({ statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', error: 'Unsupported Media Type' }))
  m.tokenAnswered('password', 500, 'not json')
  m.tokenAnswered('password', 400, JSON.stringify({ code: 'a label with spaces and "quotes"' }))
  const text = m.registry.render()
  t.equal(sample(text, 'swarmgate_token_grants_total{grant="password"}'), 1)
  t.equal(sample(text, 'swarmgate_token_grants_total{grant="refresh_token"}'), 1)
  t.equal(sample(text, 'swarmgate_token_refusals_total{grant="password",code="SG_ERR_LOGIN_INVALID"}'), 1)
  t.equal(sample(text, 'swarmgate_token_refusals_total{grant="password",code="slow_down"}'), 1)
  t.equal(sample(text, 'swarmgate_token_refusals_total{grant="other",code="unsupported_grant_type"}'), 1)
  t.equal(sample(text, 'swarmgate_token_refusals_total{grant="other",code="FST_ERR_CTP_INVALID_MEDIA_TYPE"}'), 1)
  t.equal(sample(text, 'swarmgate_token_refusals_total{grant="password",code="status_500"}'), 1)
  t.equal(sample(text, 'swarmgate_token_refusals_total{grant="password",code="other"}'), 1, 'a code that is not a code-like word is not a label value')
})
