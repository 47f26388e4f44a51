import t from 'tap'
import { judge, slope, RSS_SLOPE_BOUND_MB_PER_MIN, type SoakSample } from '../../soak/summary.js'

/** A 10-minute run sampled every 10 s, server-proxy's RSS given per sample as a function of minutes. */
function run (serverRss: (minute: number) => number, errors = 0): SoakSample[] {
  return Array.from({ length: 61 }, (_, i) => ({
    atSeconds: i * 10,
    serverRssMb: serverRss(i / 6),
    serverFds: 30,
    clientRssMb: 60,
    clientFds: 20,
    operations: i * 1_000,
    errors: i === 60 ? errors : 0
  }))
}
const SAME_FDS = { server: { start: 25, end: 25 }, client: { start: 18, end: 18 } }

t.test('slope is the least-squares fit', async (t) => {
  t.equal(slope([0, 1, 2, 3], [5, 7, 9, 11]), 2)
  t.equal(slope([0, 1, 2], [1, 3, 2]), 0.5, 'noisy points: the fit, not the ends')
  t.ok(Number.isNaN(slope([1], [1])), 'one point has no slope')
  t.ok(Number.isNaN(slope([2, 2], [1, 3])), 'no spread in x has no slope')
})

t.test('flat memory after a warm-up climb, no errors, fds back: pass', async (t) => {
  // Climbs 60 MB in the first 2 minutes (warm-up), then sawtooths by 8 MB as the heap is collected.
  const v = judge(run((m) => m < 2 ? 100 + 30 * m : 160 + (Math.round(m * 6) % 3) * 4), 600, SAME_FDS)
  t.same(v.failures, [])
  t.ok(v.memoryJudged)
  t.ok(Math.abs(v.memory.server.slopeMbPerMin) < 0.5, `slope ${v.memory.server.slopeMbPerMin}`)
  t.equal(v.memory.server.minMb, 160)
  t.equal(v.memory.server.maxMb, 168)
  t.equal(v.operations, 60_000)
})

t.test('a steady climb after warm-up fails, with the bytes per operation it means', async (t) => {
  const v = judge(run((m) => 100 + 3 * m), 600, SAME_FDS)
  t.equal(v.failures.length, 1)
  t.match(v.failures[0], /server-proxy RSS grew 3\.00 MB\/min/)
  // 3 MB/min at 6,000 operations a minute.
  t.equal(Math.round(v.memory.server.bytesPerOperation), Math.round(3 * 2 ** 20 / 6_000))
  t.ok(3 > RSS_SLOPE_BOUND_MB_PER_MIN)
})

t.test('errors and fds left open fail; a short run reports memory without judging it', async (t) => {
  const v = judge(run(() => 100, 2).slice(0, 7).map((s) => ({ ...s, serverRssMb: 100 + s.atSeconds, errors: 2 })), 60, { ...SAME_FDS, client: { start: 18, end: 19 } })
  t.notOk(v.memoryJudged, 'one minute is too short for a slope')
  t.same(v.failures, [
    '2 operation(s) failed (bound: 0)',
    'client-proxy holds 19 fds once idle, 18 before the load (bound: no more than before)'
  ])
})
