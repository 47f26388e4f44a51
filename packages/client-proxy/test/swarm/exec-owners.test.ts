import t from 'tap'
import { ExecOwners, createdId, createsExec, execOf } from '../../src/swarm/index.js'

t.test('the calls that create an exec and the calls on one', async (t) => {
  t.ok(createsExec('POST', '/v1.41/containers/c1/exec'))
  t.ok(createsExec('POST', '/containers/c1/exec'))
  t.notOk(createsExec('GET', '/v1.41/containers/c1/exec'), 'only a POST creates')
  t.notOk(createsExec('POST', '/_swarmgate/v1/nodes/w1/v1.41/containers/c1/exec'), 'a node call is routed by server-proxy, not here')
  for (const path of ['/v1.41/exec/e1/start', '/exec/e1/resize?h=40&w=80', '/v1.43/exec/e1/json']) t.equal(execOf(path), 'e1', path)
  for (const path of ['/v1.41/exec/e1', '/v1.41/containers/e1/json', '/_swarmgate/v1/nodes/w1/v1.41/exec/e1/start']) t.equal(execOf(path), undefined, path)
})

t.test('the ID of a created exec', async (t) => {
  t.equal(createdId(201, Buffer.from('{"Id":"abc"}\n')), 'abc')
  t.equal(createdId(404, Buffer.from('{"message":"No such container: c1"}')), undefined, 'not from a refusal')
  t.equal(createdId(201, Buffer.from('{"Id":')), undefined, 'not from a cut answer')
})

t.test('an exec is remembered with the manager that created it, the oldest forgotten first', async (t) => {
  const owners = new ExecOwners()
  const a = { host: '192.0.2.1', port: 2376 }
  const b = { host: '192.0.2.2', port: 2376 }
  owners.remember('e1', a)
  owners.remember('e2', b)
  t.same(owners.ownerOf('e1'), a)
  t.same(owners.ownerOf('e2'), b)
  t.equal(owners.ownerOf('e3'), undefined, 'an exec this proxy did not see created')
  for (let i = 0; i < 4096; i++) owners.remember(`x${i}`, b)
  t.equal(owners.ownerOf('e1'), undefined, 'bounded: the least recently used are forgotten')
  t.same(owners.ownerOf('x4095'), b)
})
