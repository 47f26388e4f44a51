import t from 'tap'
import { parsePolicy } from '@swarmgate/core'
import { checkRole, isBuiltinRole } from '../src/role-names.js'

const POLICY = parsePolicy('version: 1\nroles:\n  deployer:\n    base: operator\n')

t.test('built-in roles need no policy document', async (t) => {
  for (const role of ['owner', 'operator', 'viewer']) {
    t.ok(isBuiltinRole(role))
    t.doesNotThrow(() => { checkRole(role, undefined) })
  }
})

t.test('a custom role must be defined by the current policy document', async (t) => {
  t.doesNotThrow(() => { checkRole('deployer', POLICY) })
  t.throws(() => { checkRole('deployer', undefined) }, { code: 'SG_ERR_REGISTRATION_ROLE', message: /"deployer" is not a built-in role \(owner, operator, viewer\) and this swarm has no policy document to define it; define it with policy set FILE first/ })
  t.throws(() => { checkRole('auditor', POLICY) }, { code: 'SG_ERR_REGISTRATION_ROLE', message: /"auditor" is neither a built-in role .* nor defined in the current policy document \(which defines deployer\)/ })
})

t.test('the legacy role "user" is never given', async (t) => {
  t.notOk(isBuiltinRole('user'))
  t.throws(() => { checkRole('user', POLICY) }, { code: 'SG_ERR_REGISTRATION_ROLE', message: /role of accounts made before roles existed/ })
})
