/**
 * Issue 13's loop: `docker ps`, `docker service ls` and `docker exec C true` through one
 * client-proxy while a fault hits a manager, each command in a lane of its own (a call 0.3 s after
 * the last, about 5 calls a second in all, as in the issue's trial). C is a container of the same name on
 * every manager's own engine: exec goes to the engine of the manager the client-proxy uses, so
 * whichever manager takes over has its C, as a user's C would be wherever they exec.
 *
 * Each call is made at the same moment on a surviving manager's own socket too (its "shadow"):
 * the swarm itself has no leader for a while after its leader is lost, and `docker service ls`
 * then fails on every manager, sockets included. A call is the gateway's failure only when its
 * shadow succeeded, or when its answer is an engine's own swarmkit error (swarmFailed). The figures (calls, failures, when the loop was back to normal, the longest
 * wait between two answers) are printed by the tests, never asserted.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { runDocker } from '../testbed/index.js'
import { nodeHost, type LabNode } from '../testbed/lab/index.js'

/** Each command has a lane of its own, a call every PACE_MS after the last: a `service ls` held 20 s by a swarm without a leader does not stop the others. */
const PACE_MS = 300
/** Far above any deadline of the chain and the engine's own 20 s for swarm calls: reaching it is a hang. */
export const HANG_MS = 60_000
const MAX_CALLS = 3_000
const MAX_LOOP_MS = 5 * 60_000

/** One command of the loop and what answered it. */
export interface LoopCall {
  readonly args: readonly string[]
  /** `docker exec` sends bodies (its create and start); ps and service ls do not. */
  readonly hasBody: boolean
  readonly startedAt: number
  readonly endedAt: number
  readonly ok: boolean
  /** What the CLI printed on failure, or that it hung. */
  readonly message: string
  readonly hung: boolean
  /**
   * The same command on `node`'s own socket, started at the same moment; when the gateway's call
   * failed and that one did not, asked again as the gateway's answer came (`later`): a call the
   * gateway sent on to another manager reached the swarm later than the shadow did.
   */
  readonly shadow: Shadow | undefined
}

/** What a surviving manager's own socket said to the same call. */
export interface Shadow {
  readonly node: string
  readonly ok: boolean
  readonly message: string
  readonly endedAt: number
  readonly later?: { readonly ok: boolean, readonly message: string }
}

export interface LoopOptions {
  /** DOCKER_HOST of the client-proxy. */
  readonly host: string
  /** The name of C on every manager. */
  readonly container: string
  /** A manager that survives the fault, asked at each call: its socket is the shadow. */
  readonly shadow: () => LabNode | undefined
}

export interface RunningLoop {
  /** Ends the loop after the calls under way and returns every call, in the order they started. */
  stop: () => Promise<LoopCall[]>
}

/** The three commands of the loop, for C named `container`. */
export function loopCommands (container: string): string[][] {
  return [['ps', '-q'], ['service', 'ls', '-q'], ['exec', container, 'true']]
}

function outcome (r: { code: number | null, timedOut: boolean, stderr: string }): { ok: boolean, message: string, hung: boolean, endedAt: number } {
  return { ok: r.code === 0, hung: r.timedOut, message: r.code === 0 ? '' : r.timedOut ? `no answer within ${HANG_MS / 1000} s` : r.stderr.trim(), endedAt: Date.now() }
}

/** Starts the loop: one lane per command, each call and its shadow side by side. */
export function startLoop (opts: LoopOptions): RunningLoop {
  const calls: LoopCall[] = []
  let stopping = false
  const deadline = Date.now() + MAX_LOOP_MS
  const lane = async (args: readonly string[], offsetMs: number): Promise<void> => {
    await sleep(offsetMs)
    while (!stopping && calls.length < MAX_CALLS && Date.now() < deadline) {
      const node = opts.shadow()
      const startedAt = Date.now()
      const [gateway, shadow] = await Promise.all([
        runDocker(args, { host: opts.host, timeoutMs: HANG_MS }).then(outcome),
        node === undefined ? undefined : runDocker(args, { host: nodeHost(node), timeoutMs: HANG_MS }).then(outcome)
      ])
      const later = node !== undefined && !gateway.ok && shadow?.ok === true ? await runDocker(args, { host: nodeHost(node), timeoutMs: HANG_MS }).then(outcome) : undefined
      calls.push({
        args, hasBody: args[0] === 'exec', startedAt, endedAt: gateway.endedAt, ok: gateway.ok, message: gateway.message, hung: gateway.hung,
        shadow: node === undefined || shadow === undefined
          ? undefined
          : { node: node.name, ok: shadow.ok, message: shadow.message, endedAt: shadow.endedAt, ...later === undefined ? {} : { later: { ok: later.ok, message: later.message } } }
      })
      await sleep(PACE_MS)
    }
  }
  const done = Promise.all(loopCommands(opts.container).map(async (args, i) => { await lane(args, i * 100) }))
  return { stop: async () => { stopping = true; await done; return [...calls].sort((a, b) => a.startedAt - b.startedAt) } }
}

/**
 * swarmkit's own error, as a manager's engine words it: no gateway writes one. A read that
 * client-proxy sent again to a surviving manager reaches that engine between the shadow's two
 * moments; when the swarm has no leader then, the engine waits its 20 s and answers this.
 */
const ENGINE_SWARM_ERROR = /^Error response from daemon: rpc error: code = /

/**
 * True when the swarm failed the call, not the gateway: the surviving manager's socket failed it
 * too (when it was made or when the gateway answered), or the answer is a manager engine's own
 * swarmkit error passed on unchanged.
 */
function swarmFailed (c: LoopCall): boolean {
  return (c.shadow !== undefined && (!c.shadow.ok || c.shadow.later?.ok === false)) || ENGINE_SWARM_ERROR.test(c.message)
}

/** Calls that failed through the gateway while the same call on a surviving manager's socket succeeded. */
export function gatewayFailures (calls: readonly LoopCall[]): LoopCall[] {
  return calls.filter((c) => !c.ok && !swarmFailed(c))
}

/** What one fault did to one command's lane. */
export interface LaneFigures {
  readonly command: string
  readonly calls: number
  /** From the fault to the first answer to a call started after it: through the gateway, and on the surviving manager's own socket. */
  readonly backMs: number | undefined
  readonly shadowBackMs: number | undefined
  /** The longest time between two successful answers (ends of calls) around the fault, and the usual one before it. */
  readonly longestGapMs: number
  readonly usualGapMs: number
}

/** What one fault did to the loop. */
export interface Figures {
  readonly event: string
  readonly calls: number
  /** The gateway's failures, and those of them without a body. */
  readonly failed: number
  readonly failedWithoutBody: number
  /** Calls the swarm failed, not the gateway (swarmFailed). */
  readonly swarmFailures: number
  readonly lanes: readonly LaneFigures[]
}

function median (values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? 0
}

function laneFigures (command: string, calls: readonly LoopCall[], faultAt: number): LaneFigures {
  const after = calls.filter((c) => c.startedAt >= faultAt)
  const back = after.find((c) => c.ok)
  const shadowBack = after.find((c) => c.shadow?.ok === true)
  const gaps: Array<{ end: number, gap: number }> = []
  const ok = calls.filter((c) => c.ok)
  for (let i = 1; i < ok.length; i++) gaps.push({ end: (ok[i] as LoopCall).endedAt, gap: (ok[i] as LoopCall).endedAt - (ok[i - 1] as LoopCall).endedAt })
  return {
    command,
    calls: calls.filter((c) => c.endedAt >= faultAt).length,
    backMs: back === undefined ? undefined : back.endedAt - faultAt,
    shadowBackMs: shadowBack?.shadow === undefined ? undefined : shadowBack.shadow.endedAt - faultAt,
    longestGapMs: Math.max(0, ...gaps.filter((g) => g.end >= faultAt).map((g) => g.gap)),
    usualGapMs: median(gaps.filter((g) => g.end < faultAt).map((g) => g.gap))
  }
}

/** The figures of `calls` for a fault at `faultAt`: counts of the calls that ended after it, times from the fault. */
export function figures (event: string, calls: readonly LoopCall[], faultAt: number): Figures {
  const after = calls.filter((c) => c.endedAt >= faultAt)
  const failed = gatewayFailures(after)
  const commands = [...new Set(calls.map((c) => c.args.slice(0, c.args[0] === 'service' ? 2 : 1).join(' ')))]
  return {
    event,
    calls: after.length,
    failed: failed.length,
    failedWithoutBody: failed.filter((c) => !c.hasBody).length,
    swarmFailures: after.filter((c) => !c.ok && swarmFailed(c)).length,
    lanes: commands.map((command) => laneFigures(command, calls.filter((c) => c.args.join(' ').startsWith(command)), faultAt))
  }
}

function ms (value: number | undefined): string {
  return value === undefined ? 'not within the loop' : `${value} ms`
}

/** The figures as lines, for the test's output. */
export function describeFigures (f: Figures): string[] {
  return [
    `${f.event}: ${f.calls} calls ended after it, ${f.failed} failed through the gateway (${f.failedWithoutBody} without a body), ${f.swarmFailures} failed on the swarm's side (on the surviving manager's own socket too, or with the engine's own swarm error)`,
    ...f.lanes.map((l) => `  docker ${l.command}: ${l.calls} calls; first answer ${ms(l.backMs)} after the fault through the gateway, ${ms(l.shadowBackMs)} on the surviving manager's socket; ` +
      `longest wait between two answers ${l.longestGapMs} ms (usually ${l.usualGapMs} ms)`)
  ]
}

/**
 * The failed calls as lines, times relative to the fault: the gateway's one by one with what the
 * surviving manager's socket said; those that failed there too grouped by command and message.
 */
export function describeFailures (calls: readonly LoopCall[], faultAt: number): string[] {
  const lines = gatewayFailures(calls).map((c) => `${c.startedAt - faultAt} ms: docker ${c.args.join(' ')} (${c.endedAt - c.startedAt} ms): ${c.message}` +
    (c.shadow === undefined ? '' : ` | on ${c.shadow.node}'s socket: ok`))
  const swarm = new Map<string, LoopCall[]>()
  for (const c of calls.filter((c) => !c.ok && swarmFailed(c))) {
    const said = c.shadow?.ok === false
      ? c.shadow.message
      : c.shadow?.later?.ok === false ? `ok, then as the gateway answered: ${c.shadow.later.message}` : 'ok both times (the answer is the engine\'s own swarm error)'
    const key = `docker ${c.args.join(' ')}: ${c.message} | on ${c.shadow?.node ?? ''}'s socket: ${said}`
    swarm.set(key, [...swarm.get(key) ?? [], c])
  }
  for (const [key, group] of swarm) {
    const first = group[0] as LoopCall
    const last = group[group.length - 1] as LoopCall
    lines.push(`${group.length} × from ${first.startedAt - faultAt} to ${last.startedAt - faultAt} ms, failing on the surviving manager too: ${key}`)
  }
  return lines
}
