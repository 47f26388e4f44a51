import t from 'tap'
import { defineProgram, parseArgs, renderHelp } from '../src/config.js'
import { hasCode } from '../src/errors.js'

const program = defineProgram({
  name: 'demo',
  version: '1.2.3',
  summary: 'A demo program.',
  usage: 'demo [options]',
  options: {
    port: { kind: 'port', flag: '--port', env: 'DEMO_PORT', default: 2376, help: 'Port to listen on' },
    host: { kind: 'string', flag: '--host', env: 'DEMO_HOST', required: true, help: 'Host' },
    endpoint: { kind: 'list', flag: '--endpoint', env: 'DEMO_ENDPOINTS', help: 'Endpoints' },
    quiet: { kind: 'boolean', flag: '--quiet', short: '-q', env: 'DEMO_QUIET', help: 'Quiet' },
    ttl: { kind: 'seconds', flag: '--ttl', default: 900, help: 'Lifetime' },
    level: { kind: 'string', flag: '--level', choices: ['info', 'debug'], default: 'info', help: 'Level' }
  }
})

t.test('flags win over environment, which wins over defaults', async (t) => {
  const r = parseArgs(program, ['--host', 'a', '--port=9', '-q', 'pos', '--endpoint', 'x:1', '--endpoint', 'y:2', '--ttl', '15m'], { DEMO_PORT: '5', DEMO_HOST: 'b' })
  t.equal(r.action, 'run')
  if (r.action !== 'run') return
  t.same(r.config, { port: 9, host: 'a', endpoint: ['x:1', 'y:2'], quiet: true, ttl: 900, level: 'info' })
  t.same(r.args, ['pos'])
  t.ok(Object.isFrozen(r.config))
})

t.test('environment fills what flags leave out; lists split on commas', async (t) => {
  const r = parseArgs(program, [], { DEMO_HOST: 'h', DEMO_ENDPOINTS: 'a:1, b:2', DEMO_QUIET: 'yes' })
  t.same(r.action === 'run' && r.config, { port: 2376, host: 'h', endpoint: ['a:1', 'b:2'], quiet: true, ttl: 900, level: 'info' })
})

t.test('every problem is reported at once', async (t) => {
  try {
    parseArgs(program, ['--port', '70000', '--bogus', '--level', 'loud', '--ttl', 'soon'], {})
    t.fail('should throw')
  } catch (err) {
    t.ok(hasCode(err, 'SG_ERR_CONFIG'))
    const msg = (err as Error).message
    for (const bit of ['--port must be a port', 'unknown option --bogus', '--level must be one of info, debug', '--ttl must be a duration', '--host (or DEMO_HOST) is required']) {
      t.match(msg, bit)
    }
  }
})

t.test('help and version short-circuit parsing', async (t) => {
  t.equal(parseArgs(program, ['--bogus', '--help'], {}).action, 'help')
  t.equal(parseArgs(program, ['--version'], {}).action, 'version')
  const help = renderHelp(program)
  t.match(help, /--port PORT\s+Port to listen on \(env DEMO_PORT; default 2376\)/)
  t.match(help, /-q, --quiet/)
})
