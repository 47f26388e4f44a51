import t from 'tap'
import { run, runChecked } from './process.js'

t.test('reports output and exit status without throwing', async (t) => {
  const r = await run('sh', ['-c', 'cat; echo oops >&2; exit 3'], { input: 'hello' })
  t.same(r, { stdout: 'hello', stderr: 'oops\n', code: 3, timedOut: false })
})

t.test('kills a program that runs too long', async (t) => {
  const r = await run('sleep', ['30'], { timeoutMs: 200 })
  t.equal(r.timedOut, true)
  t.equal(r.code, null)
  await t.rejects(runChecked('sleep', ['30'], { timeoutMs: 200 }), { code: 'SG_ERR_TESTBED_TIMEOUT' })
})

t.test('runChecked throws with standard error unless the exit status is 0', async (t) => {
  t.equal(await runChecked('echo', ['fine']), 'fine\n')
  await t.rejects(runChecked('sh', ['-c', 'echo broken >&2; exit 1']), { code: 'SG_ERR_TESTBED_COMMAND', message: /broken/ })
  await t.rejects(runChecked('/nonexistent/program', []), { code: 'SG_ERR_TESTBED_COMMAND' })
})
