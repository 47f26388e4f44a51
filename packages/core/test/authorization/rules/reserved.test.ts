import t from 'tap'
import { reservedObjectViolation } from '../../../src/authorization/rules/index.js'
import { table } from './bodies.js'

t.test('swarmgate\'s names and labels', async (t) => {
  table<readonly [string, unknown, unknown]>(t, [
    ['a user container', ['container', 'web', { app: 'web' }], undefined],
    ['no name, no labels', ['container', undefined, undefined], undefined],
    ['a container named swarmgate-*', ['container', 'swarmgate-client-proxy', undefined], 'swarmgate-reserved'],
    ['with a leading slash', ['container', '/swarmgate-x', undefined], 'swarmgate-reserved'],
    ['in another case', ['service', 'SwarmGate-server-proxy', null], 'swarmgate-reserved'],
    ['a secret labelled as an identity file', ['secret', 'mine', { 'io.swarmgate.kind': 'accounts', 'io.swarmgate.version': '9' }], 'swarmgate-reserved'],
    ['the component label in another case', ['network', 'n', { 'IO.SWARMGATE.COMPONENT': 'server-proxy' }], 'swarmgate-reserved'],
    ['every reserved label', ['volume', 'v', { 'io.swarmgate.endpoints-given': 'true' }], 'swarmgate-reserved'],
    ['the test bed\'s label is not reserved', ['container', 'c', { 'io.swarmgate.test': 'run-1' }], undefined],
    ['a name that is not a string', ['config', 5, undefined], 'undecodable-field'],
    ['labels that are a list', ['config', 'c', ['io.swarmgate.kind=accounts']], 'undecodable-field'],
    ['a label value that is not a string', ['config', 'c', { a: 1 }], 'undecodable-field']
  ], ([kind, name, labels]) => reservedObjectViolation(kind, name, labels))
})
