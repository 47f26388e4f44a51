// The words of the credential prompts, by the identities a swarm accepts.
import t from 'tap'
import { credentialPrompts, DOCKER_ID_HEADER } from '../src/credential-prompts.js'

t.test('a swarm of local accounts names its own accounts, not Docker IDs', async (t) => {
  const p = credentialPrompts(['local'], 'alice/prod')
  t.same(p.header, ['Log in with your account on the swarm alice/prod:'])
  t.equal(p.password('bob'), 'Password')
  t.notMatch(p.header.join('\n'), /Docker ID/)
})

t.test('a swarm of Docker IDs asks for Docker ID credentials, a password or a personal access token', async (t) => {
  const p = credentialPrompts(['docker-id'], 'alice/prod')
  t.same(p.header, [DOCKER_ID_HEADER])
  t.equal(DOCKER_ID_HEADER, 'Use your Docker ID credentials to authenticate:')
  t.equal(p.password('bob'), 'Password or personal access token')
  t.equal(p.password('docker:bob'), 'Password or personal access token')
})

t.test('a swarm of both says either works and how to mean the Docker ID', async (t) => {
  const p = credentialPrompts(['local', 'docker-id'], 'alice/prod')
  t.equal(p.header[0], DOCKER_ID_HEADER)
  t.match(p.header[1], /an account of the swarm alice\/prod works too; docker:NAME always means the Docker ID NAME/)
  t.equal(p.password('docker:bob'), 'Password or personal access token')
  t.equal(p.password('bob'), 'Password (or a Docker ID\'s personal access token)')
})
