import t from 'tap'
import { managerHosts, type SwarmNode } from '@swarmgate/core'
import { chooseEndpoints, parseEndpoint, requiredSans } from '../src/endpoints.js'

function node (id: string, addr: string | undefined, leader = false): SwarmNode {
  return {
    ID: id,
    Description: { Hostname: id },
    Spec: { Role: addr === undefined ? 'worker' : 'manager', Availability: 'active' },
    Status: { State: 'ready', Addr: '198.51.100.99' },
    ...(addr === undefined ? {} : { ManagerStatus: { Addr: addr, Leader: leader, Reachability: 'reachable' } })
  }
}

const nodes = [node('m2', '203.0.113.2:2377'), node('w1', undefined), node('m1', '203.0.113.1:2377', true), node('m3', '[fd00::3]:2377')]

t.test('endpoints parse with the default port, IPv6 in brackets', async (t) => {
  t.same(parseEndpoint('Swarm.Example.org', 2376), { host: 'swarm.example.org', port: 2376, endpoint: 'swarm.example.org:2376' })
  t.same(parseEndpoint('[fd00::1]:443', 2376), { host: 'fd00::1', port: 443, endpoint: '[fd00::1]:443' })
  for (const bad of ['', 'host:0', 'host:70000', 'a b', 'tcp://host:1', '-bad-']) {
    t.throws(() => parseEndpoint(bad, 2376), { code: 'SG_ERR_REGISTRATION_ENDPOINT' }, bad)
  }
})

t.test('by default the endpoints are the managers, leader first, workers left out', async (t) => {
  t.same(managerHosts(nodes), ['203.0.113.1', '203.0.113.2', 'fd00::3'])
  t.same(chooseEndpoints([], nodes, 2400), ['203.0.113.1:2400', '203.0.113.2:2400', '[fd00::3]:2400'])
  t.same(chooseEndpoints(['a.example', 'a.example:2376', 'b.example:9'], nodes, 2376), ['a.example:2376', 'b.example:9'])
})

t.test('the certificate names every manager and every endpoint host', async (t) => {
  t.same(requiredSans(['swarm.example:2376', '203.0.113.1:2376'], nodes), ['203.0.113.1', '203.0.113.2', 'fd00::3', 'swarm.example'])
})
