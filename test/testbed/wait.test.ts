import t from 'tap'
import { waitFor } from './wait.js'

t.test('returns the first value that is not undefined', async (t) => {
  let calls = 0
  t.equal(await waitFor('three calls', async () => ++calls === 3 ? 'done' : undefined, { intervalMs: 1 }), 'done')
  t.equal(calls, 3)
})

t.test('a throwing probe counts as not yet, and its error is in the timeout', async (t) => {
  await t.rejects(waitFor('the impossible', async () => { throw new Error('not ready') }, { timeoutMs: 50, intervalMs: 5 }),
    { code: 'SG_ERR_TESTBED_TIMEOUT', message: /the impossible.*not ready/ })
})
