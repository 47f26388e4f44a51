// The docker context the client writes, read back by the real docker CLI of this machine
// (DOCKER_CONFIG pointing at a temporary folder), and compared with the one the CLI makes itself
// from the command the client prints when the configuration is not mounted.
import t from 'tap'
import { execFile } from 'node:child_process'
import { once } from 'node:events'
import { chown, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import net, { type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkContext, contextDir, contextName, createContextCommand, mountedConfig, writeContext } from '../src/docker-context.js'
import { swarmRef } from '../src/names.js'

const ENGINE_SOCKET = '/var/run/docker.sock'
const root = await mkdtemp(join(tmpdir(), 'swarmgate-context-'))
t.teardown(async () => { await rm(root, { recursive: true, force: true }) })

/** The docker CLI with `config` as its configuration folder and nothing of this shell's engine settings. */
async function dockerCli (config: string, args: readonly string[]): Promise<string> {
  const { DOCKER_HOST: _h, DOCKER_CONTEXT: _c, DOCKER_TLS_VERIFY: _v, DOCKER_CERT_PATH: _p, ...env } = process.env
  return await new Promise((resolve, reject) => {
    execFile('docker', args, { env: { ...env, DOCKER_CONFIG: config }, timeout: 30_000 }, (err, stdout, stderr) => {
      if (err === null) resolve(stdout); else reject(new Error(`docker ${args.join(' ')}: ${err.message}\n${stderr}`))
    })
  })
}

async function newConfig (name: string, owner = { uid: 4321, gid: 4322 }): Promise<string> {
  const dir = join(root, name)
  await mkdir(dir)
  await chown(dir, owner.uid, owner.gid)
  return dir
}

const ref = swarmRef('alice/prod')

t.test('the name: swarmgate-<ns>-<name>, or --context checked as the docker CLI checks it', async (t) => {
  t.equal(contextName(ref, undefined), 'swarmgate-alice-prod')
  t.equal(contextName(swarmRef('a.b/c_d'), undefined), 'swarmgate-a.b-c_d')
  t.equal(contextName(ref, 'prod'), 'prod')
  for (const bad of ['default', '-x', 'a b', 'x', 'a/b']) t.throws(() => contextName(ref, bad), { code: 'SG_ERR_CLIENT_CONTEXT' }, bad)
})

t.test('a mounted configuration is found with its owner; none is not an error', async (t) => {
  const dir = await newConfig('mounted')
  t.same(await mountedConfig(dir), { dir, uid: 4321, gid: 4322 })
  t.equal(await mountedConfig(join(root, 'not-mounted')), undefined)
})

t.test('the docker CLI reads the context written, and reaches the engine through it', async (t) => {
  const dir = await newConfig('cli-reads')
  // A TCP listener in front of the engine socket, standing for the client-proxy's port.
  let relayed = 0
  const relay = net.createServer((socket) => {
    relayed++
    const engine = net.connect(ENGINE_SOCKET)
    socket.pipe(engine).pipe(socket)
    socket.on('error', () => engine.destroy())
    engine.on('error', () => socket.destroy())
  })
  relay.listen(0, '127.0.0.1')
  await once(relay, 'listening')
  t.teardown(() => relay.close())
  const host = `tcp://127.0.0.1:${(relay.address() as AddressInfo).port}`

  await checkContext(dir, 'swarmgate-alice-prod', 'alice/prod')
  await writeContext(dir, { uid: 4321, gid: 4322 }, { name: 'swarmgate-alice-prod', swarm: 'alice/prod', host })
  const [inspected] = JSON.parse(await dockerCli(dir, ['context', 'inspect', 'swarmgate-alice-prod'])) as Array<{ Name: string, Metadata: Record<string, string>, Endpoints: { docker: { Host: string, SkipTLSVerify: boolean } } }>
  t.equal(inspected?.Name, 'swarmgate-alice-prod')
  t.same(inspected?.Endpoints.docker, { Host: host, SkipTLSVerify: false })
  t.same(inspected?.Metadata, { Description: 'swarmgate: the swarm alice/prod', 'io.swarmgate.swarm': 'alice/prod' })
  t.match(await dockerCli(dir, ['context', 'ls', '--format', '{{.Name}} {{.DockerEndpoint}}']), `swarmgate-alice-prod ${host}`)
  t.equal((await dockerCli(dir, ['--context', 'swarmgate-alice-prod', 'version', '--format', '{{.Server.Os}}'])).trim(), 'linux')
  t.ok(relayed > 0, 'the CLI went to the context\'s host')
  await dockerCli(dir, ['context', 'use', 'swarmgate-alice-prod'])
  t.match(await dockerCli(dir, ['context', 'show']), 'swarmgate-alice-prod')

  // Folders and file as the CLI makes them, owned by the configuration's owner (the client runs as root).
  const folder = contextDir(dir, 'swarmgate-alice-prod')
  for (const [path, mode] of [[join(dir, 'contexts'), 0o755], [join(dir, 'contexts', 'meta'), 0o755], [folder, 0o755], [join(folder, 'meta.json'), 0o644]] as const) {
    const s = await stat(path)
    t.same({ uid: s.uid, gid: s.gid, mode: s.mode & 0o777 }, { uid: 4321, gid: 4322, mode }, path)
  }
  t.same(await readdir(folder), ['meta.json'], 'no temporary file is left')
})

t.test('an update moves the host; the CLI\'s own context from the printed command is the same document', async (t) => {
  const ours = await newConfig('ours')
  const target = { name: 'swarmgate-alice-prod', swarm: 'alice/prod', host: 'tcp://127.0.0.1:40212' }
  await writeContext(ours, { uid: 4321, gid: 4322 }, { ...target, host: 'tcp://127.0.0.1:1' })
  await checkContext(ours, target.name, target.swarm)
  await writeContext(ours, { uid: 4321, gid: 4322 }, target)

  const theirs = await newConfig('theirs')
  const command = createContextCommand(target)
  t.equal(command, 'docker context create swarmgate-alice-prod --description "swarmgate: the swarm alice/prod" --docker host=tcp://127.0.0.1:40212')
  await new Promise<void>((resolve, reject) => {
    execFile('sh', ['-c', command], { env: { PATH: process.env.PATH, DOCKER_CONFIG: theirs }, timeout: 30_000 }, (err, _out, stderr) => { if (err === null) resolve(); else reject(new Error(stderr)) })
  })
  const read = async (dir: string): Promise<Record<string, unknown>> => JSON.parse(await readFile(join(contextDir(dir, target.name), 'meta.json'), 'utf8')) as Record<string, unknown>
  const mine = await read(ours)
  const cli = await read(theirs)
  t.same(cli, { Name: target.name, Metadata: { Description: 'swarmgate: the swarm alice/prod' }, Endpoints: { docker: { Host: target.host, SkipTLSVerify: false } } }, 'the CLI keeps its contexts at the same place')
  t.same(mine, { ...cli, Metadata: { ...(cli.Metadata as object), 'io.swarmgate.swarm': 'alice/prod' } }, 'ours is the CLI\'s document plus the swarm')
})

t.test('a context swarmgate did not make for this swarm is never touched', async (t) => {
  const dir = await newConfig('foreign')
  await dockerCli(dir, ['context', 'create', 'swarmgate-alice-prod', '--docker', 'host=tcp://203.0.113.9:2376'])
  await writeContext(dir, { uid: 4321, gid: 4322 }, { name: 'swarmgate-alice-test', swarm: 'alice/test', host: 'tcp://127.0.0.1:2' })
  const before = await readFile(join(contextDir(dir, 'swarmgate-alice-prod'), 'meta.json'), 'utf8')
  await t.rejects(checkContext(dir, 'swarmgate-alice-prod', 'alice/prod'), { code: 'SG_ERR_CLIENT_CONTEXT', message: /swarmgate-alice-prod is not one swarmgate made \(it points at tcp:\/\/203\.0\.113\.9:2376\).*--context NAME/ })
  await t.rejects(checkContext(dir, 'swarmgate-alice-test', 'alice/prod'), { code: 'SG_ERR_CLIENT_CONTEXT', message: /was made by swarmgate for the swarm alice\/test/ })
  t.equal(await readFile(join(contextDir(dir, 'swarmgate-alice-prod'), 'meta.json'), 'utf8'), before)
})

t.test('a configuration that cannot be written is a sentence', async (t) => {
  const file = join(root, 'a-file')
  await writeFile(file, '')
  await t.rejects(mountedConfig(file), { code: 'SG_ERR_CLIENT_CONTEXT', message: /is not a folder/ })
  await t.rejects(writeContext(file, { uid: 0, gid: 0 }, { name: 'x1', swarm: 'a/b', host: 'tcp://127.0.0.1:1' }), { code: 'SG_ERR_CLIENT_CONTEXT', message: /writing the context x1 into .* failed/ })
})
