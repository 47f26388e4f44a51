import t from 'tap'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

// A program built with runProgram, run as its own process so exit status and output are real.
const dir = t.testdir({})
const script = join(dir, 'demo.mjs')
writeFileSync(script, `
import { defineProgram, runProgram, SwarmgateError } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)}
const program = defineProgram({ name: 'demo', version: '9.9.9', summary: 'Demo.', usage: 'demo [--fail CODE]',
  options: { fail: { kind: 'string', flag: '--fail', help: 'Fail with this code' } } })
runProgram(program, async (config, args) => {
  if (config.fail === 'crash') throw new Error('boom')
  if (config.fail !== undefined) throw new SwarmgateError(config.fail, 'it failed: do this instead')
  process.stdout.write('ran ' + args.join(',') + '\\n')
  return args.length
}, { usageCodes: ['SG_ERR_DEMO_USAGE'], interruptCodes: ['SG_ERR_DEMO_INTERRUPTED'] })
`)

const run = (...args: string[]): { status: number | null, stdout: string, stderr: string } => {
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

t.test('runs main with the positional arguments and uses its result as exit status', async (t) => {
  t.match(run('a', 'b'), { status: 2, stdout: 'ran a,b\n', stderr: '' })
})
t.test('help and version', async (t) => {
  t.match(run('--help'), { status: 0, stdout: /^Usage: demo \[--fail CODE\]/ })
  t.match(run('--version'), { status: 0, stdout: '9.9.9\n' })
})
t.test('a known error is one sentence; usage and interrupt codes map to 2 and 130', async (t) => {
  t.match(run('--fail', 'SG_ERR_DEMO_OTHER'), { status: 1, stderr: 'demo: it failed: do this instead\n' })
  t.match(run('--fail', 'SG_ERR_DEMO_USAGE'), { status: 2 })
  t.match(run('--fail', 'SG_ERR_DEMO_INTERRUPTED'), { status: 130 })
  t.match(run('--bogus'), { status: 2, stderr: /unknown option --bogus/ })
})
t.test('an unexpected error says so, with its stack', async (t) => {
  t.match(run('--fail', 'crash'), { status: 1, stderr: /^demo: unexpected failure: Error: boom/ })
})
