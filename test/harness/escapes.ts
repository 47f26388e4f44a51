/**
 * The bed for authorization escape attempts (issue 10): server-proxy alone, in front of a
 * recording relay to the real engine, with one account per built-in role; raw calls over TLS
 * (test/harness/tls-exchange.ts); and the two checks every refusal must pass besides its answer:
 * nothing the test can see changed on the engine, and the refused request never reached it (the
 * relay saw no request but the lookups server-proxy makes to decide).
 */
import { BUSYBOX_IMAGE, TEST_LABEL, TEST_LABEL_PAIR, TEST_OWNER } from '../testbed/index.js'
import type { TestRole } from '../fixtures/identity.js'
import { startChain, type Chain } from './chain.js'
import { rawCall } from './raw-call.js'
import { startSocketRelay, type SocketRelay } from './socket-relay.js'
import { exchange, type ParsedResponse, type RawRequest } from './tls-exchange.js'

export interface EscapeBed {
  readonly chain: Chain
  readonly relay: SocketRelay
  /** An access token for the role's account (one per role, fetched once). */
  token (role: TestRole): Promise<string>
  /** `req` with the role's bearer token (unless it names its own Authorization), on a fresh TLS connection. */
  send (role: TestRole, req: RawRequest): Promise<ParsedResponse>
  close (): Promise<void>
}

/** Starts server-proxy (no client-proxy) in front of a recording relay to the engine socket. */
export async function startEscapeBed (): Promise<EscapeBed> {
  const relay = await startSocketRelay(undefined, { record: true })
  let chain: Chain
  try {
    chain = await startChain({ engineSocket: relay.path, clientProxy: false })
  } catch (err) {
    await relay.close()
    throw err
  }
  const tokens = new Map<TestRole, Promise<string>>()
  const token = async (role: TestRole): Promise<string> => {
    if (!tokens.has(role)) tokens.set(role, chain.accessToken(role))
    return await (tokens.get(role) as Promise<string>)
  }
  return {
    chain,
    relay,
    token,
    send: async (role, req) => {
      const own = (req.headers ?? []).some(([name]) => name.toLowerCase() === 'authorization')
      const headers = own ? req.headers : [['Authorization', `Bearer ${await token(role)}`] as const, ...(req.headers ?? [])]
      return await exchange(chain.serverUrl, chain.identity.caPem, { ...req, headers })
    },
    close: async () => {
      await chain.close()
      await relay.close()
    }
  }
}

/** The labels every object an attempt would create carries, so engineState() sees it. */
export const ESCAPE_LABELS: Readonly<Record<string, string>> = { [TEST_LABEL]: TEST_OWNER }

/** A container create body: busybox, the test label, no network, `hostConfig` as given. */
export function createBody (hostConfig: Record<string, unknown> = {}, top: Record<string, unknown> = {}): string {
  return JSON.stringify({ Image: BUSYBOX_IMAGE, Cmd: ['true'], Labels: ESCAPE_LABELS, ...top, HostConfig: { NetworkMode: 'none', ...hostConfig } })
}

/** A container create body whose HostConfig is the JSON text given as is (repeated keys, odd spellings). */
export function createBodyText (hostConfigText: string): string {
  return `{"Image":${JSON.stringify(BUSYBOX_IMAGE)},"Cmd":["true"],"Labels":${JSON.stringify(ESCAPE_LABELS)},"HostConfig":${hostConfigText}}`
}

/** A JSON POST as the docker CLI sends it. */
export function postJson (target: string, body: string | Buffer, extra: Partial<RawRequest> = {}): RawRequest {
  return { method: 'POST', target, headers: [['Content-Type', 'application/json']], body, ...extra }
}

const LABEL_FILTER = encodeURIComponent(JSON.stringify({ label: [TEST_LABEL_PAIR] }))

async function socketJson (path: string): Promise<unknown> {
  const answer = await rawCall('socket', 'GET', path)
  return answer.status === 200 ? JSON.parse(answer.body.toString()) : { status: answer.status }
}

const idsOf = (list: unknown): string[] => Array.isArray(list) ? list.map((o: { Id?: string, ID?: string, Name?: string }) => o.Id ?? o.ID ?? o.Name ?? '').sort() : []

/**
 * What an escape could change, read on the engine socket: this process's labelled objects of
 * every kind, the exec instances and state of the `watched` containers, the swarm's spec and join
 * tokens, the nodes' specs and the plugins.
 */
export async function engineState (watched: readonly string[] = []): Promise<unknown> {
  const [containers, services, volumes, networks, secrets, configs, swarm, nodes, plugins] = await Promise.all([
    socketJson(`/containers/json?all=1&filters=${LABEL_FILTER}`),
    socketJson(`/services?filters=${LABEL_FILTER}`),
    socketJson(`/volumes?filters=${LABEL_FILTER}`),
    socketJson(`/networks?filters=${LABEL_FILTER}`),
    socketJson(`/secrets?filters=${LABEL_FILTER}`),
    socketJson(`/configs?filters=${LABEL_FILTER}`),
    socketJson('/swarm'),
    socketJson('/nodes'),
    socketJson('/plugins')
  ])
  const targets = await Promise.all(watched.map(async (id) => {
    const c = await socketJson(`/containers/${id}/json`) as { ExecIDs?: string[] | null, State?: { Status?: string } }
    return { id, execs: [...(c.ExecIDs ?? [])].sort(), state: c.State?.Status }
  }))
  const s = swarm as { Spec?: unknown, JoinTokens?: unknown }
  return {
    containers: idsOf(containers),
    services: idsOf(services),
    volumes: idsOf((volumes as { Volumes?: unknown }).Volumes),
    networks: idsOf(networks),
    secrets: idsOf(secrets),
    configs: idsOf(configs),
    swarm: { spec: s.Spec, joinTokens: s.JoinTokens },
    nodes: Array.isArray(nodes) ? nodes.map((n: { ID: string, Spec: unknown }) => ({ id: n.ID, spec: n.Spec })) : nodes,
    plugins: idsOf(plugins),
    targets
  }
}

/**
 * The lookups server-proxy may make on the engine to decide a call (docs/authorization.md: the
 * target container, exec, service, secret, config, network or volume; swarmgate's own objects).
 * Any other request reaching the engine during a refused attempt is the refused call leaking.
 */
const DECISION_LOOKUP = /^GET (?:\/v\d+\.\d+)?\/(?:(?:containers|exec)\/[^/?\s]+\/json|(?:services|secrets|configs|networks|volumes)(?:\/[^/?\s]+)?|_ping|version)(?:\?\S*)? HTTP\/1\.[01]$/

/** Request lines in `after` that `before` did not have (each connection's lines only grow). */
export function newRequestLines (before: readonly string[], after: readonly string[]): string[] {
  const seen = new Map<string, number>()
  for (const line of before) seen.set(line, (seen.get(line) ?? 0) + 1)
  return after.filter((line) => {
    const n = seen.get(line) ?? 0
    if (n === 0) return true
    seen.set(line, n - 1)
    return false
  })
}

/** The part of tap's Test these checks use. */
export interface EscapeAsserts {
  equal: (found: unknown, wanted: unknown, message: string) => boolean
  same: (found: unknown, wanted: unknown, message: string) => boolean
  match: (found: unknown, pattern: unknown, message: string) => boolean
  ok: (value: unknown, message: string) => boolean
}

export interface Attempt {
  readonly name: string
  readonly role: TestRole
  readonly request: RawRequest | (() => RawRequest)
  /**
   * The rule the 403 must name (an id such as `no-privileged`, or a pattern when the policy may
   * name one of several); for bodies that cannot be decoded, `status` lists what may answer.
   */
  readonly rule?: string | RegExp
  /** Statuses a refusal may have; default [403]. */
  readonly status?: readonly number[]
}

/** Sends `attempt` and asserts the refusal, that the engine saw no more than decision lookups, and that nothing changed on it. */
export async function expectRefused (t: EscapeAsserts, bed: EscapeBed, attempt: Attempt, watched: readonly string[] = []): Promise<ParsedResponse> {
  const request = typeof attempt.request === 'function' ? attempt.request() : attempt.request
  const before = await engineState(watched)
  const linesBefore = bed.relay.requestLines()
  const answer = await bed.send(attempt.role, request)
  const statuses = attempt.status ?? [403]
  t.ok(statuses.includes(answer.status), `refused with ${statuses.join(' or ')} (got ${answer.status}: ${answer.body.toString().slice(0, 300)})`)
  t.equal(answer.headers['content-type'], 'application/json', 'Content-Type exactly application/json')
  let message: unknown
  try { message = (JSON.parse(answer.body.toString()) as { message?: unknown }).message } catch { message = undefined }
  if (answer.status === 403) {
    const rule = attempt.rule ?? /[a-z0-9-]+/
    const ruleSource = typeof rule === 'string' ? rule.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : rule.source
    t.match(message, new RegExp(`^swarmgate: denied: ${attempt.role} may not .+ \\(rule (?:${ruleSource})\\)$`), 'the message names the role and the rule')
  } else {
    t.match(message, /\S/, 'a Docker-style message')
  }
  const leaked = newRequestLines(linesBefore, bed.relay.requestLines()).filter((line) => !DECISION_LOOKUP.test(line))
  t.same(leaked, [], 'the refused call never reached the engine')
  t.same(await engineState(watched), before, 'nothing changed on the engine')
  return answer
}

/** Sends `req` as `role` and asserts it passed the policy with `status` (the control: the suite cannot pass by refusing everything). */
export async function expectAllowed (t: EscapeAsserts, bed: EscapeBed, role: TestRole, req: RawRequest, status: number): Promise<ParsedResponse> {
  const answer = await bed.send(role, req)
  t.equal(answer.status, status, `${role} ${req.method} ${req.target}: ${status} (got ${answer.status}: ${answer.body.toString().slice(0, 300)})`)
  return answer
}
