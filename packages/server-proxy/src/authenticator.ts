/**
 * Checks credentials: a local account's password against its hash, a Docker ID with Docker Hub
 * (identity/docker-id.ts); which one a typed name means is the directory's answer
 * (identity/directory.ts). Unknown local accounts cost the same scrypt work as known ones (no
 * timing oracle for account names). Guessing is slowed per account and source, per source and,
 * for sources that never logged in to the account, per account (identity/login-throttle.ts), for
 * both kinds; hashes are computed a few at a time (identity/hash-pool.ts) and Docker Hub is asked
 * a bounded number of questions at once: an attempt that would have to wait is refused at once
 * with the time to wait.
 */
import { DOCKER_ID_PREFIX, hashPassword, verifyPassword, type AccountKind, type AccountStore } from '@swarmgate/core'
import { LoginThrottle, type Admission, type ThrottleScope } from './identity/login-throttle.js'
import { HashPool } from './identity/hash-pool.js'
import { AccountDirectory, type LoginGrant, type Principal, type TokenOwner } from './identity/directory.js'
import type { DockerIdRefresh, DockerIdVerifier, HubOutage } from './identity/docker-id.js'

/** How long an attempt refused because the hash queue or the Docker Hub checks were full is told to wait. */
const BUSY_RETRY_MS = 1_000
/** Docker ID logins checked with Docker Hub at once; more are refused as busy. */
const MAX_HUB_CHECKS = 16

export type AuthResult =
  | { readonly ok: true, readonly grant: LoginGrant }
  | { readonly ok: false, readonly reason: 'invalid' }
  | { readonly ok: false, readonly reason: 'refused', readonly code: 'two-factor' | 'organization-token' | 'not-allowed', readonly username?: string }
  | { readonly ok: false, readonly reason: 'hub-unavailable', readonly outage: HubOutage }
  | { readonly ok: false, readonly reason: 'throttled', readonly scope: ThrottleScope, readonly retryAfterMs: number }
  | { readonly ok: false, readonly reason: 'busy', readonly retryAfterMs: number }

export type RefreshResult = DockerIdRefresh

export interface AuthenticatorOptions {
  readonly throttle?: LoginThrottle
  readonly pool?: HashPool
  /** Checks Docker IDs; without it, the swarm's Docker ID accounts and teams cannot log in. */
  readonly dockerId?: DockerIdVerifier
}

export class Authenticator {
  readonly #directory: AccountDirectory
  readonly #dummyHash: Promise<string>
  readonly #throttle: LoginThrottle
  readonly #pool: HashPool
  readonly #dockerId: DockerIdVerifier | undefined
  #hubChecks = 0

  constructor (store: AccountStore, opts: AuthenticatorOptions = {}) {
    this.#directory = new AccountDirectory(store)
    this.#dummyHash = hashPassword('swarmgate-dummy-password')
    this.#throttle = opts.throttle ?? new LoginThrottle()
    this.#pool = opts.pool ?? new HashPool()
    this.#dockerId = opts.dockerId
  }

  /** The identities this swarm accepts at login. */
  get kinds (): readonly AccountKind[] {
    return this.#directory.kinds
  }

  /** The account and role a token stands for now, or undefined when it may no longer act. */
  principal (owner: TokenOwner): Principal | undefined {
    return this.#directory.principal(owner)
  }

  /** Checks `secret` for the name `typed`, attempted from the peer `source` address. */
  async authenticate (typed: string, secret: string, source: string | undefined): Promise<AuthResult> {
    const target = this.#directory.target(typed)
    // A Docker ID is slowed under one key however it is written (docker:NAME, NAME, any case).
    const key = target.kind === 'docker-id' ? `${DOCKER_ID_PREFIX}${target.identifier.toLowerCase()}` : typed
    const admission = this.#throttle.admit(key, source)
    if (!admission.admitted) return { ok: false, reason: 'throttled', scope: admission.scope, retryAfterMs: admission.retryAfterMs }
    if (target.kind === 'docker-id' && this.#dockerId !== undefined) return await this.#dockerIdLogin(this.#dockerId, target.identifier, secret, admission)
    const account = target.kind === 'local' ? target.account : undefined
    const hash = account?.hash ?? await this.#dummyHash
    const check = this.#pool.run(async () => await verifyPassword(secret, hash), admission.trusted)
    if (check === undefined) {
      admission.settle('unchecked')
      return { ok: false, reason: 'busy', retryAfterMs: BUSY_RETRY_MS }
    }
    let matches: boolean
    try {
      matches = await check
    } catch (err) {
      admission.settle('unchecked')
      throw err
    }
    if (account !== undefined && matches) {
      admission.settle('success')
      return { ok: true, grant: { sub: account.name, stamp: account.stamp } }
    }
    admission.settle('failure')
    return { ok: false, reason: 'invalid' }
  }

  /**
   * Whether the owner of a refresh token issued at `issuedAt` (ms) with `stamp` may still get
   * access tokens: its account or team is still there with the same stamp, and for a team login,
   * Docker Hub still lists the person in the team (or cannot answer, within the grace period).
   */
  async refresh (owner: TokenOwner, stamp: string | undefined, issuedAt: number): Promise<RefreshResult> {
    if (stamp === undefined || this.#directory.stamp(owner) !== stamp) {
      return { ok: false, code: 'revoked', reason: 'the login was revoked (account or team removed, disabled or its password changed)' }
    }
    if (this.#dockerId === undefined || !owner.sub.startsWith(DOCKER_ID_PREFIX)) return { ok: true, grace: false }
    return await this.#dockerId.refresh(this.#directory, owner, issuedAt)
  }

  async #dockerIdLogin (verifier: DockerIdVerifier, identifier: string, secret: string, admission: Admission & { admitted: true }): Promise<AuthResult> {
    if (this.#hubChecks >= MAX_HUB_CHECKS) {
      admission.settle('unchecked')
      return { ok: false, reason: 'busy', retryAfterMs: BUSY_RETRY_MS }
    }
    this.#hubChecks++
    try {
      const login = await verifier.login(this.#directory, identifier, secret)
      if (login.ok) {
        admission.settle('success')
        const { ok: _, ...grant } = login
        return { ok: true, grant }
      }
      if (login.code === 'unavailable') {
        admission.settle('unchecked')
        return { ok: false, reason: 'hub-unavailable', outage: login }
      }
      admission.settle('failure')
      if (login.code === 'invalid') return { ok: false, reason: 'invalid' }
      return login.username === undefined ? { ok: false, reason: 'refused', code: login.code } : { ok: false, reason: 'refused', code: login.code, username: login.username }
    } catch (err) {
      admission.settle('unchecked')
      throw err
    } finally {
      this.#hubChecks--
    }
  }
}
