import t from 'tap'
import { median, percentile, ratio } from '../stats.js'

t.test('median', async (t) => {
  t.ok(Number.isNaN(median([])), 'NaN for no values')
  t.equal(median([3]), 3)
  t.equal(median([5, 1, 3]), 3, 'odd count: the middle value, whatever the order')
  t.equal(median([4, 1, 3, 2]), 2.5, 'even count: the mean of the two middle values')
})

t.test('percentile (nearest rank)', async (t) => {
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i)
  t.equal(percentile(hundred, 0.5), 50)
  t.equal(percentile(hundred, 0.99), 99)
  t.equal(percentile(hundred, 1), 100)
  t.equal(percentile(hundred, 0), 1, 'p=0 is the smallest value')
  t.equal(percentile([7, 1], 0.99), 7, 'few samples: p99 is the largest')
  t.ok(Number.isNaN(percentile([], 0.5)))
})

t.test('ratio', async (t) => {
  t.equal(ratio(3, 2), 1.5)
  t.ok(Number.isNaN(ratio(1, 0)))
  t.ok(Number.isNaN(ratio(NaN, 1)))
})
