/**
 * Asks Docker Hub (or a compatible service at another base URL, trusted through its own CA) two
 * questions: does this Docker ID and secret log in, and is this account a member of that team.
 * The answers are result unions, never exceptions, so the caller decides what to tell the person
 * and whether a refresh may ride out an outage. Nothing here retries: Docker Hub rate-limits by
 * source address, and a loop would only spend the budget of every other login on this server.
 * Secrets go into request bodies and nowhere else: never into a log, an error or a field.
 * docs/protocol.md, "Docker ID (foundation)", lists the requests and why each is made.
 */
import { Agent, request, type Dispatcher } from 'undici'

export interface DockerHubSettings {
  /** `https://hub.docker.com`, or a compatible service. */
  readonly baseUrl: string
  /** PEM CA to trust instead of the system's (a private Docker Hub-compatible service). */
  readonly ca?: string
  /** The most one check (all its requests together) may take. */
  readonly timeoutMs: number
}

/** Docker Hub cannot answer now; `retryAfterSeconds` is what it asked for. */
export type HubUnreachable =
  | { readonly ok: false, readonly code: 'rate-limited', readonly retryAfterSeconds: number }
  | { readonly ok: false, readonly code: 'unavailable', readonly reason: string }

/** The outcome of a login check. `username` is Docker Hub's own name for the account. */
export type LoginCheck =
  | { readonly ok: true, readonly username: string }
  | { readonly ok: false, readonly code: 'invalid' | 'organization-token' | 'two-factor' }
  | HubUnreachable

/** The outcome of a team check: `org-token-refused` means the organization access token no longer works. */
export type TeamCheck =
  | { readonly ok: true, readonly member: boolean }
  | { readonly ok: false, readonly code: 'org-token-refused' | 'not-found' }
  | HubUnreachable

/** The outcome of checking an organization access token: `teams` is how many teams it reads. */
export type OrgTokenCheck =
  | { readonly ok: true, readonly teams: number }
  | { readonly ok: false, readonly code: 'org-token-refused' }
  | HubUnreachable

/** Whether a team exists, asked with its organization's access token. */
export type TeamLookup =
  | { readonly ok: true, readonly exists: boolean }
  | { readonly ok: false, readonly code: 'org-token-refused' }
  | HubUnreachable

/** Organization access tokens are for organizations, never a person's login. */
const ORG_TOKEN_PREFIX = 'dckr_oat_'
/** Any Docker-issued token (PAT, OAT): never sent to the deprecated password login. */
const TOKEN_PREFIX = 'dckr_'
/** Answers are small JSON documents; a larger one is not Docker Hub's. */
const MAX_BODY_BYTES = 256 * 1024
/** Team pages read at most, so a fuzzy search matching thousands stays bounded. */
const MAX_MEMBER_PAGES = 5
const MEMBER_PAGE_SIZE = 100
/** When a 429 names no usable delay. */
const DEFAULT_RETRY_AFTER_SECONDS = 60

interface HubAnswer {
  readonly status: number
  readonly body: Record<string, unknown>
}

/** A Docker Hub client with a connection pool of its own. */
export class DockerHubClient {
  readonly #origin: string
  readonly #prefix: string
  readonly #timeoutMs: number
  readonly #dispatcher: Dispatcher

  constructor (settings: DockerHubSettings) {
    const base = new URL(settings.baseUrl)
    if (base.protocol !== 'https:') throw new RangeError(`the Docker Hub URL must be https, got ${base.protocol}`)
    if (!(settings.timeoutMs > 0)) throw new RangeError(`the Docker Hub timeout must be positive, got ${settings.timeoutMs}`)
    this.#origin = base.origin
    this.#prefix = base.pathname.replace(/\/+$/, '')
    this.#timeoutMs = settings.timeoutMs
    this.#dispatcher = new Agent(settings.ca === undefined ? {} : { connect: { ca: settings.ca } })
  }

  /**
   * Checks a Docker ID (or e-mail) and a password or personal access token with the current
   * token API, then asks Docker Hub who the account is.
   */
  async checkLogin (identifier: string, secret: string): Promise<LoginCheck> {
    if (secret.startsWith(ORG_TOKEN_PREFIX)) return { ok: false, code: 'organization-token' }
    const signal = AbortSignal.timeout(this.#timeoutMs)
    const token = await this.#call('POST', '/v2/auth/token', signal, { json: { identifier, secret } })
    if ('code' in token) return token
    if (token.status === 401) return await this.#whyRefused(identifier, secret, signal)
    const accessToken = token.body.access_token
    if (token.status !== 200 || typeof accessToken !== 'string') return unexpected('/v2/auth/token', token.status)

    const user = await this.#call('GET', '/v2/user/', signal, { bearer: accessToken })
    if ('code' in user) return user
    // The secret was accepted but the bearer may not read a person: an organization's token.
    if (user.status === 403) return { ok: false, code: 'organization-token' }
    const username = user.body.username
    if (user.status !== 200 || typeof username !== 'string' || username === '') return unexpected('/v2/user/', user.status)
    if (typeof user.body.type === 'string' && user.body.type.toLowerCase() === 'organization') return { ok: false, code: 'organization-token' }
    return { ok: true, username }
  }

  /**
   * Whether `username` (compared exactly) is in `team` of `org`, asked with a bearer obtained
   * from the organization access token `orgToken`.
   */
  async isTeamMember (org: string, team: string, username: string, orgToken: string): Promise<TeamCheck> {
    const signal = AbortSignal.timeout(this.#timeoutMs)
    const accessToken = await this.#orgBearer(org, orgToken, signal)
    if (typeof accessToken !== 'string') return accessToken

    const path = `/v2/orgs/${encodeURIComponent(org)}/groups/${encodeURIComponent(team)}/members`
    for (let page = 1; page <= MAX_MEMBER_PAGES; page++) {
      const query = new URLSearchParams({ search: username, page: String(page), page_size: String(MEMBER_PAGE_SIZE) })
      const members = await this.#call('GET', `${path}?${query.toString()}`, signal, { bearer: accessToken })
      if ('code' in members) return members
      if (members.status === 401 || members.status === 403) return { ok: false, code: 'org-token-refused' }
      if (members.status === 404) return { ok: false, code: 'not-found' }
      const results = members.body.results
      if (members.status !== 200 || !Array.isArray(results)) return unexpected('team members', members.status)
      // `search` is fuzzy (username, full name, e-mail): only the exact username counts.
      if (results.some((m: unknown) => typeof m === 'object' && m !== null && (m as { username?: unknown }).username === username)) return { ok: true, member: true }
      if (typeof members.body.next !== 'string' || members.body.next === '') return { ok: true, member: false }
    }
    return { ok: true, member: false }
  }

  /**
   * Whether `orgToken` is an access token of `org` that reads its teams: the token exchange, then
   * the first page of the organization's teams (its count).
   */
  async checkOrgToken (org: string, orgToken: string): Promise<OrgTokenCheck> {
    const signal = AbortSignal.timeout(this.#timeoutMs)
    const accessToken = await this.#orgBearer(org, orgToken, signal)
    if (typeof accessToken !== 'string') return accessToken
    const groups = await this.#call('GET', `/v2/orgs/${encodeURIComponent(org)}/groups?page_size=1`, signal, { bearer: accessToken })
    if ('code' in groups) return groups
    // Accepted, but not allowed to read the teams (its scopes), or no such organization for it.
    if (groups.status === 401 || groups.status === 403 || groups.status === 404) return { ok: false, code: 'org-token-refused' }
    const count = groups.body.count
    if (groups.status !== 200 || typeof count !== 'number') return unexpected('organization teams', groups.status)
    return { ok: true, teams: count }
  }

  /** Whether `team` exists in `org`, asked with a bearer obtained from the organization access token. */
  async teamExists (org: string, team: string, orgToken: string): Promise<TeamLookup> {
    const signal = AbortSignal.timeout(this.#timeoutMs)
    const accessToken = await this.#orgBearer(org, orgToken, signal)
    if (typeof accessToken !== 'string') return accessToken
    const group = await this.#call('GET', `/v2/orgs/${encodeURIComponent(org)}/groups/${encodeURIComponent(team)}`, signal, { bearer: accessToken })
    if ('code' in group) return group
    if (group.status === 401 || group.status === 403) return { ok: false, code: 'org-token-refused' }
    if (group.status === 404) return { ok: true, exists: false }
    if (group.status !== 200) return unexpected('organization team', group.status)
    return { ok: true, exists: true }
  }

  /** Closes the connection pool. */
  async close (): Promise<void> {
    await this.#dispatcher.close()
  }

  /**
   * The token API answers a bare 401 for a wrong secret and for a password of an account with
   * two-factor authentication alike. Only the deprecated login tells them apart (a right
   * password of a 2FA account earns a `login_2fa_token`), so a password, never a token, is asked
   * there once more; whatever it answers, it never logs anyone in.
   */
  async #whyRefused (identifier: string, secret: string, signal: AbortSignal): Promise<LoginCheck> {
    if (secret.startsWith(TOKEN_PREFIX)) return { ok: false, code: 'invalid' }
    const login = await this.#call('POST', '/v2/users/login', signal, { json: { username: identifier, password: secret } })
    if ('code' in login) return login.code === 'rate-limited' ? login : { ok: false, code: 'invalid' }
    // A right password of a 2FA account earns the second step's token (docker/hub-tool pkg/hub/client.go).
    const twoFactor = login.status === 401 && typeof login.body.login_2fa_token === 'string' && login.body.login_2fa_token !== ''
    return { ok: false, code: twoFactor ? 'two-factor' : 'invalid' }
  }

  /** A short-lived bearer for `org` from its organization access token (the token API). */
  async #orgBearer (org: string, orgToken: string, signal: AbortSignal): Promise<string | { readonly ok: false, readonly code: 'org-token-refused' } | HubUnreachable> {
    const token = await this.#call('POST', '/v2/auth/token', signal, { json: { identifier: org, secret: orgToken } })
    if ('code' in token) return token
    if (token.status === 401 || token.status === 403) return { ok: false, code: 'org-token-refused' }
    const accessToken = token.body.access_token
    if (token.status !== 200 || typeof accessToken !== 'string') return unexpected('/v2/auth/token', token.status)
    return accessToken
  }

  /** One request; network failures, timeouts, 429 and 5xx come back as HubUnreachable. */
  async #call (method: 'GET' | 'POST', path: string, signal: AbortSignal, opts: { json?: unknown, bearer?: string }): Promise<HubAnswer | HubUnreachable> {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (opts.json !== undefined) headers['content-type'] = 'application/json'
    if (opts.bearer !== undefined) headers.authorization = `Bearer ${opts.bearer}`
    try {
      const res = await request(`${this.#origin}${this.#prefix}${path}`, {
        method,
        headers,
        body: opts.json === undefined ? undefined : JSON.stringify(opts.json),
        dispatcher: this.#dispatcher,
        signal
      })
      if (res.statusCode === 429) {
        await res.body.dump()
        return { ok: false, code: 'rate-limited', retryAfterSeconds: retryAfterSeconds(res.headers, Date.now()) }
      }
      if (res.statusCode >= 500) {
        await res.body.dump()
        return { ok: false, code: 'unavailable', reason: `Docker Hub answered ${res.statusCode}` }
      }
      return { status: res.statusCode, body: await readJson(res.body) }
    } catch (err) {
      // Only the kind of failure is kept: an error may quote the request, and the request holds a secret.
      if (signal.aborted) return { ok: false, code: 'unavailable', reason: `Docker Hub did not answer within ${this.#timeoutMs} ms` }
      const code = (err as { code?: unknown }).code
      return { ok: false, code: 'unavailable', reason: `Docker Hub could not be reached${typeof code === 'string' ? ` (${code})` : ''}` }
    }
  }
}

/** An answer Docker Hub should not give: treated as an outage, not as a refusal of the person. */
function unexpected (what: string, status: number): HubUnreachable {
  return { ok: false, code: 'unavailable', reason: `Docker Hub gave an unexpected answer to ${what} (${status})` }
}

/**
 * Seconds to wait after a 429. Docker Hub's reference now documents `Retry-After` in seconds; it
 * documented `X-Retry-After` as a unix time before, so a value that large is read as one.
 */
export function retryAfterSeconds (headers: Record<string, string | string[] | undefined>, now: number): number {
  for (const name of ['retry-after', 'x-retry-after']) {
    const raw = headers[name]
    const value = Number(Array.isArray(raw) ? raw[0] : raw)
    if (raw === undefined || !Number.isFinite(value) || value < 0) continue
    const seconds = value > 1e9 ? Math.ceil(value - now / 1000) : Math.ceil(value)
    return Math.max(1, seconds)
  }
  return DEFAULT_RETRY_AFTER_SECONDS
}

/** The JSON object of a body of bounded size; anything else reads as an empty object. */
async function readJson (body: Dispatcher.ResponseData['body']): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    size += (chunk as Buffer).length
    // undici reports the destruction as an error on the stream: nobody else is listening for it.
    if (size > MAX_BODY_BYTES) { body.on('error', () => {}).destroy(); return {} }
    chunks.push(chunk as Buffer)
  }
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed as Record<string, unknown> : {}
  } catch {
    return {}
  }
}
