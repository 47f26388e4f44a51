import t from 'tap'
import { clientCommand } from '../src/client-command.js'

t.test('the client command names the swarm, every endpoint and the fingerprint, as the journey shows', async (t) => {
  t.equal(clientCommand('alice/prod', ['203.0.113.7:2376', '203.0.113.8:2376'], 'sha256:ab'),
    'docker run --rm -ti -v /var/run/docker.sock:/var/run/docker.sock -e DOCKER_HOST swarmgate/client alice/prod --endpoint 203.0.113.7:2376 --endpoint 203.0.113.8:2376 --fingerprint sha256:ab')
})
