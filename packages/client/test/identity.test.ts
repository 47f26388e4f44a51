// Which identities a swarm accepts, asked over the pinned connection before the client prompts.
import t from 'tap'
import { createCa } from '@swarmgate/registration'
import { fingerprintOf, PATHS } from '@swarmgate/core'
import { acceptedIdentities, OLDER_SERVER_KINDS, parseIdentityAnswer } from '../src/identity.js'
import { deadEndpoint, startSwarmEndpoint } from './swarm-endpoint.js'

let answer: { status: number, body: string } = { status: 200, body: '{}' }
const swarm = await startSwarmEndpoint((req, res) => {
  if (req.method !== 'GET' || req.path !== PATHS.identity) { res.writeHead(405).end('{}'); return }
  res.writeHead(answer.status).end(answer.body)
})
t.teardown(swarm.close)
const { endpoint, pin } = swarm

t.test('the kinds the swarm names, from the first endpoint that answers', async (t) => {
  for (const kinds of [['local'], ['docker-id'], ['local', 'docker-id']]) {
    answer = { status: 200, body: JSON.stringify({ swarm: 'alice/prod', kinds }) }
    t.same(await acceptedIdentities([await deadEndpoint(), endpoint], pin, 'alice/prod'), kinds)
  }
  t.equal(swarm.requests.at(-1)?.body, '', 'nothing but the question is sent')
})

t.test('a server-proxy older than Docker IDs (401 or 404 for the path) has local accounts only', async (t) => {
  // What an older server-proxy answers: the path is not one of its own, so it asks for a token.
  answer = { status: 401, body: JSON.stringify({ message: 'swarmgate: this call needs a token' }) }
  t.same(await acceptedIdentities([endpoint], pin, 'alice/prod'), OLDER_SERVER_KINDS)
  answer = { status: 404, body: 'not found' }
  t.same(await acceptedIdentities([endpoint], pin, 'alice/prod'), ['local'])
})

t.test('answers that are not identity answers', async (t) => {
  t.same(parseIdentityAnswer(200, '{"swarm":"a/b","kinds":["docker-id","docker-id"]}'), { swarm: 'a/b', kinds: ['docker-id'] })
  for (const text of ['', 'null', '[]', '{"swarm":"a/b"}', '{"swarm":"a/b","kinds":[]}', '{"swarm":"a/b","kinds":["ldap"]}', '{"kinds":["local"]}']) {
    t.equal(parseIdentityAnswer(200, text), undefined, text)
  }
  t.equal(parseIdentityAnswer(500, '{"swarm":"a/b","kinds":["local"]}'), undefined)
})

t.test('an endpoint of another swarm is refused before anything is asked', async (t) => {
  answer = { status: 200, body: JSON.stringify({ swarm: 'alice/test', kinds: ['local'] }) }
  await t.rejects(acceptedIdentities([endpoint], pin, 'alice/prod'), { code: 'SG_ERR_CLIENT_LOGIN_REFUSED', message: /is not the swarm alice\/prod \(it serves alice\/test\)/ })
})

t.test('the question goes only to an endpoint that proves the pin', async (t) => {
  const before = swarm.requests.length
  await t.rejects(acceptedIdentities([endpoint], fingerprintOf((await createCa({ commonName: 'mallory' })).certPem), 'alice/prod'), { code: 'SG_ERR_TLS_PIN_MISMATCH' })
  t.equal(swarm.requests.length, before, 'nothing was sent')
  await t.rejects(acceptedIdentities([await deadEndpoint()], pin, 'alice/prod'), { code: 'SG_ERR_CLIENT_UNREACHABLE' })
})
