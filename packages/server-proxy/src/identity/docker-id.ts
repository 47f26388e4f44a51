/**
 * Docker ID logins and refreshes (docs/protocol.md, "Identity sources"). A login asks Docker Hub
 * whether the Docker ID and its password or personal access token are good, takes the username
 * Docker Hub answers (not what was typed), and grants the role of the Docker ID's own account or
 * of the first mapped team that has the person. A refresh of a team login asks Docker Hub again,
 * so someone removed from the team loses access within one access-token lifetime; when Docker
 * Hub cannot answer, a refresh within the grace period since the person's last good check still
 * works (and says so), and a login is refused with the reason. After Docker Hub said 429, or
 * could not be reached, nobody asks it again until the time it asked for (or a short pause) has
 * passed: a flood of logins must not become a loop of requests to Docker Hub.
 */
import { DOCKER_ID_PREFIX, type HubUnreachable, type LoginCheck, type TeamCheck } from '@swarmgate/core'
import type { AccountDirectory, LoginGrant, TokenOwner } from './directory.js'
import { teamKey } from './directory.js'
import { BoundedTable } from './bounded-table.js'

/** The two questions asked of Docker Hub (core DockerHubClient). */
export interface DockerHub {
  checkLogin: (identifier: string, secret: string) => Promise<LoginCheck>
  isTeamMember: (org: string, team: string, username: string, orgToken: string) => Promise<TeamCheck>
}

export interface DockerIdSettings {
  /** How long after a person's last good check a refresh still works while Docker Hub cannot answer. */
  readonly graceMs: number
  /** How long nobody asks Docker Hub after it could not be reached (a 429 says its own time). */
  readonly pauseMs: number
}

/** Docker Hub cannot answer now; `retryAfterSeconds` when it said how long to wait. */
export interface HubOutage {
  readonly ok: false
  readonly code: 'unavailable'
  readonly reason: string
  readonly retryAfterSeconds?: number
}

export type DockerIdLogin =
  | ({ readonly ok: true } & LoginGrant)
  | { readonly ok: false, readonly code: 'invalid' | 'two-factor' | 'organization-token' | 'not-allowed', readonly username?: string }
  | HubOutage

export type DockerIdRefresh =
  | { readonly ok: true, readonly grace: boolean }
  | { readonly ok: false, readonly code: 'revoked', readonly reason: string }
  | HubOutage

/** The key of a person's last good check of one team in the table of checks. */
function checkedKey (sub: string, team: string): string {
  return `${sub} ${team}`
}

function unreachable (answer: { readonly code: string }): answer is HubUnreachable {
  return answer.code === 'rate-limited' || answer.code === 'unavailable'
}

/** People whose last good team check is remembered (beyond, the refresh token's own time counts). */
const CHECKED_TABLE_SIZE = 50_000

export class DockerIdVerifier {
  readonly #hub: DockerHub
  readonly #settings: DockerIdSettings
  readonly #checked = new BoundedTable<number>(CHECKED_TABLE_SIZE)
  #pausedUntil = 0
  #pauseReason = ''

  constructor (hub: DockerHub, settings: DockerIdSettings) {
    this.#hub = hub
    this.#settings = settings
  }

  /** Checks a Docker ID login against Docker Hub and the swarm's accounts and teams. */
  async login (directory: AccountDirectory, identifier: string, secret: string, now = Date.now()): Promise<DockerIdLogin> {
    const paused = this.#paused(now)
    if (paused !== undefined) return paused
    const check = await this.#hub.checkLogin(identifier, secret)
    if (!check.ok) return unreachable(check) ? this.#outage(check, now) : { ok: false, code: check.code }
    const username = check.username.toLowerCase()
    const sub = `${DOCKER_ID_PREFIX}${username}`
    const own = directory.dockerIdAccount(username)
    if (own !== undefined) return own.state === 'active' ? { ok: true, sub, stamp: own.stamp } : { ok: false, code: 'not-allowed', username }
    for (const grant of directory.teams) {
      const orgToken = directory.hubToken(grant.org)
      if (orgToken === undefined) continue
      const member = await this.#hub.isTeamMember(grant.org, grant.team, check.username, orgToken)
      if (!member.ok) {
        if (unreachable(member)) return this.#outage(member, now)
        continue
      }
      if (member.member) {
        const team = teamKey(grant)
        this.#checked.set(checkedKey(sub, team), now)
        return { ok: true, sub, stamp: grant.stamp, team }
      }
    }
    return { ok: false, code: 'not-allowed', username }
  }

  /**
   * Checks that the owner of a refresh token may still act: its own account needs no question to
   * Docker Hub (the store says it all); a team login is asked again. `checkedAt` is when the
   * refresh token was issued (a good check), in milliseconds.
   */
  async refresh (directory: AccountDirectory, owner: TokenOwner, checkedAt: number, now = Date.now()): Promise<DockerIdRefresh> {
    const username = owner.sub.slice(DOCKER_ID_PREFIX.length)
    if (owner.team === undefined || directory.dockerIdAccount(username) !== undefined) return { ok: true, grace: false }
    const grant = directory.team(owner.team)
    const orgToken = grant === undefined ? undefined : directory.hubToken(grant.org)
    if (grant === undefined || orgToken === undefined) return { ok: false, code: 'revoked', reason: `the team ${owner.team} no longer gives access to this swarm` }
    const key = checkedKey(owner.sub, owner.team)
    const paused = this.#paused(now)
    const member = paused ?? await this.#hub.isTeamMember(grant.org, grant.team, username, orgToken)
    if (member.ok) {
      if (!member.member) {
        this.#checked.delete(key)
        return { ok: false, code: 'revoked', reason: `${username} is no longer a member of the team ${owner.team}` }
      }
      this.#checked.set(key, now)
      return { ok: true, grace: false }
    }
    if (!unreachable(member)) return { ok: false, code: 'revoked', reason: `Docker Hub no longer lets this swarm read the team ${owner.team} (${member.code})` }
    const outage = paused ?? this.#outage(member, now)
    const last = Math.max(checkedAt, this.#checked.get(key) ?? 0)
    return now - last <= this.#settings.graceMs ? { ok: true, grace: true } : outage
  }

  /** The outage to report while Docker Hub is not asked, if it is not. */
  #paused (now: number): HubOutage | undefined {
    if (now >= this.#pausedUntil) return undefined
    return { ok: false, code: 'unavailable', reason: this.#pauseReason, retryAfterSeconds: Math.max(1, Math.ceil((this.#pausedUntil - now) / 1000)) }
  }

  /** Remembers an outage so nobody asks Docker Hub again before it may answer. */
  #outage (answer: HubUnreachable, now: number): HubOutage {
    if (answer.code === 'rate-limited') {
      this.#pausedUntil = now + answer.retryAfterSeconds * 1000
      this.#pauseReason = 'Docker Hub is limiting the requests of this swarm'
      return { ok: false, code: 'unavailable', reason: this.#pauseReason, retryAfterSeconds: answer.retryAfterSeconds }
    }
    this.#pausedUntil = now + this.#settings.pauseMs
    this.#pauseReason = answer.reason
    return { ok: false, code: 'unavailable', reason: answer.reason }
  }
}
