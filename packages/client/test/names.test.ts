import t from 'tap'
import { parseEndpoint } from '../src/endpoints.js'
import { proxyContainerName, swarmDir, swarmRef } from '../src/names.js'

t.test('the swarm argument names the proxy container and the saved folder', async (t) => {
  const ref = swarmRef('alice/prod')
  t.equal(proxyContainerName(ref), 'swarmgate_client_proxy_alice_prod')
  t.equal(swarmDir(ref), 'swarms/alice/prod')
  t.throws(() => swarmRef('Alice/prod'), { code: 'SG_ERR_CLIENT_SWARM_NAME' })
  t.throws(() => swarmRef(undefined), { code: 'SG_ERR_CLIENT_SWARM_NAME', message: /no swarm was named/ })
  t.throws(() => swarmRef('../x'), { code: 'SG_ERR_CLIENT_SWARM_NAME' })
})

t.test('endpoints default to port 2376', async (t) => {
  t.equal(parseEndpoint('203.0.113.7').endpoint, '203.0.113.7:2376')
  t.equal(parseEndpoint('[fd00::7]:2377').endpoint, '[fd00::7]:2377')
  t.throws(() => parseEndpoint('https://x'), { code: 'SG_ERR_CLIENT_ENDPOINT' })
})
