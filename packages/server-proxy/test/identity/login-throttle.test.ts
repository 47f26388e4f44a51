import t, { type Test } from 'tap'
import { LoginThrottle, delayMs, type Outcome, type ThrottleScope, type ThrottleSettings } from '../../src/identity/login-throttle.js'

/** Small numbers, so each table below reads at a glance. */
const SETTINGS: ThrottleSettings = {
  pair: { free: 2, baseMs: 1_000, capMs: 8_000, windowMs: 60_000 },
  source: { free: 4, baseMs: 1_000, capMs: 4_000, windowMs: 60_000 },
  account: { free: 10, baseMs: 5_000, capMs: 20_000, windowMs: 600_000 },
  trustMs: 3_600_000,
  maxEntries: 100
}

/** One attempt: when, who, from where, how it ends if admitted, and what the throttle must say. */
interface Step {
  readonly at: number
  readonly account: string
  readonly source: string
  readonly outcome?: Outcome
  /** `admitted`, or the scope and wait of the refusal. */
  readonly expect: 'admitted' | readonly [ThrottleScope, number]
}

/** Plays `steps` against a fresh throttle on a clock the steps set. */
function play (t: Test, steps: readonly Step[], settings = SETTINGS): LoginThrottle {
  let now = 0
  const throttle = new LoginThrottle(settings, () => now)
  for (const [i, step] of steps.entries()) {
    now = step.at
    const admission = throttle.admit(step.account, step.source)
    const said = admission.admitted ? 'admitted' : [admission.scope, admission.retryAfterMs]
    t.same(said, step.expect, `step ${i}: ${step.account} from ${step.source} at ${step.at} ms`)
    if (admission.admitted) admission.settle(step.outcome ?? 'failure')
  }
  return throttle
}

const fail = (at: number, account: string, source: string, expect: Step['expect'] = 'admitted'): Step => ({ at, account, source, outcome: 'failure', expect })
const login = (at: number, account: string, source: string, expect: Step['expect'] = 'admitted'): Step => ({ at, account, source, outcome: 'success', expect })

t.test('delays double from the first failure past the free ones, up to the cap', async (t) => {
  const table: Array<[number, number]> = [[0, 0], [1, 0], [2, 1_000], [3, 2_000], [4, 4_000], [5, 8_000], [6, 8_000], [40, 8_000]]
  for (const [count, delay] of table) t.equal(delayMs(count, SETTINGS.pair), delay, `${count} failures`)
})

t.test('delays grow per account and source', async (t) => {
  play(t, [
    fail(0, 'alice', '192.0.2.1'),
    fail(0, 'alice', '192.0.2.1'),
    fail(0, 'alice', '192.0.2.1', ['account-source', 1_000]),
    fail(999, 'alice', '192.0.2.1', ['account-source', 1]),
    fail(1_000, 'alice', '192.0.2.1'),
    fail(2_000, 'alice', '192.0.2.1', ['account-source', 1_000]),
    fail(3_000, 'alice', '192.0.2.1'),
    fail(7_000, 'alice', '192.0.2.1'),
    fail(15_000, 'alice', '192.0.2.1'),
    fail(15_000, 'alice', '192.0.2.1', ['account-source', 8_000]),
    fail(23_000, 'alice', '192.0.2.1'),
    fail(23_000, 'alice', '192.0.2.1', ['account-source', 8_000])
  ])
})

t.test('delays grow per source whatever the account', async (t) => {
  play(t, [
    fail(0, 'u1', '192.0.2.2'),
    fail(0, 'u2', '192.0.2.2'),
    fail(0, 'u3', '192.0.2.2'),
    fail(0, 'u4', '192.0.2.2'),
    fail(0, 'u5', '192.0.2.2', ['source', 1_000]),
    fail(1_000, 'u5', '192.0.2.2'),
    fail(1_000, 'u6', '192.0.2.2', ['source', 2_000]),
    fail(1_000, 'u6', '192.0.2.3'),
    fail(3_000, 'u6', '192.0.2.2')
  ])
})

t.test('another source for the same account is not slowed by a guesser', async (t) => {
  const steps: Step[] = []
  // The guesser keeps the account at the cap from 192.0.2.1, the only attempts the throttle lets through.
  for (const at of [0, 0, 1_000, 3_000, 7_000, 15_000, 23_000, 31_000]) steps.push(fail(at, 'alice', '192.0.2.1'))
  steps.push(fail(31_000, 'alice', '192.0.2.1', ['account-source', 8_000]))
  steps.push(login(31_000, 'alice', '192.0.2.9'), login(31_000, 'alice', '192.0.2.9'), fail(31_000, 'alice', '192.0.2.9'), login(31_000, 'alice', '192.0.2.9'))
  play(t, steps)
})

t.test('an IPv6 /64 is one source, IPv4-mapped addresses are their IPv4 address', async (t) => {
  play(t, [
    fail(0, 'alice', '2001:db8::1'),
    fail(0, 'alice', '2001:db8::2'),
    fail(0, 'alice', '2001:db8::ffff:3', ['account-source', 1_000]),
    fail(0, 'alice', '2001:db8:0:1::1'),
    fail(0, 'alice', '192.0.2.1'),
    fail(0, 'alice', '::ffff:192.0.2.1'),
    fail(0, 'alice', '192.0.2.1', ['account-source', 1_000])
  ])
})

t.test('guessing spread over many sources slows every source the account has not logged in from', async (t) => {
  const steps: Step[] = [login(0, 'alice', '203.0.113.9')]
  // Ten sources fail once each: the account's budget is spent, no source is slowed on its own.
  for (let i = 1; i <= 10; i++) steps.push(fail(1_000, 'alice', `10.0.0.${i}`))
  steps.push(
    // A new source waits the account's delay from its first refusal; asking again does not push it back.
    fail(1_000, 'alice', '198.51.100.7', ['account', 5_000]),
    fail(2_000, 'alice', '198.51.100.7', ['account', 4_000]),
    fail(1_000, 'alice', '192.0.2.1', ['account', 5_000]),
    login(1_000, 'alice', '203.0.113.9'),
    fail(1_000, 'bob', '198.51.100.8'),
    fail(6_000, 'alice', '198.51.100.7'),
    fail(6_000, 'alice', '192.0.2.1', ['account', 5_000]),
    fail(6_000, 'alice', '198.51.100.8', ['account', 10_000]),
    fail(6_000, 'alice', '198.51.100.7', ['account', 10_000]),
    // Slowed, not locked: the owner on a new address gets in once the delay has passed.
    login(16_000, 'alice', '198.51.100.8'),
    login(16_000, 'alice', '198.51.100.8'),
    fail(16_000, 'alice', '198.51.100.9', ['account', 10_000])
  )
  const throttle = play(t, steps)
  t.equal(throttle.sizes.trusted, 2, 'both sources that logged in are remembered')
})

t.test('trust is remembered for a while, then the source is a stranger again', async (t) => {
  const steps: Step[] = [login(0, 'alice', '203.0.113.9')]
  for (let i = 1; i <= 10; i++) steps.push(fail(3_000_000, 'alice', `10.0.0.${i}`))
  steps.push(fail(3_599_999, 'alice', '203.0.113.9'), fail(3_600_000, 'alice', '203.0.113.9', ['account', 9_999]))
  play(t, steps)
})

t.test('a key is forgotten once its window passes without an attempt', async (t) => {
  play(t, [
    fail(0, 'alice', '192.0.2.1'),
    fail(0, 'alice', '192.0.2.1'),
    fail(59_999, 'alice', '192.0.2.1'),
    fail(59_999, 'alice', '192.0.2.1', ['account-source', 2_000]),
    fail(119_999, 'alice', '192.0.2.1'),
    fail(119_999, 'alice', '192.0.2.1')
  ])
})

t.test('a login resets its account and source; the source keeps its failures', async (t) => {
  play(t, [
    fail(0, 'u1', '192.0.2.1'),
    fail(0, 'u2', '192.0.2.1'),
    fail(0, 'alice', '192.0.2.1'),
    fail(0, 'alice', '192.0.2.1'),
    fail(0, 'alice', '192.0.2.1', ['account-source', 1_000]),
    login(1_000, 'alice', '192.0.2.1'),
    fail(1_000, 'alice', '192.0.2.1', ['source', 1_000]),
    fail(2_000, 'alice', '192.0.2.1')
  ])
})

t.test('parallel attempts count before they are checked; unchecked ones are given back', async (t) => {
  let now = 0
  const throttle = new LoginThrottle(SETTINGS, () => now)
  const burst = Array.from({ length: 10 }, () => throttle.admit('alice', '192.0.2.1'))
  t.equal(burst.filter((a) => a.admitted).length, 2, 'a burst gets the free attempts only')
  for (const a of burst) if (a.admitted) a.settle('unchecked')
  t.equal(throttle.admit('alice', '192.0.2.1').admitted, true, 'attempts never checked do not count as failures')
  now = 1
  const again = throttle.admit('alice', '192.0.2.1')
  t.equal(again.admitted, true)
  if (again.admitted) { again.settle('failure'); again.settle('failure') }
  t.equal(throttle.admit('alice', '192.0.2.1').admitted, false, 'the admitted-but-unsettled one and the double-settled one count once each')
})

t.test('tables stay bounded whatever names and addresses come', async (t) => {
  let now = 0
  const throttle = new LoginThrottle(SETTINGS, () => now)
  for (let i = 0; i < 5_000; i++) {
    now = i
    const a = throttle.admit(`user${i}`, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`)
    if (a.admitted) a.settle(i % 7 === 0 ? 'success' : 'failure')
  }
  const { pairs, sources, accounts, trusted } = throttle.sizes
  t.ok(pairs <= 100 && sources <= 100 && accounts <= 100 && trusted <= 100, `sizes ${JSON.stringify(throttle.sizes)}`)

  const fresh = new LoginThrottle(SETTINGS, () => 0)
  for (let i = 0; i < 50; i++) fresh.admit(`${'x'.repeat(10_000)}${i}`, `10.1.0.${i}`)
  t.equal(fresh.sizes.accounts, 1, 'names that cannot be accounts share one key')
})
