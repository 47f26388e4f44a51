/**
 * Who is who on this swarm, read from the account store: what a name typed at login means (a
 * local account or a Docker ID), and which account and role a token stands for. Local accounts
 * and Docker IDs share one list of names in the store; a Docker ID's token subject is
 * `docker:NAME`, so a local account created later under the same name never inherits it.
 */
import { DOCKER_ID_PREFIX, identityKinds, type Account, type AccountKind, type AccountStore, type TeamGrant } from '@swarmgate/core'

/** The account and role a call runs as. `name` is the token subject (`docker:NAME` for a Docker ID). */
export interface Principal {
  readonly name: string
  readonly role: string
}

/** What a typed login name is checked against. */
export type LoginTarget =
  | { readonly kind: 'local', readonly account: Account | undefined }
  | { readonly kind: 'docker-id', readonly identifier: string }

/** The claims of a token that say whose it is. */
export interface TokenOwner {
  readonly sub: string
  /** `org/team` when the login was granted through a team. */
  readonly team?: string
}

/** What a good login grants: the token subject, the stamp its refresh tokens carry, the team it came through. */
export interface LoginGrant extends TokenOwner {
  readonly stamp: string
}

/** `org/team`, the way teams are named in tokens, logs and commands. */
export function teamKey (grant: Pick<TeamGrant, 'org' | 'team'>): string {
  return `${grant.org}/${grant.team}`
}

export class AccountDirectory {
  readonly #accounts: ReadonlyMap<string, Account>
  readonly #teams: ReadonlyMap<string, TeamGrant>
  readonly #store: AccountStore
  readonly kinds: readonly AccountKind[]

  constructor (store: AccountStore) {
    this.#store = store
    this.#accounts = new Map(store.accounts.map((a) => [a.name, a]))
    this.#teams = new Map(store.teams.map((g) => [teamKey(g), g]))
    this.kinds = Object.freeze(identityKinds(store))
  }

  get acceptsDockerIds (): boolean {
    return this.kinds.includes('docker-id')
  }

  /**
   * What `typed` logs in as: `docker:NAME` is always a Docker ID; a name of an active local
   * account is that account; any other name is a Docker ID (or e-mail) when the swarm accepts
   * Docker IDs, and an unknown local account otherwise (checked against a dummy hash).
   */
  target (typed: string): LoginTarget {
    if (typed.startsWith(DOCKER_ID_PREFIX) && this.acceptsDockerIds) return { kind: 'docker-id', identifier: typed.slice(DOCKER_ID_PREFIX.length) }
    const local = this.#active(typed, 'local')
    if (local !== undefined || !this.acceptsDockerIds || typed.startsWith(DOCKER_ID_PREFIX)) return { kind: 'local', account: local }
    return { kind: 'docker-id', identifier: typed }
  }

  /** The Docker ID account named `username`, in whatever state, if the store has one. */
  dockerIdAccount (username: string): Account | undefined {
    const account = this.#accounts.get(username)
    return account?.kind === 'docker-id' ? account : undefined
  }

  /** The team grants, in the order they are checked at login. */
  get teams (): readonly TeamGrant[] {
    return this.#store.teams
  }

  /** The team grant `org/team`, if it is still mapped. */
  team (key: string): TeamGrant | undefined {
    return this.#teams.get(key)
  }

  /** The organization access token of `org`, if registration was given one. */
  hubToken (org: string): string | undefined {
    return this.#store.hubTokens[org]
  }

  /**
   * The account and role a token stands for now, or undefined when it no longer may act: a
   * local or Docker ID account removed or disabled, a team unmapped. A Docker ID account of its
   * own wins over a team, so an owner can disable one member of a mapped team.
   */
  principal (owner: TokenOwner): Principal | undefined {
    const source = this.#source(owner)
    return source === undefined ? undefined : { name: owner.sub, role: source.role }
  }

  /** The stamp a refresh token of `owner` must carry to be honoured (see principal). */
  stamp (owner: TokenOwner): string | undefined {
    return this.#source(owner)?.stamp
  }

  /** The account or team grant that gives `owner` its role now, the one rule principal and stamp share. */
  #source (owner: TokenOwner): Account | TeamGrant | undefined {
    if (!owner.sub.startsWith(DOCKER_ID_PREFIX)) return this.#active(owner.sub, 'local')
    const own = this.dockerIdAccount(owner.sub.slice(DOCKER_ID_PREFIX.length))
    if (own !== undefined) return own.state === 'active' ? own : undefined
    return owner.team === undefined ? undefined : this.#teams.get(owner.team)
  }

  #active (name: string, kind: AccountKind): Account | undefined {
    const account = this.#accounts.get(name)
    return account?.kind === kind && account.state === 'active' ? account : undefined
  }
}
