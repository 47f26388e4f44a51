import t from 'tap'
import { buildViolation } from '../../../src/authorization/rules/index.js'
import { table } from './bodies.js'

t.test('classic builds on their own networks', async (t) => {
  const q = (entries: Record<string, string[]>): ReadonlyMap<string, readonly string[]> => new Map(Object.entries(entries))
  table(t, [
    ['docker build -t x .', q({ t: ['x'], rm: ['1'], version: ['1'] }), undefined],
    ['no version', q({ dockerfile: ['Dockerfile'] }), undefined],
    ['a user network', q({ networkmode: ['mynet'] }), undefined],
    ['BuildKit', q({ version: ['2'], session: ['abc'] }), 'no-buildkit'],
    ['BuildKit as a second version', q({ version: ['1', '2'] }), 'no-buildkit'],
    ['network host', q({ networkmode: ['host'] }), 'no-host-namespace'],
    ['network HOST', q({ networkmode: ['default', 'HOST'] }), 'no-host-namespace'],
    ['another container\'s network', q({ networkmode: ['container:db'] }), 'no-container-namespace'],
    ['a cgroup parent', q({ cgroupparent: ['/'] }), 'no-cgroup-parent'],
    ['a remote context', q({ remote: ['http://169.254.169.254/latest/meta-data/'] }), 'no-build-remote']
  ], buildViolation)
})
