import t from 'tap'
import { bridgeHost, chooseBridgeHost, readBridgeHost } from './bridge-host.js'
import { useEngine } from './suite.js'

useEngine(t)

// Documentation addresses (RFC 5737, RFC 3849): inputs of a pure function, never reached.
t.test('chooseBridgeHost', async (t) => {
  const docker0 = { docker0: ['198.51.100.1'], eth0: ['192.0.2.10'] }

  t.test('the IPAM Gateway when the engine recorded one (--bip, or docker0 there at start)', async (t) => {
    t.match(chooseBridgeHost([{ Subnet: '198.51.100.0/24', Gateway: '198.51.100.1' }], 'docker0', {}), { address: '198.51.100.1', source: /IPAM Gateway/ })
  })
  t.test('else the bridge interface\'s address in the Subnet (an engine started for the first time)', async (t) => {
    t.match(chooseBridgeHost([{ Subnet: '198.51.100.0/24' }], 'docker0', docker0), { address: '198.51.100.1', source: /docker0 interface/ })
    t.match(chooseBridgeHost([{ Subnet: '203.0.113.0/24' }], 'br-test', { 'br-test': ['192.0.2.1', '203.0.113.7'] }), { address: '203.0.113.7', source: /br-test interface/ })
  })
  t.test('else the Subnet\'s first address, saying why', async (t) => {
    t.match(chooseBridgeHost([{ Subnet: '203.0.113.0/25' }], 'docker0', docker0), { address: '203.0.113.1', source: /first address of Subnet 203\.0\.113\.0\/25/ })
    t.match(chooseBridgeHost([{ Subnet: '203.0.113.137/25' }], 'docker0', {}), { address: '203.0.113.129' })
  })
  t.test('the IPv4 entry when the bridge also has IPv6 (--ipv6 --fixed-cidr-v6)', async (t) => {
    t.match(chooseBridgeHost([{ Subnet: '2001:db8:5a:1::/64', Gateway: '2001:db8:5a:1::1' }, { Subnet: '203.0.113.0/24' }], 'docker0', { docker0: ['203.0.113.1'] }), { address: '203.0.113.1' })
  })
  t.test('no IPv4 subnet: a sentence naming what to change', async (t) => {
    t.throws(() => chooseBridgeHost([], 'docker0', docker0), { code: 'SG_ERR_TESTBED_BRIDGE', message: /--bridge=none/ })
    t.throws(() => chooseBridgeHost([{ Subnet: '2001:db8::/64' }], 'docker0', docker0), { code: 'SG_ERR_TESTBED_BRIDGE' })
  })
})

t.test('bridgeHost: this engine\'s bridge, proven reachable from a container on it', async (t) => {
  const read = await readBridgeHost()
  t.match(read, { address: /^\d+\.\d+\.\d+\.\d+$/, source: /\w/ })
  t.same(await bridgeHost(), read)
})
