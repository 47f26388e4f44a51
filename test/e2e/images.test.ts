// The four program images as `npm run images` builds them: tags, labels, user, entry point,
// health check, and contents (compiled code that finds its workspace packages, no dev tools).
import t from 'tap'
import { docker, dockerJson, PROGRAMS, programImage, programVersion, useEngine, type Program } from '../testbed/index.js'
import { PROXY_NODE_OPTIONS } from '../harness/proxy-process.js'

useEngine(t, { images: PROGRAMS })

interface ImageConfig {
  User: string
  Entrypoint: string[] | null
  Cmd: string[] | null
  Labels: Record<string, string> | null
  Healthcheck?: { Test: string[], Interval: number, Timeout: number, Retries: number }
}

const LONG_RUNNING: readonly Program[] = ['server-proxy', 'client-proxy']
// Only client-proxy works without the engine socket, which only root may open.
const USERS: Record<Program, string> = { registration: '0:0', 'server-proxy': '0:0', 'client-proxy': '10001:10001', client: '0:0' }

for (const program of PROGRAMS) {
  t.test(`swarmgate/${program}`, async (t) => {
    const version = programVersion(program)
    const [latest, versioned] = await Promise.all([
      docker(['image', 'inspect', '--format', '{{.Id}}', `swarmgate/${program}:latest`]),
      docker(['image', 'inspect', '--format', '{{.Id}}', programImage(program)])
    ])
    t.equal(latest, versioned, ':latest and :<version> are the same image')

    const [config] = await dockerJson<Array<{ Config: ImageConfig }>>(['image', 'inspect', programImage(program)])
    const main = `/app/packages/${program}/dist/main.js`
    // The proxies start with the V8 options the test harness gives them too: tests and benchmark
    // measure the programs as the images run them.
    t.same(config?.Config.Entrypoint, ['node', ...(LONG_RUNNING.includes(program) ? PROXY_NODE_OPTIONS : []), main])
    t.notOk(config?.Config.Cmd, 'no default arguments (a base image CMD would become one)')
    t.equal(config?.Config.User, USERS[program])
    t.match(config?.Config.Labels, {
      'io.swarmgate.program': program,
      'org.opencontainers.image.title': `swarmgate/${program}`,
      'org.opencontainers.image.version': version,
      'org.opencontainers.image.licenses': 'Apache-2.0',
      'org.opencontainers.image.revision': /\S/
    })
    if (LONG_RUNNING.includes(program)) {
      t.same(config?.Config.Healthcheck?.Test, ['CMD', 'node', main, 'healthcheck'])
    } else {
      t.notOk(config?.Config.Healthcheck, 'a one-shot program has no health check')
    }

    // Resolved from the program's own folder, as Node does when it runs main.js.
    const probe = `
      const { createRequire } = require('node:module')
      const { realpathSync } = require('node:fs')
      const req = createRequire('/app/packages/${program}/dist/main.js')
      const dev = ['typescript', 'tap', '@types/node'].filter((m) => { try { req.resolve(m); return true } catch { return false } })
      console.log(JSON.stringify({ core: realpathSync(req.resolve('@swarmgate/core')), dev, uid: process.getuid() }))`
    const seen = JSON.parse(await docker(['run', '--rm', '--network', 'none', '--entrypoint', 'node', programImage(program), '-e', probe])) as { core: string, dev: string[], uid: number }
    t.equal(seen.core, '/app/packages/core/dist/index.js', '@swarmgate/core resolves inside the image')
    t.same(seen.dev, [], 'no development dependencies in the image')
    t.equal(seen.uid, Number(USERS[program].split(':')[0]))

    t.equal(await docker(['run', '--rm', '--network', 'none', programImage(program), '--version']), version, '--version prints the package version')
  })
}
