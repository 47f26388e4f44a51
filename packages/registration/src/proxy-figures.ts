/**
 * What each manager's server-proxy says about itself, for `status`: its version, how long it has
 * run, its open hijacked sessions and its engine errors, read from its Prometheus metrics
 * (server-proxy README, "Metrics"). Registration sets each task to serve them on the service's
 * overlay network only (METRICS_PORT, never published), so registration, which runs on a
 * manager's engine socket and not on that network, asks through the server-proxy task of its own
 * node: one `docker exec` of node's fetch against every task's overlay address. Nothing is
 * created, and a proxy that does not answer is reported, not waited for.
 */
import type { EngineClient, Task } from '@swarmgate/core'
import { METRICS_PORT, NETWORK_NAME } from './names.js'

/** One sample line of the text exposition format. */
export interface MetricSample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

/** A server-proxy's own figures. */
export interface ProxyFigures {
  readonly version: string | undefined
  /** Seconds since the epoch. */
  readonly startedAt: number | undefined
  readonly openSessions: number | undefined
  readonly engineErrors: number
  /** Seconds since the epoch; undefined when there was none. */
  readonly lastEngineErrorAt: number | undefined
}

/** The figures of one task, or why there are none. */
export type FiguresAnswer = { readonly figures: ProxyFigures } | { readonly unavailable: string }

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g

function unescapeLabel (value: string): string {
  return value.replace(/\\(.)/g, (_m, c: string) => c === 'n' ? '\n' : c)
}

function parseValue (text: string): number {
  if (text === '+Inf') return Infinity
  if (text === '-Inf') return -Infinity
  return Number(text)
}

/** The samples of a text exposition; comments, blank and malformed lines are skipped. */
export function parseMetricsText (text: string): MetricSample[] {
  const samples: MetricSample[] = []
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue
    const m = SAMPLE.exec(line.trim())
    if (m === null) continue
    const labels: Record<string, string> = {}
    for (const [, name, value] of (m[2] ?? '').matchAll(LABEL)) labels[name as string] = unescapeLabel(value as string)
    samples.push({ name: m[1] as string, labels, value: parseValue(m[3] as string) })
  }
  return samples
}

/** A server-proxy's figures from its metrics text. */
export function proxyFigures (text: string): ProxyFigures {
  const samples = parseMetricsText(text)
  const one = (name: string): number | undefined => samples.find((s) => s.name === name)?.value
  const lastError = one('swarmgate_engine_last_error_timestamp_seconds')
  return {
    version: samples.find((s) => s.name === 'swarmgate_build_info')?.labels.version,
    startedAt: one('process_start_time_seconds'),
    openSessions: one('swarmgate_hijacked_sessions_open'),
    engineErrors: samples.filter((s) => s.name === 'swarmgate_engine_errors_total').reduce((sum, s) => sum + s.value, 0),
    lastEngineErrorAt: lastError === undefined || lastError === 0 ? undefined : lastError
  }
}

type TaskWithNetworks = Task & {
  readonly NetworksAttachments?: ReadonlyArray<{ readonly Network?: { readonly Spec?: { readonly Name?: string } }, readonly Addresses?: readonly string[] }>
}

/** The task's address on the server-proxy network, without its prefix length. */
export function overlayAddress (task: Task): string | undefined {
  const attachment = (task as TaskWithNetworks).NetworksAttachments?.find((a) => a.Network?.Spec?.Name === NETWORK_NAME)
  return attachment?.Addresses?.[0]?.split('/')[0]
}

/** How long one server-proxy may take to answer before it is reported as not answering. */
const SCRAPE_TIMEOUT_MS = 3_000

/** node -e program: fetches http://ADDR/metrics for each argument at once, prints {addr: {text} | {error}} as JSON. */
const SCRAPE = `Promise.all(process.argv.slice(1).map(async (a) => {
  try {
    const res = await fetch("http://" + a + "/metrics", { signal: AbortSignal.timeout(${SCRAPE_TIMEOUT_MS}) })
    return [a, res.ok ? { text: await res.text() } : { error: "answered " + res.status }]
  } catch (err) { return [a, { error: String(err.cause?.code ?? err.cause?.message ?? err.message) }] }
})).then((all) => process.stdout.write(JSON.stringify(Object.fromEntries(all))))`

/** The figures of each task (by task ID), asked through the running server-proxy container `via` on this node. */
export async function readFigures (engine: EngineClient, via: string | undefined, tasks: readonly Task[]): Promise<Map<string, FiguresAnswer>> {
  const answers = new Map<string, FiguresAnswer>()
  const targets = new Map<string, string>()
  for (const task of tasks) {
    const address = overlayAddress(task)
    if (address === undefined) answers.set(task.ID, { unavailable: `the task has no address on ${NETWORK_NAME}` })
    else targets.set(task.ID, `${address.includes(':') ? `[${address}]` : address}:${METRICS_PORT}`)
  }
  if (targets.size === 0) return answers
  if (via === undefined) {
    for (const id of targets.keys()) answers.set(id, { unavailable: 'asked through this node\'s server-proxy, which is not running' })
    return answers
  }
  let printed: Record<string, { text?: string, error?: string }>
  try {
    const result = await engine.exec(via, ['node', '-e', SCRAPE, ...new Set(targets.values())])
    if (result.exitCode !== 0) throw new Error(result.stderr.trim() || `exit ${result.exitCode}`)
    printed = JSON.parse(result.stdout) as typeof printed
  } catch (err) {
    for (const id of targets.keys()) answers.set(id, { unavailable: `asking through this node's server-proxy failed: ${(err as Error).message}` })
    return answers
  }
  for (const [id, target] of targets) {
    const answer = printed[target]
    answers.set(id, answer?.text === undefined
      ? { unavailable: `its metrics at ${target} did not answer: ${answer?.error ?? 'no answer'}` }
      : { figures: proxyFigures(answer.text) })
  }
  return answers
}
