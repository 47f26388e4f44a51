/**
 * The policy engine: a pure function of (role, call, body, facts) → decision. The gateway asks
 * first what a decision needs (`needs`), fetches only that, then asks for the decision. The owner's
 * calls need nothing and are allowed at once; every other role's call is decided on its role's
 * action table, then on the checks of checks.ts, and a call the engine's router does not know is
 * refused (engines add endpoints: default deny).
 */
import { DEFAULT_POLICY, type Allowlists, type PolicyDocument, type RoleMode } from './policy-document.js'
import { actionMatches, builtinRefusal, type ActionRefusal } from './roles.js'
import { CHECKS } from './checks.js'
import { isFormBody } from './go-json.js'
import { BUILTIN_ROLES, type Body, type BuiltinRole, type Call, type Decision, type Facts, type Needs } from './types.js'

/** A role as the gateway applies it: its base, mode, extra grants and refusals, and allowlists merged with the document's. */
export interface Role {
  readonly name: string
  readonly base: BuiltinRole
  readonly mode: RoleMode
  readonly deny: readonly string[]
  readonly allow: readonly string[]
  readonly allowlists: Allowlists
}

const NOTHING: Needs = Object.freeze({ body: false, facts: Object.freeze([]) })

export class Policy {
  readonly #roles: ReadonlyMap<string, Role>

  constructor (doc: PolicyDocument = DEFAULT_POLICY) {
    const roles = new Map<string, Role>()
    const merged = (own: Allowlists): Allowlists => ({
      bindSources: [...doc.allowlists.bindSources, ...own.bindSources],
      capabilities: [...doc.allowlists.capabilities, ...own.capabilities]
    })
    for (const base of BUILTIN_ROLES) {
      const own = doc.roles.get(base)
      roles.set(base, { name: base, base, mode: own?.mode ?? 'enforce', deny: [], allow: [], allowlists: merged(own?.allowlists ?? { bindSources: [], capabilities: [] }) })
    }
    for (const [name, role] of doc.roles) {
      if (!roles.has(name)) roles.set(name, { name, base: role.base, mode: role.mode, deny: role.deny, allow: role.allow, allowlists: merged(role.allowlists) })
    }
    this.#roles = roles
  }

  /** The role called `name`, or undefined when neither built in nor in the document. */
  role (name: string): Role | undefined {
    return this.#roles.get(name)
  }

  /** What deciding `call` for `role` needs from the request body and the engine. */
  needs (role: Role | undefined, call: Call): Needs {
    if (role === undefined || isOwnerCall(role, call) || call.action === undefined || this.#refusal(role, call) !== undefined) return NOTHING
    return CHECKS.get(call.action) ?? NOTHING
  }

  /** The decision on `call` for `role`, given what `needs` asked for. */
  decide (role: Role | undefined, roleName: string, call: Call, body: Body = { kind: 'none' }, facts: Facts = {}): Decision {
    if (role === undefined) return deny(roleName, { rule: 'unknown-role', what: 'call anything: the role is not defined (built-in roles and the policy document\'s)' }, 403, true)
    if (isOwnerCall(role, call)) return { allow: true, rule: 'owner' }
    const refusal = this.#refusal(role, call)
    if (refusal !== undefined) return deny(role.name, refusal, 403, role.mode === 'enforce')
    const check = call.action === undefined ? undefined : CHECKS.get(call.action)
    if (check === undefined) return { allow: true, rule: 'role' }
    if (check.body && body.kind === 'undecodable') {
      return deny(role.name, { rule: 'undecodable-body', what: `send a body that cannot be read with certainty (${body.reason})` }, body.status, role.mode === 'enforce')
    }
    const violation = check.check({ call, body, facts, allow: role.allowlists })
    if (violation === undefined) return { allow: true, rule: 'checked' }
    // A field of the wrong type is a body the gateway cannot read with certainty: a bad request.
    return deny(role.name, violation, violation.rule === 'undecodable-field' ? 400 : 403, role.mode === 'enforce')
  }

  /** Why `role` may not call `call` at all, whatever it sends. */
  #refusal (role: Role, call: Call): ActionRefusal | undefined {
    const action = call.action
    if (action === undefined) return { rule: 'unknown-route', what: `call ${call.method} ${call.route} (a route this policy does not know)` }
    // Go's FormValue reads a form body as query parameters (POST /build?networkmode=... in the body).
    if (isFormBody(call.headers['content-type'] ?? '')) return { rule: 'form-body', what: 'send form-encoded bodies (the engine would read them as parameters)' }
    if (role.deny.some((p) => actionMatches(p, action))) return { rule: 'role-deny', what: `call ${action}` }
    const base = builtinRefusal(role.base, action)
    if (base === undefined) return undefined
    // A custom role's grants reach at most what an operator may call.
    if (role.allow.some((p) => actionMatches(p, action)) && builtinRefusal('operator', action) === undefined) return undefined
    return base
  }
}

/** The owner, and custom roles based on it, call anything their deny list leaves them, unchecked. */
function isOwnerCall (role: Role, call: Call): boolean {
  return role.base === 'owner' && (role.deny.length === 0 || (call.action !== undefined && !role.deny.some((p) => actionMatches(p, call.action as string))))
}

function deny (role: string, refusal: ActionRefusal, status: number, enforced: boolean): Decision {
  return { allow: false, rule: refusal.rule, status, enforced, message: `swarmgate: denied: ${role} may not ${refusal.what} (rule ${refusal.rule})` }
}
