/**
 * Authorization (issue 10): the same refused call (an operator's privileged container) dressed in
 * every way HTTP allows, and one a body the gateway cannot read with certainty: every framing
 * (Content-Length, chunked, chunk extensions and trailers, a message written a few bytes at a
 * time), oversized and encoded bodies, the route spelled as the engine's router would still match
 * it, and a second request on a connection whose upgrade the engine refused. Each is refused,
 * never reaches the engine, and nothing is created.
 */
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { BUSYBOX_IMAGE, docker, useEngine, waitFor } from '../testbed/index.js'
import { logsOnFailure } from '../harness/chain.js'
import { rawCall } from '../harness/raw-call.js'
import { CONTAINER_ARGS } from '../harness/containers.js'
import {
  createBody, engineState, expectAllowed, expectRefused, newRequestLines, postJson, startEscapeBed,
  type Attempt, type EscapeBed
} from '../harness/escapes.js'
import { openTls, requestChunks, type RawRequest } from '../harness/tls-exchange.js'

useEngine(t)

const run = randomBytes(4).toString('hex')
let bed: EscapeBed

t.before(async () => { bed = await startEscapeBed() })
t.teardown(async () => {
  logsOnFailure(t, bed?.chain)
  await bed?.close()
})

const PRIVILEGED = createBody({ Privileged: true })
const privileged = (extra: Partial<RawRequest>): RawRequest => postJson('/v1.41/containers/create', PRIVILEGED, extra)
const asOperator = (name: string, request: Attempt['request'], status: readonly number[] = [403], rule: string | RegExp = 'no-privileged'): Attempt =>
  ({ name, role: 'operator', request, rule, status })
/** A path the engine's router would not match as it stands (it redirects or answers 404): unknown to the policy too. */
const NOT_A_ROUTE = /no-privileged|unknown-route/
/** 4 MiB is what the gateway reads of a body (docs/authorization.md); this is past it. */
const OVERSIZED = JSON.stringify({ Image: BUSYBOX_IMAGE, Env: [`PAD=${'x'.repeat(6 * 1024 * 1024)}`], HostConfig: { Privileged: true } })

const FRAMINGS: Attempt[] = [
  asOperator('Content-Length, one write', privileged({ framing: 'length' })),
  asOperator('chunked', privileged({ framing: 'chunked' })),
  asOperator('chunked with chunk extensions and a trailer', privileged({ framing: 'chunked-ext' })),
  asOperator('the whole message written 7 bytes at a time', privileged({ framing: 'split' })),
  asOperator('both Content-Length and Transfer-Encoding: chunked', privileged({
    headers: [['Content-Type', 'application/json'], ['Content-Length', String(PRIVILEGED.length)], ['Transfer-Encoding', 'chunked']], framing: 'chunked'
  }), [400, 403]),
  asOperator('no Content-Type', { method: 'POST', target: '/v1.41/containers/create', body: PRIVILEGED }, [400, 403]),
  asOperator('Content-Type application/json; charset=utf-8', privileged({ headers: [['Content-Type', 'application/json; charset=utf-8']] })),
  asOperator('oversized (6 MiB, Privileged after the padding)', postJson('/v1.41/containers/create', OVERSIZED), [413]),
  asOperator('oversized and chunked', postJson('/v1.41/containers/create', OVERSIZED, { framing: 'chunked' }), [413]),
  asOperator('Content-Encoding gzip', privileged({ headers: [['Content-Type', 'application/json'], ['Content-Encoding', 'gzip']], body: gzipSync(PRIVILEGED) }), [400, 415]),
  asOperator('a form content type', privileged({ headers: [['Content-Type', 'application/x-www-form-urlencoded']] }), [400, 403, 415], 'form-body'),
  asOperator('a form body naming a reserved container (Go reads form fields as query parameters)', { method: 'POST', target: '/v1.41/containers/create', headers: [['Content-Type', 'application/x-www-form-urlencoded']], body: 'name=swarmgate-x' }, [400, 403, 415], 'form-body')
]

const ROUTES: Attempt[] = [
  asOperator('without the /vNN prefix', privileged({ target: '/containers/create' })),
  asOperator('an old version prefix /v1.24', privileged({ target: '/v1.24/containers/create' })),
  asOperator('percent-encoded letter: /containers/%63reate', privileged({ target: '/v1.41/containers/%63reate' })),
  asOperator('percent-encoded slash: /containers%2Fcreate', privileged({ target: '/v1.41/containers%2Fcreate' }), [403, 404], NOT_A_ROUTE),
  asOperator('repeated slashes', privileged({ target: '/v1.41//containers///create' }), [403, 404], NOT_A_ROUTE),
  asOperator('a trailing slash', privileged({ target: '/v1.41/containers/create/' }), [403, 404], NOT_A_ROUTE),
  asOperator('a .. segment', privileged({ target: '/v1.41/containers/x/../create' }), [403, 404], NOT_A_ROUTE),
  asOperator('a . segment', privileged({ target: '/v1.41/containers/./create' }), [403, 404], NOT_A_ROUTE),
  asOperator('absolute-form target', privileged({ target: 'https://127.0.0.1/v1.41/containers/create' }), [400, 403]),
  asOperator('lower-case method', privileged({ method: 'post' }), [400, 403, 404, 405]),
  asOperator('a query string and a fragment-looking suffix', privileged({ target: '/v1.41/containers/create?x=1&x=2#frag' }), [400, 403]),
  asOperator('an encoded query separator in the path', privileged({ target: '/v1.41/containers/create%3Fname=x' }), [403, 404], NOT_A_ROUTE)
]

for (const [group, attempts] of [['framings and bodies', FRAMINGS], ['route spellings', ROUTES]] as const) {
  t.test(`operator, privileged container: ${group}`, { timeout: 180_000 }, async (t) => {
    for (const attempt of attempts) {
      await t.test(attempt.name, async (t) => { await expectRefused(t, bed, attempt) })
    }
  })
}

t.test('controls: the same framings carry an ordinary create through', { timeout: 60_000 }, async (t) => {
  for (const framing of ['length', 'chunked', 'chunked-ext', 'split'] as const) {
    const answer = await expectAllowed(t, bed, 'operator', postJson(`/v1.41/containers/create?name=sg-esc-frame-${framing}-${run}`, createBody(), { framing }), 201)
    if (answer.status === 201) await docker(['rm', (JSON.parse(answer.body.toString()) as { Id: string }).Id])
  }
})

/**
 * Exec start of an exec whose container has stopped (the engine forgets its execs then): the
 * policy has nothing to refuse, the engine refuses the upgrade (404). An exec that already ran
 * is no use here: the engine upgrades first and writes that error into the stream. Whatever the client writes next on that
 * connection must be decided like any call, or not reach the engine at all.
 */
t.test('hijack re-use: a second request after the engine refused the upgrade', { timeout: 60_000 }, async (t) => {
  const box = await docker(['run', '-d', ...CONTAINER_ARGS, '--name', `sg-esc-reuse-${run}`, BUSYBOX_IMAGE, 'sleep', '600'])
  const exec = JSON.parse(await createExec(box)) as { Id: string }
  await docker(['kill', box])
  await waitFor('the engine to forget the exec', async () => (await rawCall('socket', 'GET', `/exec/${exec.Id}/json`)).status === 404 ? true : undefined)
  const start = postJson(`/v1.41/exec/${exec.Id}/start`, '{"Detach":false,"Tty":false}', {
    headers: [['Authorization', `Bearer ${await bed.token('operator')}`], ['Content-Type', 'application/json'], ['Connection', 'Upgrade'], ['Upgrade', 'tcp']]
  })
  const second = privileged({ headers: [['Authorization', `Bearer ${await bed.token('operator')}`], ['Content-Type', 'application/json']] })
  for (const mode of ['after the answer', 'pipelined'] as const) {
    await t.test(mode, async (t) => {
      const before = await engineState([box])
      const lines = bed.relay.requestLines()
      const conn = await openTls(bed.chain.serverUrl, bed.chain.identity.caPem)
      t.teardown(() => { conn.destroy() })
      if (mode === 'pipelined') {
        await conn.write([...requestChunks(start), ...requestChunks(second)])
      } else {
        await conn.write(requestChunks(start))
      }
      const first = await conn.response()
      t.equal(first.status, 404, `the engine refused the upgrade (${first.status}: ${first.body.toString()})`)
      if (mode === 'after the answer') await conn.write(requestChunks(second))
      // Either the connection is closed, or the second request is decided (403) like any other.
      const closed = await conn.waitClosed(2_000)
      if (!closed || conn.unread().length > 0) {
        const next = await conn.response(5_000).catch((err: Error) => ({ status: 0, headers: {}, body: Buffer.from(err.message) }))
        t.ok(next.status === 403 || next.status === 0, `the second request is refused or dropped (got ${next.status}: ${next.body.toString().slice(0, 200)})`)
      }
      const reached = newRequestLines(lines, bed.relay.requestLines()).filter((l) => l.startsWith('POST') && l.includes('/containers/create'))
      t.same(reached, [], 'the second request never reached the engine')
      t.same(await engineState([box]), before, 'nothing was created')
    })
  }
})

/** An exec instance in `box`, created by the owner. */
async function createExec (box: string): Promise<string> {
  const answer = await bed.send('owner', postJson(`/v1.41/containers/${box}/exec`, '{"Cmd":["true"]}'))
  return answer.body.toString()
}
