import t from 'tap'
import { identityKinds, parseAccountStore, serializeAccountStore, verifyPassword, type Account } from '@swarmgate/core'
import { addAccount, addDockerId, addTeam, changePassword, localAccount, migrateLegacyRoles, migrationReport, parseTeam, removeAccount, removeTeam, setHubToken, setRole, storeWith, storeWithDockerId } from '../src/account-edits.js'

t.test('a new store has its owner, and survives the store format check', async (t) => {
  const store = await storeWith('alice', 'correct horse battery', 'owner')
  t.match(store.accounts, [{ name: 'alice', role: 'owner', state: 'active' }])
  t.ok(await verifyPassword('correct horse battery', store.accounts[0]?.hash ?? ''))
  t.same(parseAccountStore(serializeAccountStore(store)), store)
})

t.test('adding, changing and removing accounts', async (t) => {
  const first = await storeWith('alice', 'correct horse battery', 'owner')
  const added = await addAccount(first, 'bob', 'bob password 1', 'operator')
  t.same(added.accounts.map((a) => a.name), ['alice', 'bob'])
  await t.rejects(addAccount(added, 'bob', 'x'.repeat(12), 'operator'), { code: 'SG_ERR_REGISTRATION_ACCOUNT' })

  const changed = await changePassword(added, 'bob', 'bob password 2')
  const [before, after] = [added.accounts[1], changed.accounts[1]]
  t.not(after?.stamp, before?.stamp, 'a new password revokes refresh tokens by a new stamp')
  t.ok(await verifyPassword('bob password 2', after?.hash ?? ''))
  t.equal(changed.accounts[0], added.accounts[0], 'the other accounts stay as they were')
  await t.rejects(changePassword(added, 'carol', 'x'.repeat(12)), { code: 'SG_ERR_REGISTRATION_ACCOUNT', message: /no account "carol"/ })

  t.same(removeAccount(changed, 'bob').accounts.map((a) => a.name), ['alice'])
  t.throws(() => removeAccount(changed, 'alice'), { code: 'SG_ERR_REGISTRATION_ACCOUNT', message: /last owner/ })
})

t.test('set-role changes the role and keeps the stamp; the last owner keeps the owner role', async (t) => {
  const store = await addAccount(await storeWith('alice', 'correct horse battery', 'owner'), 'bob', 'bob password 1', 'operator')
  const viewer = setRole(store, 'bob', 'viewer')
  t.match(viewer.accounts[1], { name: 'bob', role: 'viewer', stamp: store.accounts[1]?.stamp })
  t.equal(viewer.accounts[0], store.accounts[0], 'the other accounts stay as they were')
  t.throws(() => setRole(store, 'alice', 'operator'), { code: 'SG_ERR_REGISTRATION_ACCOUNT', message: /"alice" is the last owner of this swarm and cannot lose the owner role/ })
  t.same(setRole(store, 'alice', 'owner').accounts[0]?.role, 'owner', 'an owner may stay owner')
  t.throws(() => setRole(store, 'carol', 'viewer'), { code: 'SG_ERR_REGISTRATION_ACCOUNT', message: /no account "carol"/ })

  const twoOwners = setRole(store, 'bob', 'owner')
  t.same(setRole(twoOwners, 'alice', 'viewer').accounts.map((a) => a.role), ['viewer', 'owner'], 'with a second owner the first may step down')
  const disabledOwner = { ...twoOwners, accounts: twoOwners.accounts.map((a) => a.name === 'bob' ? { ...a, state: 'disabled' as const } : a) }
  t.throws(() => setRole(disabledOwner, 'alice', 'viewer'), { message: /last owner/ }, 'a disabled owner does not count')
  t.throws(() => removeAccount(disabledOwner, 'alice'), { message: /last owner of this swarm and cannot be removed/ })
})

t.test('stores written before roles: "user" accounts become operators, and the report names them', async (t) => {
  const owner = await storeWith('alice', 'correct horse battery', 'owner')
  const legacy = parseAccountStore(serializeAccountStore({ ...owner, accounts: [...owner.accounts, { ...(owner.accounts[0] as Account), name: 'bob', role: 'user' }, { ...(owner.accounts[0] as Account), name: 'carol', role: 'user' }, { ...(owner.accounts[0] as Account), name: 'dave', role: 'viewer' }] }))
  const { store, migrated } = migrateLegacyRoles(legacy)
  t.same(store.accounts.map((a) => [a.name, a.role]), [['alice', 'owner'], ['bob', 'operator'], ['carol', 'operator'], ['dave', 'viewer']])
  t.same(store.accounts.map((a) => a.stamp), legacy.accounts.map((a) => a.stamp), 'logins keep working')
  t.same(migrated, ['bob', 'carol'])
  t.equal(migrationReport(migrated), 'Migrated 2 accounts from the old role "user" to "operator": bob, carol')
  t.equal(migrationReport(['bob']), 'Migrated 1 account from the old role "user" to "operator": bob')

  const again = migrateLegacyRoles(store)
  t.equal(again.store, store, 'a migrated store is left as it is')
  t.same(again.migrated, [])
  t.equal(migrationReport(again.migrated), undefined)
})

const OAT = 'dckr_oat_acme0123456789'

t.test('a Docker ID owner: no password hash, and the store format check takes it', async (t) => {
  const store = storeWithDockerId('alice', 'owner')
  t.match(store.accounts, [{ name: 'alice', kind: 'docker-id', role: 'owner', state: 'active' }])
  t.equal(store.accounts[0]?.hash, undefined, 'Docker Hub checks its password')
  t.same(parseAccountStore(serializeAccountStore(store)), store)
  t.same(identityKinds(store), ['docker-id'])
})

t.test('users add --docker-id: beside local accounts, never under a name that is taken', async (t) => {
  const local = await storeWith('alice', 'correct horse battery', 'owner')
  const both = addDockerId(local, 'bobby', 'viewer')
  t.match(both.accounts[1], { name: 'bobby', kind: 'docker-id', role: 'viewer' })
  t.same(identityKinds(both), ['local', 'docker-id'])
  t.same(parseAccountStore(serializeAccountStore(both)), both)
  t.throws(() => addDockerId(both, 'bobby', 'viewer'), { code: 'SG_ERR_REGISTRATION_ACCOUNT', message: /the Docker ID "bobby" is an account of this swarm already; use users set-role/ })
  t.throws(() => addDockerId(local, 'alice', 'viewer'), {
    code: 'SG_ERR_REGISTRATION_ACCOUNT',
    message: /"alice" is a local account of this swarm, and a name is one account: at login "alice" means the local account\. The Docker ID alice can still log in as "docker:alice" when a team of this swarm has it/
  }, 'a name that would mean both is refused, saying how to tell them apart')
  await t.rejects(addAccount(both, 'bobby', 'bobby password 1', 'operator'), { code: 'SG_ERR_REGISTRATION_ACCOUNT', message: /"bobby" is a Docker ID account of this swarm, and a name is one account: choose another name/ })
})

t.test('passwd on a Docker ID is refused: Docker Hub holds its password', async (t) => {
  const store = addDockerId(await storeWith('alice', 'correct horse battery', 'owner'), 'bobby', 'operator')
  await t.rejects(changePassword(store, 'bobby', 'bob password 1'), { code: 'SG_ERR_REGISTRATION_ACCOUNT', message: /"bobby" is a Docker ID: Docker Hub holds its password, so change it there; to end its logins on this swarm, users rm bobby/ })
  t.equal(localAccount(store, 'alice').name, 'alice')
  t.throws(() => localAccount(store, 'carol'), { message: /no account "carol"/ })
})

t.test('the last owner stays when it is a Docker ID; an owner of the other kind lets it go', async (t) => {
  const store = storeWithDockerId('alice', 'owner')
  t.throws(() => removeAccount(store, 'alice'), { code: 'SG_ERR_REGISTRATION_ACCOUNT', message: /"alice" is the last owner of this swarm and cannot be removed/ })
  t.throws(() => setRole(store, 'alice', 'viewer'), { message: /last owner of this swarm and cannot lose the owner role/ })
  const withLocalOwner = await addAccount(store, 'carol', 'carol password', 'owner')
  t.same(removeAccount(withLocalOwner, 'alice').accounts.map((a) => [a.name, a.kind]), [['carol', 'local']], 'a second owner of the other kind lets it go')
  t.same(setRole(withLocalOwner, 'alice', 'operator').accounts.map((a) => a.role), ['operator', 'owner'])
})

t.test('teams: ORG/TEAM names, a token first, a stamp each, removal', async (t) => {
  t.same(parseTeam('Acme/Ops_Team-1'), { org: 'acme', team: 'Ops_Team-1' }, 'organizations are lower case on Docker Hub; teams keep their case')
  for (const bad of ['acme', 'acme/', '/ops', 'acme/ops/x', 'ac/ops', 'ac-me/ops', 'acme/o ps']) {
    t.throws(() => parseTeam(bad), { code: 'SG_ERR_REGISTRATION_TEAM', message: /must be ORG\/TEAM/ }, bad)
  }
  const store = storeWithDockerId('alice', 'owner')
  t.throws(() => addTeam(store, 'acme', 'ops', 'operator'), { code: 'SG_ERR_REGISTRATION_TEAM', message: /no access token of the organization acme.*hub-token acme --password-stdin/ })
  const withToken = setHubToken(store, 'acme', OAT)
  const one = addTeam(withToken, 'acme', 'ops', 'operator')
  const two = addTeam(one, 'acme', 'dev', 'viewer')
  t.match(two.teams, [{ org: 'acme', team: 'ops', role: 'operator' }, { org: 'acme', team: 'dev', role: 'viewer' }])
  t.not(two.teams[0]?.stamp, two.teams[1]?.stamp, 'each team has a stamp of its own')
  t.same(parseAccountStore(serializeAccountStore(two)), two)
  t.same(identityKinds({ ...two, accounts: [] }), ['docker-id'], 'a team alone makes the swarm accept Docker IDs')
  t.throws(() => addTeam(two, 'acme', 'ops', 'viewer'), { code: 'SG_ERR_REGISTRATION_TEAM', message: /acme\/ops has the role operator already; for another role, teams rm acme\/ops/ })
  const removed = removeTeam(two, 'acme', 'ops')
  t.same(removed.teams.map((g) => g.team), ['dev'])
  t.equal(removed.teams[0], two.teams[1], 'the other teams stay as they were')
  t.same(removed.hubTokens, { acme: OAT }, 'the token stays for the other teams')
  t.throws(() => removeTeam(removed, 'acme', 'ops'), { code: 'SG_ERR_REGISTRATION_TEAM', message: /not mapped/ })
})

t.test('hub-token keeps one token per organization, replacing the one before', async (t) => {
  const store = setHubToken(setHubToken(storeWithDockerId('alice', 'owner'), 'acme', 'dckr_oat_old'), 'zeta', 'dckr_oat_z')
  t.same(setHubToken(store, 'acme', OAT).hubTokens, { acme: OAT, zeta: 'dckr_oat_z' })
  t.same(store.accounts, storeWithDockerId('alice', 'owner').accounts.map((a) => ({ ...a, stamp: store.accounts[0]?.stamp })), 'the accounts are untouched')
})
