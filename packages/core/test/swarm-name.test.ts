import t from 'tap'
import { parseSwarmName } from '../src/swarm-name.js'

t.test('valid names split into namespace and name', async (t) => {
  t.same(parseSwarmName('alice/prod'), { namespace: 'alice', name: 'prod' })
  t.same(parseSwarmName('alice/k2x9fy3rp0q1'), { namespace: 'alice', name: 'k2x9fy3rp0q1' })
  t.same(parseSwarmName('a.b-c/d_e'), { namespace: 'a.b-c', name: 'd_e' })
})

t.test('upper case, missing parts, extra slashes and odd characters are refused', async (t) => {
  for (const bad of ['Alice/prod', 'alice', 'alice/', '/prod', 'a/b/c', 'alice/pr od', '-a/b', 'a/.b', `a/${'x'.repeat(64)}`]) {
    t.equal(parseSwarmName(bad), undefined, bad)
  }
})
