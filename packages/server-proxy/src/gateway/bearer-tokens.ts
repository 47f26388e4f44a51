/**
 * A manager's authentication of a Docker API call: a valid access token in `Authorization: Bearer`
 * (verified once, then cached until it expires) of an account that may still act. Node agents
 * authenticate otherwise (node-agent/assertion-check.ts).
 */
import type { IncomingMessage } from 'node:http'
import type { VerifyingKeys } from '../signing-keys.js'
import type { AccessCache } from '../access-cache.js'
import { ACCESS_TYPE, verifyToken, type TokenSettings, type VerifiedToken } from '../tokens.js'
import type { Principal } from '../identity/directory.js'
import { errors } from '../errors.js'

const BEARER = /^Bearer ([A-Za-z0-9_.-]+)$/

export interface BearerTokensOptions {
  readonly keys: VerifyingKeys
  readonly settings: TokenSettings
  readonly cache: AccessCache
  /** The account and role a verified token stands for now (the store the running task was given), if it may still act. */
  readonly principal: (token: VerifiedToken) => Principal | undefined
}

export class BearerTokens {
  readonly #opts: BearerTokensOptions

  constructor (opts: BearerTokensOptions) {
    this.#opts = opts
  }

  /** The account of the call's bearer token (cache first); throws the refusal. */
  async authenticate (req: Pick<IncomingMessage, 'headers'>): Promise<Principal> {
    const token = bearer(req.headers.authorization)
    let verified = this.#opts.cache.get(token)
    if (verified === undefined) {
      verified = await verifyToken(this.#opts.keys, this.#opts.settings, ACCESS_TYPE, token)
      this.#opts.cache.set(token, verified)
    }
    return this.#account(verified)
  }

  /**
   * The account of `authorization` at once, when the verified-token cache knows its token and the
   * account may still act; undefined otherwise (authenticate then checks it and says why not).
   */
  knownCaller (authorization: string): Principal | undefined {
    const token = BEARER.exec(authorization)?.[1]
    const verified = token === undefined ? undefined : this.#opts.cache.get(token)
    return verified === undefined ? undefined : this.#opts.principal(verified)
  }

  /** Looked up on every call: a removed or disabled account loses access as soon as the task that serves it has the new account store, not when its token expires. */
  #account (verified: VerifiedToken): Principal {
    const account = this.#opts.principal(verified)
    if (account === undefined) throw errors.SG_ERR_AUTH_ACCOUNT_GONE()
    return account
  }
}

/** The token of an `Authorization: Bearer` header; throws the refusal. */
function bearer (header: string | undefined): string {
  if (header === undefined) throw errors.SG_ERR_AUTH_MISSING()
  const token = BEARER.exec(header)?.[1]
  if (token === undefined) throw errors.SG_ERR_AUTH_MALFORMED('expected Authorization: Bearer <token>')
  return token
}
