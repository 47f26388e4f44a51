import t from 'tap'
import { createLogger } from '@swarmgate/core'
import { SourceTally } from '../../src/connections/source-tally.js'

function recorder (): { tally: SourceTally, lines: () => Array<Record<string, unknown>> } {
  const lines: string[] = []
  const logger = createLogger({ name: 'test', level: 'info', destination: { write: (s: string) => { lines.push(s) } } })
  return { tally: new SourceTally(logger, 60_000), lines: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) }
}

t.test('the first event from a source is logged at once, the rest once per interval with counts', async (t) => {
  const { tally, lines } = recorder()
  t.teardown(() => { tally.close() })
  for (let i = 0; i < 500; i++) tally.note('192.0.2.1', 'refused-per-source')
  tally.note('192.0.2.1', 'closed-head')
  tally.note('192.0.2.2', 'closed-idle')
  t.equal(lines().length, 2, 'one line per source so far')
  t.match(lines()[0], { source: '192.0.2.1', event: 'refused-per-source' })
  tally.flush()
  t.equal(lines().length, 3, 'the interval adds one line, for the source with events left to report')
  t.match(lines()[2], { source: '192.0.2.1', counts: { 'refused-per-source': 499, 'closed-head': 1 } })
  t.same(tally.totals(), { 'refused-per-source': 500, 'refused-global': 0, 'closed-handshake': 0, 'closed-head': 1, 'closed-idle': 1 })
})

t.test('quiet sources are forgotten after an interval without events', async (t) => {
  const { tally, lines } = recorder()
  t.teardown(() => { tally.close() })
  tally.note('192.0.2.1', 'closed-idle')
  tally.note('192.0.2.1', 'closed-idle')
  tally.flush()
  t.equal(tally.sources, 1, 'kept for one more interval: a new event is counted, not logged at once')
  tally.flush()
  t.equal(tally.sources, 0, 'then forgotten')
  tally.note('192.0.2.1', 'closed-idle')
  t.equal(lines().length, 3, 'and its next event is logged at once again')
})

t.test('an address sweep is counted under one entry beyond the bound', async (t) => {
  const { tally, lines } = recorder()
  t.teardown(() => { tally.close() })
  for (let i = 0; i < 5000; i++) tally.note(`fd00::${i.toString(16)}`, 'refused-per-source')
  t.equal(tally.sources, 1001, 'a thousand sources and one entry for the rest')
  t.equal(lines().length, 1001)
  t.equal(tally.totals()['refused-per-source'], 5000, 'every event is counted')
})
