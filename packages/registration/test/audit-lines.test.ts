import t from 'tap'
import { auditReport, formatAuditLine, matchesAudit, parseAuditLine } from '../src/audit-lines.js'

const T0 = Date.parse('2026-11-24T15:01:02Z')

/** A line as server-proxy's pino logger writes it. */
function line (fields: Record<string, unknown>): string {
  return JSON.stringify({ level: 30, time: T0, pid: 1, hostname: 'manager-1', msg: 'audit', account: 'bob', role: 'operator', source: '203.0.113.9', method: 'POST', route: '/containers/create', decision: 'deny', rule: 'no-privileged', status: 403, bytesIn: 512, bytesOut: 120, durationMs: 3, ...fields })
}

const ALL = { account: undefined, since: undefined, denied: false }

t.test('an audit line is read and printed on one line', async (t) => {
  const parsed = parseAuditLine(line({}))
  t.match(parsed, { time: T0, account: 'bob', role: 'operator', decision: 'deny', status: 403, event: undefined })
  t.equal(formatAuditLine(parsed as NonNullable<typeof parsed>), '2026-11-24T15:01:02Z  bob(operator)  203.0.113.9  POST /containers/create  denied  no-privileged  403')
  const allowed = parseAuditLine(line({ decision: 'allow', rule: 'operator', status: 201, time: T0 + 456 }))
  t.equal(formatAuditLine(allowed as NonNullable<typeof allowed>), '2026-11-24T15:01:02Z  bob(operator)  203.0.113.9  POST /containers/create  allowed  operator  201')
})

t.test('hijacked sessions print their start and their end with bytes and duration', async (t) => {
  const start = parseAuditLine(line({ decision: 'allow', rule: 'operator', status: undefined, event: 'hijack-start', route: '/exec/abc/start' }))
  const end = parseAuditLine(line({ decision: 'allow', rule: 'operator', status: 101, event: 'hijack-end', route: '/exec/abc/start', bytesIn: 10, bytesOut: 2048, durationMs: 1500 }))
  t.equal(formatAuditLine(start as NonNullable<typeof start>), '2026-11-24T15:01:02Z  bob(operator)  203.0.113.9  POST /exec/abc/start  allowed  operator  -  session started')
  t.equal(formatAuditLine(end as NonNullable<typeof end>), '2026-11-24T15:01:02Z  bob(operator)  203.0.113.9  POST /exec/abc/start  allowed  operator  101  session ended: 10 bytes in, 2048 bytes out, 1500 ms')
})

t.test('other lines are not audit lines', async (t) => {
  for (const other of ['', 'listening on 2376', '{"msg":"request completed","time":1}', '{"msg":"audit"}', '{broken', '[1,2]', 'null']) {
    t.equal(parseAuditLine(other), undefined, JSON.stringify(other))
  }
  const odd = parseAuditLine(JSON.stringify({ msg: 'audit', time: T0, decision: 'maybe', status: '403', event: 'other' }))
  t.match(odd, { decision: undefined, status: undefined, event: undefined, account: undefined }, 'fields of another shape are left out')
  t.equal(formatAuditLine(odd as NonNullable<typeof odd>), '2026-11-24T15:01:02Z  -(-)  -  - -  -  -  -')
})

t.test('filters: account, since and denied (deny and would-deny)', async (t) => {
  const bob = parseAuditLine(line({})) as NonNullable<ReturnType<typeof parseAuditLine>>
  const carol = { ...bob, account: 'carol', decision: 'allow' as const }
  const audited = { ...bob, decision: 'would-deny' as const }
  t.ok(matchesAudit(bob, ALL))
  t.ok(matchesAudit(bob, { ...ALL, account: 'bob' }))
  t.notOk(matchesAudit(carol, { ...ALL, account: 'bob' }))
  t.ok(matchesAudit(bob, { ...ALL, since: T0 }))
  t.notOk(matchesAudit(bob, { ...ALL, since: T0 + 1 }))
  t.ok(matchesAudit(bob, { ...ALL, denied: true }))
  t.ok(matchesAudit(audited, { ...ALL, denied: true }))
  t.notOk(matchesAudit(carol, { ...ALL, denied: true }))
})

t.test('the report merges the tasks\' lines by time and leaves the rest out', async (t) => {
  const output = [
    line({ time: T0 + 2000, account: 'carol', decision: 'allow', rule: 'viewer', route: '/containers/json', method: 'GET', status: 200 }),
    'server-proxy listening',
    line({ time: T0 }),
    line({ time: T0 + 1000, decision: 'would-deny', rule: 'no-bind-mounts' }),
    ''
  ].join('\n')
  t.same(auditReport(output, ALL).map((l) => l.split('  ').slice(0, 2).join('  ')), [
    '2026-11-24T15:01:02Z  bob(operator)',
    '2026-11-24T15:01:03Z  bob(operator)',
    '2026-11-24T15:01:04Z  carol(operator)'
  ])
  t.same(auditReport(output, { ...ALL, denied: true }).map((l) => l.split('  ')[4]), ['denied', 'would-deny'])
  t.same(auditReport(output, { ...ALL, account: 'carol' }).length, 1)
})
