import t from 'tap'
import { readNodeCall } from '../../src/nodes/node-path.js'

t.test('the docker CLI\'s calls under a node\'s base path are that node\'s Docker API calls', async (t) => {
  // What docker CLI 28.2 sent with DOCKER_HOST=tcp://127.0.0.1:PORT/_swarmgate/v1/nodes/abc (checked by hand).
  t.same(readNodeCall('/_swarmgate/v1/nodes/abc/_ping'), { node: 'abc', path: '/_ping' })
  t.same(readNodeCall('/_swarmgate/v1/nodes/abc/v1.41/containers/x/archive?path=%2Fetc%2Fhostname'), { node: 'abc', path: '/v1.41/containers/x/archive?path=%2Fetc%2Fhostname' })
  t.same(readNodeCall('/_swarmgate/v1/nodes/w1.example_2/v1.41/exec/e1/start'), { node: 'w1.example_2', path: '/v1.41/exec/e1/start' })
  t.same(readNodeCall('/_swarmgate/v1/nodes/abc'), { node: 'abc', path: '/' })
  t.same(readNodeCall('/_swarmgate/v1/nodes/abc?x=1'), { node: 'abc', path: '/?x=1' })
})

t.test('anything else is not a node call', async (t) => {
  for (const url of ['/_swarmgate/v1/nodes/', '/_swarmgate/v1/nodes//_ping', '/_swarmgate/v1/nodes/..%2F/_ping', '/_swarmgate/v1/nodes/-x/_ping', '/_swarmgate/v1/node/abc/_ping', '/v1.41/containers/json', '/_swarmgate/v1/health']) {
    t.equal(readNodeCall(url), undefined, url)
  }
})
