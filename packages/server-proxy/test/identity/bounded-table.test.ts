import t from 'tap'
import { BoundedTable } from '../../src/identity/bounded-table.js'

t.test('the least recently written entry goes when the table is full', async (t) => {
  const table = new BoundedTable<number>(3)
  for (const key of ['a', 'b', 'c']) table.set(key, 1)
  table.set('a', 2)
  table.set('d', 1)
  t.equal(table.size, 3)
  t.equal(table.get('b'), undefined, 'b was the oldest write')
  t.equal(table.get('a'), 2)
  for (let i = 0; i < 1000; i++) table.set(`k${i}`, i)
  t.equal(table.size, 3)
  t.throws(() => new BoundedTable(0), RangeError)
})
