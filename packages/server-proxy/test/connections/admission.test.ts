import t from 'tap'
import { Admission } from '../../src/connections/admission.js'

t.test('each source may hold up to its cap; others still get in', async (t) => {
  const a = new Admission({ perSource: 2, total: 10 })
  t.equal(a.admit('192.0.2.1'), 'admitted')
  t.equal(a.admit('192.0.2.1'), 'admitted')
  t.equal(a.admit('192.0.2.1'), 'per-source', 'the third from one source is refused')
  t.equal(a.admit('192.0.2.2'), 'admitted', 'another source is not affected')
  t.equal(a.held('192.0.2.1'), 2, 'a refused connection is not counted')
  t.equal(a.total, 3)
})

t.test('the global cap refuses any source once reached', async (t) => {
  const a = new Admission({ perSource: 5, total: 3 })
  for (const s of ['a', 'b', 'c']) t.equal(a.admit(s), 'admitted')
  t.equal(a.admit('d'), 'global')
  a.release('b')
  t.equal(a.admit('d'), 'admitted', 'a released slot can be taken again')
})

t.test('released connections leave no entry behind', async (t) => {
  const a = new Admission({ perSource: 3, total: 0 })
  a.admit('x'); a.admit('x'); a.admit('y')
  t.equal(a.sources, 2)
  a.release('x'); a.release('x'); a.release('y')
  t.equal(a.sources, 0, 'no source entry is kept at zero')
  t.equal(a.total, 0)
  a.release('x')
  t.equal(a.total, 0, 'releasing an unknown source changes nothing')
})

t.test('0 turns a cap off', async (t) => {
  const a = new Admission({ perSource: 0, total: 0 })
  const verdicts = new Set(Array.from({ length: 1000 }, () => a.admit('one')))
  t.same([...verdicts], ['admitted'], 'a thousand from one source are all admitted')
  t.equal(a.held('one'), 1000)
})
