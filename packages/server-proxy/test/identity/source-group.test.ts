import t from 'tap'
import { UNKNOWN_SOURCE, sourceGroup } from '../../src/identity/source-group.js'

t.test('peer addresses are grouped as guessing is counted: IPv4 alone, IPv6 by /64', async (t) => {
  const cases: Array<[string | undefined, string]> = [
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::FFFF:127.0.0.2', '127.0.0.2'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:db8:0:0:ffff:1:2:3', '2001:db8:0:0::/64'],
    ['2001:DB8:0:1::1', '2001:db8:0:1::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['64:ff9b::192.0.2.33', '64:ff9b:0:0::/64'],
    [undefined, UNKNOWN_SOURCE],
    ['', UNKNOWN_SOURCE],
    ['not an address', UNKNOWN_SOURCE]
  ]
  for (const [address, group] of cases) t.equal(sourceGroup(address), group, String(address))
})
