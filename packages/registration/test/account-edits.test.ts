import t from 'tap'
import { parseAccountStore, serializeAccountStore, verifyPassword } from '@swarmgate/core'
import { addAccount, changePassword, removeAccount, storeWith } from '../src/account-edits.js'

t.test('a new store has its owner, and survives the store format check', async (t) => {
  const store = await storeWith('alice', 'correct horse battery', 'owner')
  t.match(store.accounts, [{ name: 'alice', role: 'owner', state: 'active' }])
  t.ok(await verifyPassword('correct horse battery', store.accounts[0]?.hash ?? ''))
  t.same(parseAccountStore(serializeAccountStore(store)), store)
})

t.test('adding, changing and removing accounts', async (t) => {
  const first = await storeWith('alice', 'correct horse battery', 'owner')
  const added = await addAccount(first, 'bob', 'bob password 1', 'user')
  t.same(added.accounts.map((a) => a.name), ['alice', 'bob'])
  await t.rejects(addAccount(added, 'bob', 'x'.repeat(12), 'user'), { code: 'SG_ERR_REGISTRATION_ACCOUNT' })

  const changed = await changePassword(added, 'bob', 'bob password 2')
  const [before, after] = [added.accounts[1], changed.accounts[1]]
  t.not(after?.stamp, before?.stamp, 'a new password revokes refresh tokens by a new stamp')
  t.ok(await verifyPassword('bob password 2', after?.hash ?? ''))
  t.equal(changed.accounts[0], added.accounts[0], 'the other accounts stay as they were')
  await t.rejects(changePassword(added, 'carol', 'x'.repeat(12)), { code: 'SG_ERR_REGISTRATION_ACCOUNT', message: /no account "carol"/ })

  t.same(removeAccount(changed, 'bob').accounts.map((a) => a.name), ['alice'])
  t.throws(() => removeAccount(changed, 'alice'), { code: 'SG_ERR_REGISTRATION_ACCOUNT', message: /last owner/ })
})
