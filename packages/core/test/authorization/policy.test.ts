import t from 'tap'
import { Policy } from '../../src/authorization/policy.js'
import { parsePolicy } from '../../src/authorization/policy-document.js'
import type { Body, Call, Decision, Facts } from '../../src/authorization/types.js'

function call (method: string, action: string | undefined, route: string, extra: Partial<Call> = {}): Call {
  return { method, action, route, version: '1.41', params: {}, query: new Map(), headers: {}, ...extra }
}
const json = (value: unknown): Body => ({ kind: 'json', value })

const policy = new Policy(parsePolicy(`version: 1
allowlists:
  bindSources: [/srv/shared]
roles:
  deployer:
    base: operator
    deny: [container.exec-create, exec.*]
  restarter:
    base: viewer
    allow: [container.restart, swarm.init]
  careful:
    base: operator
    mode: audit
  auditor:
    base: owner
    deny: [swarm.*]
`))

interface Row {
  readonly role: string
  readonly call: Call
  readonly body?: Body
  readonly facts?: Facts
  /** 'allow', or the rule of the refusal; `~rule` for a refusal in audit mode (not enforced). */
  readonly expect: string
}

const CREATE = call('POST', 'container.create', '/containers/create')
const ROWS: readonly Row[] = [
  { role: 'owner', call: call('POST', 'swarm.init', '/swarm/init'), expect: 'allow' },
  { role: 'owner', call: call('POST', undefined, '/containers/x/newthing'), expect: 'allow' },
  { role: 'owner', call: CREATE, body: json({ HostConfig: { Privileged: true } }), expect: 'allow' },
  { role: 'operator', call: call('POST', undefined, '/containers/x/newthing'), expect: 'unknown-route' },
  { role: 'viewer', call: call('GET', undefined, '/nothing'), expect: 'unknown-route' },
  { role: 'operator', call: call('GET', 'swarm.inspect', '/swarm'), expect: 'no-join-tokens' },
  { role: 'operator', call: call('GET', 'swarm.unlockkey', '/swarm/unlockkey'), expect: 'no-join-tokens' },
  { role: 'operator', call: call('POST', 'swarm.leave', '/swarm/leave'), expect: 'no-swarm-control' },
  { role: 'operator', call: call('POST', 'node.update', '/nodes/x/update'), expect: 'no-node-changes' },
  { role: 'operator', call: call('DELETE', 'node.delete', '/nodes/x'), expect: 'no-node-changes' },
  { role: 'operator', call: call('POST', 'plugin.pull', '/plugins/pull'), expect: 'no-plugins' },
  { role: 'operator', call: call('GET', 'plugin.list', '/plugins'), expect: 'allow' },
  { role: 'operator', call: call('POST', 'session', '/session'), expect: 'no-buildkit' },
  { role: 'operator', call: call('GET', 'container.list', '/containers/json'), expect: 'allow' },
  { role: 'operator', call: CREATE, body: json({ Image: 'x', HostConfig: { Privileged: true } }), expect: 'no-privileged' },
  { role: 'operator', call: CREATE, body: json({ Image: 'x' }), expect: 'allow' },
  { role: 'operator', call: CREATE, body: { kind: 'undecodable', reason: 'the key Image twice', status: 400 }, expect: 'undecodable-body' },
  { role: 'operator', call: call('POST', 'build', '/build', { headers: { 'content-type': 'application/x-www-form-urlencoded' } }), expect: 'form-body' },
  { role: 'operator', call: call('POST', 'build', '/build', { headers: { 'content-type': 'Multipart/Form-Data; boundary=x' } }), expect: 'form-body' },
  { role: 'viewer', call: call('GET', 'container.logs', '/containers/x/logs'), expect: 'allow' },
  { role: 'viewer', call: call('POST', 'container.exec-create', '/containers/x/exec'), expect: 'read-only' },
  { role: 'viewer', call: call('GET', 'container.attach-ws', '/containers/x/attach/ws'), expect: 'read-only' },
  { role: 'viewer', call: call('GET', 'container.archive-get', '/containers/x/archive'), expect: 'read-only' },
  { role: 'viewer', call: call('GET', 'container.export', '/containers/x/export'), expect: 'read-only' },
  { role: 'viewer', call: call('GET', 'image.save', '/images/get'), expect: 'read-only' },
  { role: 'viewer', call: call('GET', 'swarm.inspect', '/swarm'), expect: 'read-only' },
  { role: 'deployer', call: call('POST', 'container.exec-create', '/containers/x/exec'), expect: 'role-deny' },
  { role: 'deployer', call: call('POST', 'exec.start', '/exec/x/start'), expect: 'role-deny' },
  { role: 'deployer', call: CREATE, body: json({ Image: 'x', HostConfig: { Binds: ['/srv/shared/a:/a'] } }), expect: 'allow' },
  { role: 'deployer', call: CREATE, body: json({ Image: 'x', HostConfig: { Binds: ['/etc:/a'] } }), expect: 'no-host-bind' },
  { role: 'restarter', call: call('POST', 'container.restart', '/containers/x/restart'), facts: { container: null }, expect: 'allow' },
  { role: 'restarter', call: call('POST', 'container.stop', '/containers/x/stop'), expect: 'read-only' },
  { role: 'restarter', call: call('POST', 'swarm.init', '/swarm/init'), expect: 'read-only' },
  { role: 'careful', call: CREATE, body: json({ Image: 'x', HostConfig: { Privileged: true } }), expect: '~no-privileged' },
  { role: 'careful', call: call('GET', 'swarm.inspect', '/swarm'), expect: '~no-join-tokens' },
  { role: 'auditor', call: call('POST', 'swarm.init', '/swarm/init'), expect: 'role-deny' },
  { role: 'auditor', call: CREATE, body: json({ HostConfig: { Privileged: true } }), expect: 'allow' },
  { role: 'nobody', call: call('GET', 'system.ping', '/_ping'), expect: 'unknown-role' },
  { role: 'user', call: call('GET', 'system.ping', '/_ping'), expect: 'unknown-role' }
]

function outcome (d: Decision): string {
  return d.allow ? 'allow' : `${d.enforced ? '' : '~'}${d.rule}`
}

t.test('decisions by role', async (t) => {
  for (const row of ROWS) {
    const role = policy.role(row.role)
    const d = policy.decide(role, row.role, row.call, row.body, row.facts)
    t.equal(outcome(d), row.expect, `${row.role} ${row.call.method} ${row.call.route}`)
    if (!d.allow) {
      t.match(d.message, new RegExp(`^swarmgate: denied: ${row.role} may not .+ \\(rule ${d.rule}\\)$`))
      t.equal(d.status, d.rule === 'undecodable-body' ? 400 : 403)
    }
  }
})

t.test('what a decision needs', async (t) => {
  const needs = (...args: Parameters<Policy['needs']>): { body: boolean, facts: readonly string[] } => {
    const n = policy.needs(...args)
    return { body: n.body, facts: n.facts }
  }
  t.same(needs(policy.role('owner'), CREATE), { body: false, facts: [] }, 'the owner needs nothing')
  t.same(needs(policy.role('operator'), CREATE), { body: true, facts: [] })
  t.same(needs(policy.role('viewer'), CREATE), { body: false, facts: [] }, 'a call refused by the action table needs nothing more')
  t.same(needs(policy.role('operator'), call('POST', 'container.exec-create', '/containers/x/exec')).facts, ['container'])
  t.same(needs(policy.role('operator'), call('POST', 'exec.start', '/exec/x/start')).facts, ['exec'])
  t.same(needs(policy.role('operator'), call('POST', 'service.create', '/services/create')), { body: true, facts: ['swarm-objects'] })
  t.same(needs(policy.role('operator'), call('GET', 'container.list', '/containers/json')), { body: false, facts: [] })
  t.same(needs(undefined, CREATE), { body: false, facts: [] })
})

t.test('allowlists merge the document\'s with the role\'s', async (t) => {
  t.same(policy.role('deployer')?.allowlists.bindSources, ['/srv/shared'])
  t.same(new Policy().role('operator')?.allowlists, { bindSources: [], capabilities: [] })
  t.equal(new Policy().role('deployer'), undefined)
})

t.test('entering a container the role could not have created', async (t) => {
  const exec = call('POST', 'container.exec-create', '/containers/x/exec', { params: { id: 'x' } })
  const inspected = (hostConfig: Record<string, unknown>, labels: Record<string, string> = {}, mounts: unknown[] = []): Facts => ({
    container: {
      Id: 'abc',
      Config: { Labels: labels },
      // What the engine fills in for an ordinary container on a cgroup v1 host.
      HostConfig: { NetworkMode: 'default', CgroupnsMode: 'host', Runtime: 'runc', MaskedPaths: ['/proc/kcore'], ReadonlyPaths: ['/proc/sys'], ...hostConfig },
      Mounts: mounts
    }
  })
  const decide = (facts: Facts): string => outcome(policy.decide(policy.role('operator'), 'operator', exec, json({ Cmd: ['sh'] }), facts))
  t.equal(decide(inspected({})), 'allow', 'an ordinary container')
  t.equal(decide({ container: null }), 'allow', 'no such container: the engine answers 404')
  t.equal(decide(inspected({ Privileged: true })), 'no-privileged')
  t.equal(decide(inspected({}, { 'io.swarmgate.component': 'server-proxy' })), 'swarmgate-object')
  t.equal(decide(inspected({}, {}, [{ Type: 'bind', Source: '/var/run/docker.sock', Destination: '/var/run/docker.sock' }])), 'no-host-bind')
  t.equal(decide(inspected({}, {}, [{ Type: 'bind', Source: '/srv/shared/x', Destination: '/x' }])), 'allow', 'an allowlisted bind')
  t.equal(decide(inspected({ MaskedPaths: [] })), 'no-system-paths')
  t.equal(decide(inspected({ PidMode: 'host' })), 'no-host-namespace')
  t.equal(outcome(policy.decide(policy.role('operator'), 'operator', exec, json({ Cmd: ['sh'], Privileged: true }), inspected({}))), 'no-privileged')
})
