import t from 'tap'
import { HashPool } from '../../src/identity/hash-pool.js'

/** A task the test finishes by hand, recording when it started. */
function gate (started: string[], name: string): { task: () => Promise<string>, finish: () => void } {
  let finish = (): void => {}
  const done = new Promise<void>((resolve) => { finish = resolve })
  return { task: async () => { started.push(name); await done; return name }, finish }
}

const settle = async (): Promise<void> => { await new Promise((resolve) => setImmediate(resolve)) }

t.test('at most `concurrency` tasks run; the queue is bounded and a full queue refuses at once', async (t) => {
  const pool = new HashPool({ concurrency: 2, maxQueued: 2 })
  const started: string[] = []
  const gates = ['a', 'b', 'c', 'd', 'e'].map((n) => gate(started, n))
  const runs = gates.map((g) => pool.run(g.task))
  await settle()
  t.same(started, ['a', 'b'])
  t.same(pool.load, { running: 2, queued: 2 })
  t.equal(runs[4], undefined, 'the fifth finds the queue full')
  gates[0]?.finish()
  t.equal(await runs[0], 'a')
  await settle()
  t.same(started, ['a', 'b', 'c'], 'a freed slot goes to the oldest queued task')
  for (const g of gates) g.finish()
  t.same(await Promise.all(runs.slice(0, 4)), ['a', 'b', 'c', 'd'])
  t.same(pool.load, { running: 0, queued: 0 })
})

t.test('trusted attempts have a queue of their own that goes first', async (t) => {
  const pool = new HashPool({ concurrency: 1, maxQueued: 1 })
  const started: string[] = []
  const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((n) => gate(started, n)) as [ReturnType<typeof gate>, ReturnType<typeof gate>, ReturnType<typeof gate>, ReturnType<typeof gate>]
  const ra = pool.run(a.task)
  const rb = pool.run(b.task)
  t.equal(pool.run(d.task), undefined, 'the strangers\' queue is full')
  const rc = pool.run(c.task, true)
  t.not(rc, undefined, 'the trusted queue still has room')
  a.finish(); b.finish(); c.finish()
  await Promise.all([ra, rb, rc])
  t.same(started, ['a', 'c', 'b'])
})

t.test('a task that fails frees its slot', async (t) => {
  const pool = new HashPool({ concurrency: 1, maxQueued: 0 })
  await t.rejects(pool.run(async () => { throw new Error('boom') }) as Promise<unknown>, /boom/)
  t.equal(await pool.run(async () => 'next'), 'next')
  t.throws(() => new HashPool({ concurrency: 0, maxQueued: 1 }), RangeError)
})
