import t from 'tap'
import { hashPassword, type AccountStore } from '@swarmgate/core'
import { Authenticator, type AuthResult } from '../src/authenticator.js'
import { HashPool } from '../src/identity/hash-pool.js'
import { LoginThrottle } from '../src/identity/login-throttle.js'

/** A pool that counts the hashes it was given. */
class CountingPool extends HashPool {
  hashes = 0
  override run<T> (task: () => Promise<T>, first = false): Promise<T> | undefined {
    const run = super.run(task, first)
    if (run !== undefined) this.hashes++
    return run
  }
}

/** What an answer was: `ok` or the refusal's reason. */
const outcome = (result: AuthResult): string => result.ok ? 'ok' : result.reason

const store = async (): Promise<AccountStore> => ({
  version: 1,
  accounts: [
    { name: 'alice', kind: 'local', hash: await hashPassword('alice password 1'), role: 'owner', state: 'active', stamp: 'a' },
    { name: 'dora', kind: 'local', hash: await hashPassword('dora password 1'), role: 'viewer', state: 'disabled', stamp: 'd' }
  ],
  teams: [],
  hubTokens: {}
})

t.test('unknown, disabled and wrong each cost one hash and read the same', async (t) => {
  const pool = new CountingPool({ concurrency: 1, maxQueued: 8 })
  const auth = new Authenticator(await store(), { pool })
  t.same(await auth.authenticate('mallory', 'alice password 1', '192.0.2.1'), { ok: false, reason: 'invalid' })
  t.same(await auth.authenticate('dora', 'dora password 1', '192.0.2.2'), { ok: false, reason: 'invalid' })
  t.same(await auth.authenticate('alice', 'nope', '192.0.2.3'), { ok: false, reason: 'invalid' })
  t.equal(pool.hashes, 3)
  t.match(await auth.authenticate('alice', 'alice password 1', '192.0.2.3'), { ok: true, grant: { sub: 'alice' } })
})

t.test('a slowed attempt is refused without a hash; the owner elsewhere gets in at once', async (t) => {
  const pool = new CountingPool({ concurrency: 1, maxQueued: 8 })
  const auth = new Authenticator(await store(), { pool, throttle: new LoginThrottle(undefined, () => 0) })
  const answers = []
  for (let i = 0; i < 10; i++) answers.push(await auth.authenticate('alice', `guess ${i}`, '192.0.2.66'))
  t.same(answers.map(outcome), [...Array<string>(3).fill('invalid'), ...Array<string>(7).fill('throttled')])
  t.match(answers[3], { ok: false, reason: 'throttled', scope: 'account-source', retryAfterMs: 1_000 })
  t.equal(pool.hashes, 3, 'only the admitted guesses were hashed')
  t.match(await auth.authenticate('alice', 'alice password 1', '192.0.2.1'), { ok: true })
})

t.test('a full hash queue refuses at once and counts no failure', async (t) => {
  const pool = new CountingPool({ concurrency: 1, maxQueued: 0 })
  const auth = new Authenticator(await store(), { pool })
  const attempts = await Promise.all(['192.0.2.1', '192.0.2.2', '192.0.2.3'].map(async (source) => await auth.authenticate('alice', 'nope', source)))
  t.same(attempts.map(outcome), ['invalid', 'busy', 'busy'])
  t.match(attempts[1], { retryAfterMs: 1_000 })
  // Three attempts from 192.0.2.2 are free only if the busy one was not counted as a failure.
  for (let i = 0; i < 2; i++) t.equal(outcome(await auth.authenticate('alice', 'nope', '192.0.2.2')), 'invalid')
  t.equal(outcome(await auth.authenticate('alice', 'alice password 1', '192.0.2.2')), 'ok')
})
