import t from 'tap'
import { docker } from './docker.js'
import { dockerdLog, ensureEngine, ensureSwarm } from './engine.js'

t.test('ensureEngine leaves an engine answering on the local socket', async (t) => {
  await ensureEngine()
  t.match(await docker(['version', '--format', '{{.Server.APIVersion}}']), /^1\.\d+$/)
})

t.test('ensureSwarm leaves the local engine a swarm manager, and again when it already is one', async (t) => {
  await ensureSwarm()
  await ensureSwarm()
  t.equal(await docker(['info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}']), 'active true')
})

t.test('dockerdLog gives the end of the engine log, or says there is none', async (t) => {
  t.match(await dockerdLog(5), /^(last \d+ lines of \/\S+:\n|\(no dockerd log found)/)
})
