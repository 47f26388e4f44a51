import { test } from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { Writable } from 'node:stream'
import { auditLogger, createLogger } from '../src/logger.js'

const LOGGER = fileURLToPath(new URL('../src/logger.ts', import.meta.url))

/** A logger writing into an array of parsed lines. */
function captured (): { lines: Array<Record<string, unknown>>, logger: ReturnType<typeof createLogger> } {
  const lines: Array<Record<string, unknown>> = []
  const destination = new Writable({ write (chunk: Buffer, _enc, cb) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); cb() } })
  return { lines, logger: createLogger({ name: 'test', level: 'info', destination }) }
}

test('the root logger censors secrets wherever they are nested', async (t) => {
  const { lines, logger } = captured()
  logger.info({ password: 'p1', req: { headers: { authorization: 'Bearer t1' } }, login: { token: 't2' } }, 'x')
  await new Promise((resolve) => setImmediate(resolve))
  const text = JSON.stringify(lines)
  for (const secret of ['p1', 't1', 't2']) t.notOk(text.includes(secret), `${secret} is not written`)
  t.equal(lines[0]?.password, '[redacted]')
})

test('an audit logger censors the same names under err, the one object an audit line nests', async (t) => {
  const { lines, logger } = captured()
  const err = Object.assign(new Error('the engine went away'), { token: 't3', authorization: 'Bearer t4', headers: { authorization: 'Bearer t5', 'x-registry-auth': 'r1' } })
  auditLogger(logger.child({ module: 'm' })).info({ account: 'alice', route: '/_ping', status: 502, err }, 'audit')
  await new Promise((resolve) => setImmediate(resolve))
  const text = JSON.stringify(lines)
  for (const secret of ['t3', 't4', 't5', 'r1']) t.notOk(text.includes(secret), `${secret} is not written`)
  t.match(lines[0], { module: 'm', account: 'alice', route: '/_ping', status: 502, msg: 'audit', err: { message: 'the engine went away', token: '[redacted]' } })
})

/** Runs `code` (an ES module that gets `createLogger` from core) and collects its standard output with the time each piece came. */
async function run (code: string): Promise<Array<{ at: number, text: string }>> {
  const child = spawn(process.execPath, ['--import=@tapjs/typescript/import', '--input-type=module', '-e', `const { createLogger } = await import(${JSON.stringify(LOGGER)})\n${code}`], { stdio: ['ignore', 'pipe', 'inherit'] })
  const started = Date.now()
  const out: Array<{ at: number, text: string }> = []
  child.stdout.on('data', (c: Buffer) => { out.push({ at: Date.now() - started, text: c.toString() }) })
  await once(child, 'close')
  return out
}

test('standard output gets lines in batches, each written within a fraction of a second, none lost at exit', async (t) => {
  // One line, then the process stays up 1.5 s: the line must come well before the end.
  const quiet = await run(`const log = createLogger({ name: 't', level: 'info' }); const t0 = Date.now(); log.info({ n: 1 }, 'one'); setTimeout(() => { log.info({ at: Date.now() - t0 }, 'late') }, 1500)`)
  const first = quiet.find((c) => c.text.includes('"one"'))
  const last = quiet.find((c) => c.text.includes('"late"'))
  t.ok(first !== undefined && last !== undefined, 'both lines are written')
  t.ok((first?.at ?? Infinity) < (last?.at ?? 0) - 1000, `the first line came on its own, ${first?.at} ms in, long before the last (${last?.at} ms)`)
  // Many lines and an exit at once: every one is written, whole and in order.
  const burst = await run(`const log = createLogger({ name: 't', level: 'info' }); for (let i = 0; i < 2000; i++) log.info({ i }, 'burst'); process.exit(0)`)
  const lines = burst.map((c) => c.text).join('').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { i: number })
  t.equal(lines.length, 2000, 'no line lost at exit')
  t.same(lines.map((l) => l.i), Array.from({ length: 2000 }, (_, i) => i), 'in order')
  const writes = burst.length
  t.ok(writes < 200, `2,000 lines came in ${writes} reads of the pipe, not one per line`)
})
