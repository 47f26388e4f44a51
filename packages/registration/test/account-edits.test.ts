import t from 'tap'
import { parseAccountStore, serializeAccountStore, verifyPassword, type Account } from '@swarmgate/core'
import { addAccount, changePassword, migrateLegacyRoles, migrationReport, removeAccount, setRole, storeWith } from '../src/account-edits.js'

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
  const disabledOwner = { version: 1 as const, accounts: twoOwners.accounts.map((a) => a.name === 'bob' ? { ...a, state: 'disabled' as const } : a) }
  t.throws(() => setRole(disabledOwner, 'alice', 'viewer'), { message: /last owner/ }, 'a disabled owner does not count')
  t.throws(() => removeAccount(disabledOwner, 'alice'), { message: /last owner of this swarm and cannot be removed/ })
})

t.test('stores written before roles: "user" accounts become operators, and the report names them', async (t) => {
  const owner = await storeWith('alice', 'correct horse battery', 'owner')
  const legacy = parseAccountStore(serializeAccountStore({ version: 1, accounts: [...owner.accounts, { ...(owner.accounts[0] as Account), name: 'bob', role: 'user' }, { ...(owner.accounts[0] as Account), name: 'carol', role: 'user' }, { ...(owner.accounts[0] as Account), name: 'dave', role: 'viewer' }] }))
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
