// registration on an engine that is not a swarm manager stops with the right sentence.
//
// The shared engine must stay a swarm manager, so this starts a second, throwaway dockerd that
// never joined a swarm: its own socket, data root, exec root and pid file, no bridge and no
// iptables, and in a network namespace of its own (`unshare --net`): a dockerd started with
// --bridge=none deletes the host's docker0 at start, which would break the shared engine.
// registration runs as a container of the shared engine with the throwaway engine's socket
// mounted as /var/run/docker.sock, exactly as a user would run it on that machine.
import t from 'tap'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LABEL_ARGS, programImage, runDocker, useEngine, waitFor } from '../testbed/index.js'
import { registration } from './journey-steps.js'

useEngine(t, { images: ['registration'] })

t.test('an engine that is not in a swarm: "run docker swarm init first"', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'swarmgate-dockerd-'))
  const socket = join(dir, 'docker.sock')
  const pidfile = join(dir, 'docker.pid')
  const dockerd = spawn('unshare', ['--net', 'dockerd', '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--pidfile', pidfile,
    '-H', `unix://${socket}`, '--bridge=none', '--iptables=false', '--ip-masq=false', '--ip-forward=false'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  dockerd.stderr.on('data', (c: Buffer) => { log = (log + c.toString()).slice(-4000) })
  t.teardown(async () => {
    dockerd.kill('SIGTERM')
    await waitFor('the throwaway dockerd to stop', async () => existsSync(pidfile) ? undefined : true, { timeoutMs: 30_000 }).catch(() => { dockerd.kill('SIGKILL') })
    await rm(dir, { recursive: true, force: true })
  })
  await waitFor(`the throwaway dockerd to answer (log: ${log})`, async () => {
    const r = await runDocker(['info', '--format', '{{.Swarm.LocalNodeState}}'], { host: `unix://${socket}` })
    return r.code === 0 ? r.stdout.trim() : undefined
  }, { timeoutMs: 60_000 }).then((state) => t.equal(state, 'inactive'))
  t.ok((await readFile(pidfile, 'utf8')).trim() !== '', 'it runs with its own pid file')

  const r = await registration(['--username', 'alice', '--password-stdin'], { input: 'correct horse battery\n', socket })
  t.equal(r.code, 1)
  t.equal(r.stderr.trim(), 'swarmgate-registration: this Docker engine is not part of a swarm: run docker swarm init first (or docker swarm join as a manager), then run registration again')
  t.equal(r.stdout, '')
  t.equal((await runDocker(['secret', 'ls', '-q'], { host: `unix://${socket}` })).code, 1, 'nothing was created there (it has no swarm to hold secrets)')
})

t.test('no engine socket mounted: says how to mount it', async (t) => {
  const r = await runDocker(['run', '--rm', '-i', ...LABEL_ARGS, programImage('registration')], { input: '' })
  t.equal(r.code, 1)
  t.match(r.stderr, /cannot reach the Docker engine: mount the engine socket into the container: docker run -ti --rm -v \/var\/run\/docker.sock:\/var\/run\/docker.sock swarmgate\/registration/)
})
