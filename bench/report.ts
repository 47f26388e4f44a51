/**
 * The benchmark's output: markdown tables (printed, and kept for docs/performance.md), the
 * targets of issue 5 as ratios from this run with pass/short markers, and everything as JSON.
 * Ratios are "chain / other" for rates and "chain / other" for times, so the direction of "better"
 * is said with each target.
 */
import { ratio } from './stats.js'
import { CHAIN_KEYS, DEFAULT_PATH, PATH_KEYS, PATH_LABELS, type PathKey } from './setup/paths.js'
import type { ApiFigure } from './measure/api.js'
import type { StreamFigure } from './measure/streams.js'
import type { CliFigure } from './measure/cli.js'
import type { QuietFigure } from './measure/quiet.js'
import type { TokenFigure } from './measure/tokens.js'
import type { PolicyFigure } from './measure/policy.js'
import { CANDIDATES } from './measure/forwarders.js'
import { TRANSPORT_REFERENCES, type TransportFigures } from './measure/transports.js'

export interface Results {
  readonly api: readonly ApiFigure[]
  readonly forwarders: readonly ApiFigure[]
  readonly transports: TransportFigures
  readonly streams: readonly StreamFigure[]
  readonly cli: readonly CliFigure[]
  readonly quiet: readonly QuietFigure[]
  readonly tokens: TokenFigure | undefined
  readonly policy: PolicyFigure | undefined
}

export interface Target {
  readonly what: string
  readonly value: number
  /** 'min': value must be at least `limit`; 'max': at most. */
  readonly kind: 'min' | 'max'
  readonly limit: number
  readonly unit: string
  readonly pass: boolean
}

const n0 = (v: number): string => Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : 'n/a'
const n1 = (v: number): string => Number.isFinite(v) ? v.toFixed(1) : 'n/a'
const n2 = (v: number): string => Number.isFinite(v) ? v.toFixed(2) : 'n/a'
const x = (v: number): string => Number.isFinite(v) ? `${v.toFixed(2)}x` : 'n/a'

function table (head: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n')
}

function find<T extends { subject: string }> (list: readonly T[], subject: string, match: (f: T) => boolean): T | undefined {
  return list.find((f) => f.subject === subject && match(f))
}

/** The paths this run measured, in PATH_KEYS order. */
function present (list: ReadonlyArray<{ subject: string }>): PathKey[] {
  return PATH_KEYS.filter((k) => list.some((f) => f.subject === k))
}

/** The swarmgate paths measured, each with its short name for ratio columns. */
function chains (keys: readonly PathKey[]): PathKey[] {
  return CHAIN_KEYS.filter((k) => keys.includes(k))
}

function apiTable (api: readonly ApiFigure[]): string {
  const cells = [...new Set(api.map((f) => `${f.endpoint} ${f.connections}`))]
  const keys = present(api)
  const ratios = chains(keys).flatMap((c) => (['mtls', 'tunnel'] as const).map((o) => [c, o] as const))
  return table(['call', 'conns', ...keys.map((k) => PATH_LABELS[k]), ...ratios.map(([c, o]) => `${c}/${o}`)], cells.map((cell) => {
    const of = (k: PathKey): ApiFigure | undefined => find(api, k, (f) => `${f.endpoint} ${f.connections}` === cell)
    const [endpoint = '', conns = ''] = cell.split(' ')
    const cps = (k: PathKey): number => of(k)?.callsPerSecond ?? NaN
    return [`GET ${endpoint}`, conns, ...keys.map((k) => loadCell(of(k))), ...ratios.map(([c, o]) => x(ratio(cps(c), cps(o))))]
  }))
}

/** One load figure as a table cell: calls/s, p50 / p99, and the errors if any. */
function loadCell (f: ApiFigure | undefined): string {
  return f === undefined ? 'n/a' : `${n0(f.callsPerSecond)}/s, ${n2(f.p50Ms)} / ${n2(f.p99Ms)} ms${f.errors > 0 ? ` (${f.errors} errors)` : ''}`
}

/** Candidates side by side: a column per subject (with its label), a row per call and connection count. */
function candidateTable (list: readonly ApiFigure[], subjects: ReadonlyArray<readonly [key: string, label: string]>, ratioTo?: string): string {
  const cells = [...new Set(list.map((f) => `${f.endpoint} ${f.connections}`))]
  const ratios = ratioTo === undefined ? [] : subjects.filter(([key]) => key !== ratioTo).map(([key]) => [key, ratioTo] as const)
  return table(['call', 'conns', ...subjects.map(([, label]) => label), ...ratios.map(([key, base]) => `${key}/${base}`)], cells.map((cell) => {
    const [endpoint = '', conns = ''] = cell.split(' ')
    const of = (key: string): ApiFigure | undefined => find(list, key, (g) => `${g.endpoint} ${g.connections}` === cell)
    return [`GET ${endpoint}`, conns, ...subjects.map(([key]) => loadCell(of(key))),
      ...ratios.map(([key, base]) => x(ratio(of(key)?.callsPerSecond ?? NaN, of(base)?.callsPerSecond ?? NaN)))]
  }))
}

const FORWARDER_COLUMNS = [...CANDIDATES.map((c) => [c, c] as const), ['socket', 'socket (no forwarder)'] as const]
const TRANSPORT_COLUMNS = [
  ['pair', 'pair: a TLS connection per CLI connection'] as const,
  ['h2', 'h2: CONNECT streams of one HTTP/2 session'] as const,
  ['frames', 'frames: channels of one TLS connection'] as const,
  ...TRANSPORT_REFERENCES.map((k) => [k, PATH_LABELS[k]] as const)
]

function streamTable (streams: readonly StreamFigure[]): string {
  const ops = [...new Set(streams.map((f) => f.op))]
  const keys = present(streams)
  const cs = chains(keys)
  return table(['MB/s', ...keys.map((k) => PATH_LABELS[k]), ...cs.map((c) => `${c}/mTLS`)], ops.map((op) => {
    const v = (k: PathKey): number => find(streams, k, (f) => f.op === op)?.mbPerSecond ?? NaN
    const bytes = streams.find((f) => f.op === op)?.bytes ?? 0
    return [`${op} (${n0(bytes / 1e6)} MB)`, ...keys.map((k) => n0(v(k))), ...cs.map((c) => x(ratio(v(c), v('mtls'))))]
  }))
}

const CLI_LABELS: Record<string, string> = { ps: 'docker ps (ms)', exec: 'docker exec C true (ms)', run: 'docker run --rm (ms)', echo: '64 MB echo, exec -i C cat (MB/s)' }

function cliTable (cli: readonly CliFigure[]): string {
  const ops = [...new Set(cli.map((f) => f.op))]
  const keys = present(cli)
  const cs = chains(keys)
  return table(['command', ...keys.map((k) => PATH_LABELS[k]), ...cs.map((c) => `${c}/mTLS`)], ops.map((op) => {
    const v = (k: PathKey): number => {
      const f = find(cli, k, (g) => g.op === op)
      return (op === 'echo' ? f?.mbPerSecond : f?.ms) ?? NaN
    }
    return [CLI_LABELS[op] ?? op, ...keys.map((k) => n0(v(k))), ...cs.map((c) => x(ratio(v(c), v('mtls'))))]
  }))
}

/** `processes`: what the server's and the client's process are called (the proxies, or a transport's hops). */
function quietTable (list: readonly QuietFigure[], processes: readonly [string, string] = ['server-proxy', 'client-proxy']): string {
  const row = (q: QuietFigure, name: string, u: QuietFigure['serverProxy']): string[] =>
    [PATH_LABELS[q.subject as PathKey] ?? q.subject, name, n1(u.rssBeforeMb), n1(u.rssPeakMb), n2(u.openCpuSeconds), n1(u.holdCpuPercent)]
  return list.map((q) => `${PATH_LABELS[q.subject as PathKey] ?? q.subject}: ${q.opened}/${q.streams} GET /events streams opened in ${n1(q.openSeconds)} s, held ${n0(q.holdSeconds)} s, ${q.errors} errors${Object.keys(q.errorMessages).length === 0 ? '' : ` (${Object.entries(q.errorMessages).map(([m, c]) => `${c} x ${m}`).join('; ')})`}.`).join('\n') + '\n\n' +
    table(['chain', 'process', 'RSS before (MB)', 'RSS peak (MB)', 'CPU to open (s)', 'CPU while holding (% of a core)'],
      list.flatMap((q) => [row(q, processes[0], q.serverProxy), row(q, processes[1], q.clientProxy)]))
}

/** The targets of issue 14 (issue 5's, on the deployed path too), computed from this run's figures. */
export function targets (r: Results): Target[] {
  const out: Target[] = []
  for (const chain of chains(present([...r.api, ...r.streams, ...r.cli, ...r.quiet]))) out.push(...chainTargets(r, chain))
  out.push(...fallbackTargets(r))
  if (r.policy !== undefined) {
    const share = policyShares(r)
    const add = (what: string, value: number): void => { out.push({ what, value, kind: 'max', limit: 5, unit: ' %', pass: Number.isFinite(value) && value <= 5 }) }
    add('policy share of the chain\'s best calls/s, route-only decision', share.route * 100)
    add('policy share of a docker run through the chain, 10 KB create body', share.createBody * 100)
  }
  return out
}

/** One swarmgate path's targets, each named after the path. */
function chainTargets (r: Results, chain: PathKey): Target[] {
  const out: Target[] = []
  const add = (what: string, value: number, kind: 'min' | 'max', limit: number, unit: string): void => {
    out.push({ what: `${PATH_LABELS[chain]}: ${what}`, value, kind, limit, unit, pass: Number.isFinite(value) && (kind === 'min' ? value >= limit : value <= limit) })
  }
  for (const f of r.api.filter((g) => g.subject === chain)) {
    const other = (k: PathKey): ApiFigure | undefined => find(r.api, k, (g) => g.endpoint === f.endpoint && g.connections === f.connections)
    const cell = `GET ${f.endpoint}, ${f.connections} conn`
    add(`calls/s vs ssh tunnel, ${cell}`, ratio(f.callsPerSecond, other('tunnel')?.callsPerSecond ?? NaN), 'min', 1.0, 'x')
    add(`calls/s vs dockerd mTLS, ${cell}`, ratio(f.callsPerSecond, other('mtls')?.callsPerSecond ?? NaN), 'min', 0.6, 'x')
    if (f.connections === 1) add(`p50 added over mTLS, ${cell}`, f.p50Ms - (other('mtls')?.p50Ms ?? NaN), 'max', 0.5, ' ms')
  }
  for (const f of r.streams.filter((g) => g.subject === chain)) {
    add(`${f.op} MB/s vs mTLS`, ratio(f.mbPerSecond, find(r.streams, 'mtls', (g) => g.op === f.op)?.mbPerSecond ?? NaN), 'min', 0.9, 'x')
  }
  const cli = (op: string, k: PathKey): number => find(r.cli, k, (g) => g.op === op)?.ms ?? NaN
  for (const op of ['ps', 'exec', 'run'] as const) {
    if (r.cli.some((f) => f.subject === chain && f.op === op)) add(`${CLI_LABELS[op]?.replace(' (ms)', '') ?? op} time vs mTLS`, ratio(cli(op, chain), cli(op, 'mtls')), 'max', 1.1, 'x')
  }
  for (const q of r.quiet.filter((g) => g.subject === chain)) {
    add(`errors in ${q.streams} quiet streams`, q.errors, 'max', 0, '')
    add('server-proxy peak RSS with the quiet streams', q.serverProxy.rssPeakMb, 'max', 100, ' MB')
  }
  return out
}

/**
 * Issue 14's "Done when" short of every target: on the client's default path, calls/s at 1 and
 * 16 connections at least 0.8x the ssh tunnel, uploads (load, cp in, build context) at least 0.8x mTLS.
 */
function fallbackTargets (r: Results): Target[] {
  const out: Target[] = []
  const add = (what: string, value: number): void => {
    out.push({ what: `fallback, ${PATH_LABELS[DEFAULT_PATH]}: ${what}`, value, kind: 'min', limit: 0.8, unit: 'x', pass: Number.isFinite(value) && value >= 0.8 })
  }
  for (const f of r.api.filter((g) => g.subject === DEFAULT_PATH && (g.connections === 1 || g.connections === 16))) {
    const tunnel = find(r.api, 'tunnel', (g) => g.endpoint === f.endpoint && g.connections === f.connections)
    add(`calls/s vs ssh tunnel, GET ${f.endpoint}, ${f.connections} conn`, ratio(f.callsPerSecond, tunnel?.callsPerSecond ?? NaN))
  }
  for (const f of r.streams.filter((g) => g.subject === DEFAULT_PATH && (g.op === 'load' || g.op === 'cp in' || g.op === 'build'))) {
    add(`${f.op} MB/s vs mTLS`, ratio(f.mbPerSecond, find(r.streams, 'mtls', (g) => g.op === f.op)?.mbPerSecond ?? NaN))
  }
  return out
}

function targetLines (list: readonly Target[]): string {
  return list.map((t) => {
    const value = t.unit === 'x' ? x(t.value) : `${t.unit === ' ms' ? n2(t.value) : n1(t.value)}${t.unit}`
    const limit = t.unit === 'x' ? `${t.limit}x` : `${t.limit}${t.unit}`
    return `- ${t.pass ? 'pass ' : 'SHORT'} ${t.what}: ${value} (target ${t.kind === 'min' ? '>=' : '<='} ${limit})`
  }).join('\n')
}

/**
 * The policy's share of the chain. A route-only decision is paid by every call: its CPU time
 * times the chain's best calls/s of this run, the fraction of a second server-proxy spends
 * deciding at that rate. A body decision is paid by the calls that carry one, a container create
 * among them: its time against the chain's `docker run --rm`, which sends that create.
 */
export function policyShares (r: Pick<Results, 'policy' | 'api' | 'cli'>): { readonly route: number, readonly createBody: number } {
  if (r.policy === undefined) return { route: NaN, createBody: NaN }
  const best = Math.max(...r.api.filter((f) => f.subject === 'chain').map((f) => f.callsPerSecond))
  const run = find(r.cli, 'chain', (f) => f.op === 'run')?.ms ?? NaN
  return { route: r.policy.pathOnlyMicroseconds * best / 1e6, createBody: r.policy.createBodyMicroseconds / (run * 1000) }
}

function policyTable (r: Results): string {
  const pct = (v: number): string => Number.isFinite(v) ? `${(v * 100).toFixed(2)} %` : 'n/a'
  const share = policyShares(r)
  const p = r.policy as PolicyFigure
  return table(['decision', 'µs per call', 'share of the chain'], [
    ['route only (GET /containers/json)', n2(p.pathOnlyMicroseconds), `${pct(share.route)} at the chain's best calls/s`],
    [`container create, ${(p.createBodyBytes / 1024).toFixed(1)} KB body`, n2(p.createBodyMicroseconds), `${pct(share.createBody)} of a docker run --rm through the chain`]
  ])
}

/** The whole report as markdown. */
export function renderReport (r: Results, header: string): string {
  const parts = [header]
  if (r.api.length > 0) parts.push('### API calls: calls/s, p50 / p99 latency\n', apiTable(r.api))
  if (r.streams.length > 0) parts.push('### Large streams (MB/s, CLI start to exit)\n', streamTable(r.streams))
  if (r.cli.length > 0) parts.push('### CLI commands (median wall time)\n', cliTable(r.cli))
  if (r.quiet.length > 0) parts.push('### Quiet streams\n', quietTable(r.quiet))
  if (r.tokens !== undefined) {
    parts.push('### Token check per call (server-proxy, in process)\n', table(['check', 'µs per call'], [
      ['full verification (jose, EdDSA)', n2(r.tokens.verifyMicroseconds)],
      ['verified-token cache hit', r.tokens.cachedMicroseconds.toFixed(3)]
    ]))
  }
  if (r.policy !== undefined) parts.push('### Authorization decision per call (server-proxy, in process, as an operator)\n', policyTable(r))
  if (r.forwarders.length > 0) parts.push('### Forwarding candidates for plain calls (plain HTTP in front of the socket, one process each)\n', candidateTable(r.forwarders, FORWARDER_COLUMNS))
  if (r.transports.load.length > 0) parts.push('### Transports between the two hops (byte pipes, TLS between, two processes each; ratios to the tunnel)\n', candidateTable(r.transports.load, TRANSPORT_COLUMNS, 'tunnel'))
  if (r.transports.quiet.length > 0) parts.push('### Quiet streams through the transports (the hops run under the bench\'s TypeScript loader, which is most of their RSS before: compare what the streams add)\n', quietTable(r.transports.quiet, ['server hop', 'client hop']))
  parts.push('### Targets (each swarmgate path, ratios from this run)\n', targetLines(targets(r)))
  return parts.join('\n\n') + '\n'
}
