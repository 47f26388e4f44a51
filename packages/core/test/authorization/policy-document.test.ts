import t from 'tap'
import { DEFAULT_POLICY, parsePolicy } from '../../src/authorization/policy-document.js'
import { hasCode } from '../../src/errors.js'

const GOOD = `version: 1
allowlists:
  bindSources: [/srv/shared/, //data]
  capabilities: [cap_net_admin]
roles:
  operator:
    mode: audit
  deployer:
    base: operator
    deny: [container.exec-create, exec.*]
    allowlists:
      bindSources: [/srv/deployer]
  auditor:
    base: viewer
    allow: [container.restart]
`

t.test('a valid document', async (t) => {
  const doc = parsePolicy(GOOD)
  t.same(doc.allowlists, { bindSources: ['/srv/shared', '/data'], capabilities: ['NET_ADMIN'] }, 'paths cleaned, capabilities in Docker spelling')
  t.same(doc.roles.get('operator'), { base: 'operator', mode: 'audit', deny: [], allow: [], allowlists: { bindSources: [], capabilities: [] } })
  t.same(doc.roles.get('deployer'), { base: 'operator', mode: 'enforce', deny: ['container.exec-create', 'exec.*'], allow: [], allowlists: { bindSources: ['/srv/deployer'], capabilities: [] } })
  t.equal(doc.roles.get('auditor')?.base, 'viewer')
  t.same(parsePolicy('version: 1\n').roles.size, 0)
  t.equal(DEFAULT_POLICY.roles.size, 0)
})

// Each broken document: the line the message must name and what it must say.
const BROKEN: ReadonlyArray<readonly [string, string, number, RegExp]> = [
  ['not YAML', 'version: 1\nroles: [\n', 3, /line \d+/],
  ['duplicate key', 'version: 1\nversion: 1\n', 2, /key version twice/],
  ['role twice', 'version: 1\nroles:\n  ops:\n    base: viewer\n  ops:\n    base: owner\n', 5, /defined twice/],
  ['wrong version', 'version: 2\n', 1, /version must be 1/],
  ['no version', 'roles: {}\n', 1, /version must be 1/],
  ['unknown top key', 'version: 1\nrole: {}\n', 2, /unknown key role/],
  ['custom role without base', 'version: 1\nroles:\n  ops:\n    mode: audit\n', 3, /roles.ops.base must be owner, operator or viewer/],
  ['bad base', 'version: 1\nroles:\n  ops:\n    base: admin\n', 4, /base must be/],
  ['bad mode', 'version: 1\nroles:\n  ops:\n    base: viewer\n    mode: log\n', 5, /mode must be enforce or audit/],
  ['built-in with base', 'version: 1\nroles:\n  viewer:\n    base: owner\n', 4, /built-in role/],
  ['built-in with deny', 'version: 1\nroles:\n  operator:\n    deny: [build]\n', 4, /built-in role/],
  ['bad role name', 'version: 1\nroles:\n  Ops:\n    base: viewer\n', 3, /not a valid role name/],
  ['relative bind source', 'version: 1\nallowlists:\n  bindSources:\n    - srv\n', 4, /not an absolute path/],
  ['root bind source', 'version: 1\nallowlists:\n  bindSources: [/]\n', 3, /root directory/],
  ['dot-dot bind source', 'version: 1\nallowlists:\n  bindSources: [/srv/../etc]\n', 3, /contains \.\./],
  ['ALL capabilities', 'version: 1\nallowlists:\n  capabilities: [ALL]\n', 3, /ALL/],
  ['bad capability', 'version: 1\nallowlists:\n  capabilities: ["net admin"]\n', 3, /not a capability/],
  ['bad action', 'version: 1\nroles:\n  ops:\n    base: viewer\n    allow: ["POST /containers"]\n', 5, /not an action/],
  ['unknown action', 'version: 1\nroles:\n  ops:\n    base: viewer\n    allow: [container.exce-create]\n', 5, /names no action/],
  ['unknown group', 'version: 1\nroles:\n  ops:\n    base: viewer\n    deny: ["contianer.*"]\n', 5, /names no action/],
  ['unknown role key', 'version: 1\nroles:\n  ops:\n    base: viewer\n    modes: audit\n', 5, /unknown key modes/],
  ['list of strings', 'version: 1\nroles:\n  ops:\n    base: viewer\n    deny: build\n', 5, /must be a list/]
]

t.test('a broken document names the line and the reason', async (t) => {
  for (const [name, text, line, reason] of BROKEN) {
    let message = ''
    try { parsePolicy(text) } catch (err) { t.ok(hasCode(err, 'SG_ERR_POLICY_INVALID'), `${name}: SG_ERR_POLICY_INVALID`); message = (err as Error).message }
    t.match(message, `line ${line}:`, `${name}: names line ${line}`)
    t.match(message, reason, `${name}: says why`)
  }
})
