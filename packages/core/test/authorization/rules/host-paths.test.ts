import t from 'tap'
import { allowlistedSource, cleanPath } from '../../../src/authorization/rules/host-paths.js'

t.test('cleanPath is Go\'s path.Clean', async (t) => {
  const cases: Array<[string, string]> = [
    ['', '.'], ['/', '/'], ['//etc//', '/etc'], ['/srv/data/../../etc', '/etc'], ['/../..', '/'], ['a/../..', '..'],
    ['./a/./b/', 'a/b'], ['/a/b/..', '/a'], ['../a/../../b', '../../b']
  ]
  for (const [path, clean] of cases) t.equal(cleanPath(path), clean, path)
})

t.test('allowlisted sources match at path-segment boundaries', async (t) => {
  t.ok(allowlistedSource('/srv/data', ['/srv/data']))
  t.ok(allowlistedSource('/srv/data/x', ['/srv/data/']))
  t.ok(allowlistedSource('/anything', ['/']))
  t.notOk(allowlistedSource('/srv/database', ['/srv/data']))
  t.notOk(allowlistedSource('/srv', ['/srv/data']))
  t.notOk(allowlistedSource('srv/data', ['/srv/data']))
  t.notOk(allowlistedSource('/etc', []))
})
