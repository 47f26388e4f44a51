import t from 'tap'
import type { Account, AccountStore } from '@swarmgate/core'
import { AccountDirectory } from '../../src/identity/directory.js'

const local = (name: string, role: string, state: Account['state'] = 'active'): Account => ({ name, kind: 'local', hash: 'scrypt$1$1$1$AA$AA', role, state, stamp: `s-${name}` })
const dockerId = (name: string, role: string, state: Account['state'] = 'active'): Account => ({ name, kind: 'docker-id', role, state, stamp: `d-${name}` })

const store = (accounts: Account[], teams: AccountStore['teams'] = []): AccountStore => ({ version: 1, accounts, teams, hubTokens: {} })

t.test('a swarm of local accounts: every name is a local account, known or not', async (t) => {
  const dir = new AccountDirectory(store([local('alice', 'owner')]))
  t.same(dir.kinds, ['local'])
  t.match(dir.target('alice'), { kind: 'local', account: { name: 'alice' } })
  t.same(dir.target('bob'), { kind: 'local', account: undefined })
  t.same(dir.target('docker:bob'), { kind: 'local', account: undefined }, 'no Docker IDs here: the prefix means nothing')
})

t.test('with Docker IDs: a local name is local, any other name and docker:NAME are Docker IDs', async (t) => {
  const dir = new AccountDirectory(store([local('alice', 'owner'), local('tommy', 'viewer', 'disabled'), dockerId('dora', 'operator')]))
  t.same(dir.kinds, ['local', 'docker-id'])
  t.match(dir.target('alice'), { kind: 'local' })
  t.same(dir.target('dora@example.test'), { kind: 'docker-id', identifier: 'dora@example.test' })
  t.same(dir.target('docker:alice'), { kind: 'docker-id', identifier: 'alice' })
  t.same(dir.target('tommy'), { kind: 'docker-id', identifier: 'tommy' }, 'a disabled local account does not hide the Docker ID')
  t.same(new AccountDirectory(store([dockerId('dora', 'owner')])).kinds, ['docker-id'])
})

t.test('principal: the role now, for local accounts, Docker ID accounts and teams', async (t) => {
  const dir = new AccountDirectory(store(
    [local('alice', 'owner'), dockerId('dora', 'operator'), dockerId('daniel', 'owner', 'disabled')],
    [{ org: 'acme', team: 'ops', role: 'viewer', stamp: 't-ops' }]
  ))
  t.same(dir.principal({ sub: 'alice' }), { name: 'alice', role: 'owner' })
  t.equal(dir.principal({ sub: 'docker:alice' }), undefined, 'the Docker ID alice is not the local alice')
  t.same(dir.principal({ sub: 'docker:dora' }), { name: 'docker:dora', role: 'operator' })
  t.same(dir.principal({ sub: 'docker:dora', team: 'acme/ops' }), { name: 'docker:dora', role: 'operator' }, 'its own account wins over a team')
  t.same(dir.principal({ sub: 'docker:tommy', team: 'acme/ops' }), { name: 'docker:tommy', role: 'viewer' })
  t.equal(dir.principal({ sub: 'docker:tommy', team: 'acme/dev' }), undefined, 'a team no longer mapped')
  t.equal(dir.principal({ sub: 'docker:tommy' }), undefined, 'no account and no team')
  t.equal(dir.principal({ sub: 'docker:daniel', team: 'acme/ops' }), undefined, 'a disabled Docker ID account is not let in through a team')
  t.equal(dir.stamp({ sub: 'docker:tommy', team: 'acme/ops' }), 't-ops')
  t.equal(dir.stamp({ sub: 'docker:dora', team: 'acme/ops' }), 'd-dora', 'a refresh token issued through the team stops once an own account exists')
  t.equal(dir.stamp({ sub: 'alice' }), 's-alice')
})
