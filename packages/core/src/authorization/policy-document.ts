/**
 * The policy document (docs/authorization.md): YAML that defines custom roles, each role's mode
 * (enforce, or audit: allowed and logged as "would deny") and the owner's allowlists. Registration
 * validates it before storing it (`policy check`, `policy set`) and server-proxy reads it at start,
 * both with this one parser, so a document registration accepted is one server-proxy runs.
 * Every problem names its line.
 */
import { LineCounter, isMap, isSeq, isScalar, parseDocument, type Node, type YAMLMap } from 'yaml'
import { SwarmgateError } from '../errors.js'
import { validRoleName } from '../accounts.js'
import { BUILTIN_ROLES, type BuiltinRole } from './types.js'
import { cleanPath } from './rules/host-paths.js'
import { ROUTES } from './route-table.js'
import { actionMatches } from './roles.js'

export type RoleMode = 'enforce' | 'audit'

/** What the owner allows non-owner roles beyond the built-in rules. */
export interface Allowlists {
  /** Host paths (absolute, cleaned) that binds and bind mounts may use as a source, with what is under them. */
  readonly bindSources: readonly string[]
  /** Capabilities (upper case, without CAP_) that may be added beyond Docker's default set. */
  readonly capabilities: readonly string[]
}

/** A role as the document defines it; built-in roles appear here only when the document sets their mode or allowlists. */
export interface RoleDocument {
  readonly base: BuiltinRole
  readonly mode: RoleMode
  /** Actions (or `object.*` groups) this role may not call, beyond what its base refuses. */
  readonly deny: readonly string[]
  /** Actions (or `object.*` groups) an operator may call that this role may call too, beyond its base. */
  readonly allow: readonly string[]
  readonly allowlists: Allowlists
}

export interface PolicyDocument {
  readonly version: 1
  /** Allowlists for every non-owner role. */
  readonly allowlists: Allowlists
  readonly roles: ReadonlyMap<string, RoleDocument>
}

export const EMPTY_ALLOWLISTS: Allowlists = Object.freeze({ bindSources: Object.freeze([]), capabilities: Object.freeze([]) })

/** The document in force when the swarm has none: the built-in roles, enforced, no allowlists. */
export const DEFAULT_POLICY: PolicyDocument = Object.freeze({ version: 1, allowlists: EMPTY_ALLOWLISTS, roles: new Map() })

const TOP_KEYS = new Set(['version', 'allowlists', 'roles'])
const ROLE_KEYS = new Set(['base', 'mode', 'deny', 'allow', 'allowlists'])
const ALLOWLIST_KEYS = new Set(['bindSources', 'capabilities'])
const ACTION = /^[a-z][a-z-]*\.(\*|[a-z][a-z0-9-]*)$|^[a-z][a-z-]*$/
const CAPABILITY = /^(CAP_)?[A-Z][A-Z0-9_]*$/i

/** Parses and checks a policy document; throws SG_ERR_POLICY_INVALID naming the line and the reason. */
export function parsePolicy (text: string): PolicyDocument {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false })
  const lineOf = (node: Node | null | undefined): number => node?.range === undefined || node.range === null ? 1 : lines.linePos(node.range[0]).line
  const fail = (node: Node | null | undefined, why: string): never => {
    throw new SwarmgateError('SG_ERR_POLICY_INVALID', `the policy document is not valid: line ${lineOf(node)}: ${why}`)
  }
  const first = doc.errors[0]
  if (first !== undefined) {
    throw new SwarmgateError('SG_ERR_POLICY_INVALID', `the policy document is not valid: line ${lines.linePos(first.pos[0]).line}: ${first.message.split('\n')[0] ?? ''}`)
  }
  const root = doc.contents
  if (!isMap(root)) return fail(root, 'expected a mapping with version, allowlists and roles')

  const mapOf = (node: unknown, where: string, keys: ReadonlySet<string>): YAMLMap => {
    if (!isMap(node)) return fail(node as Node, `${where} must be a mapping`)
    const seen = new Set<string>()
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined
      if (key !== undefined && seen.has(key)) return fail(pair.key as Node, `${where} has the key ${key} twice`)
      if (key !== undefined) seen.add(key)
      if (key === undefined || !keys.has(key)) return fail(pair.key as Node, `${where} has an unknown key ${key ?? '?'} (expected ${[...keys].join(', ')})`)
    }
    return node
  }
  const stringList = (node: unknown, where: string, check: (s: string) => string | undefined): string[] => {
    if (node === undefined) return []
    if (!isSeq(node)) return fail(node as Node, `${where} must be a list`)
    return node.items.map((item) => {
      if (!isScalar(item) || typeof item.value !== 'string') return fail(item as Node, `${where} must hold strings`)
      const problem = check(item.value)
      if (problem !== undefined) fail(item, `${where}: ${problem}`)
      return item.value
    })
  }
  const allowlists = (node: unknown, where: string): Allowlists => {
    if (node === undefined) return EMPTY_ALLOWLISTS
    const map = mapOf(node, where, ALLOWLIST_KEYS)
    return Object.freeze({
      bindSources: Object.freeze(stringList(map.get('bindSources', true), `${where}.bindSources`, (s) =>
        !s.startsWith('/') ? `${s} is not an absolute path` : s.split('/').includes('..') ? `${s} contains ..` : s === '/' ? 'the root directory would allow every host path' : undefined
      ).map(cleanPath)),
      capabilities: Object.freeze(stringList(map.get('capabilities', true), `${where}.capabilities`, (s) =>
        !CAPABILITY.test(s) ? `${s} is not a capability name` : /^(CAP_)?ALL$/i.test(s) ? 'ALL would allow every capability' : undefined
      ).map(normalizeCapability))
    })
  }

  mapOf(root, 'the document', TOP_KEYS)
  const version: unknown = root.get('version', true)
  if (!isScalar(version) || (version.value as unknown) !== 1) return fail(isScalar(version) ? version : root, 'version must be 1')
  const roles = new Map<string, RoleDocument>()
  const rolesNode = root.get('roles', true)
  if (rolesNode !== undefined) {
    if (!isMap(rolesNode)) return fail(rolesNode as Node, 'roles must be a mapping of role names')
    for (const pair of rolesNode.items) {
      const name = isScalar(pair.key) ? String(pair.key.value) : ''
      if (!validRoleName(name)) return fail(pair.key as Node, `${name} is not a valid role name (a lower case letter, then lower case letters, digits and dashes)`)
      if (roles.has(name)) return fail(pair.key as Node, `the role ${name} is defined twice`)
      const where = `roles.${name}`
      const role = mapOf(pair.value ?? undefined, where, ROLE_KEYS)
      const builtin = (BUILTIN_ROLES as readonly string[]).includes(name)
      const baseNode = role.get('base', true)
      if (builtin && baseNode !== undefined) return fail(baseNode, `${where} is a built-in role: only its mode and allowlists can be set`)
      const base = builtin ? name : isScalar(baseNode) ? String(baseNode.value) : undefined
      if (base === undefined || !(BUILTIN_ROLES as readonly string[]).includes(base)) return fail(baseNode ?? pair.key as Node, `${where}.base must be owner, operator or viewer`)
      const modeNode = role.get('mode', true)
      const mode = modeNode === undefined ? 'enforce' : isScalar(modeNode) ? String(modeNode.value) : ''
      if (mode !== 'enforce' && mode !== 'audit') return fail(modeNode, `${where}.mode must be enforce or audit`)
      for (const key of ['deny', 'allow'] as const) {
        if (builtin && role.get(key, true) !== undefined) return fail(role.get(key, true) as Node, `${where} is a built-in role: only its mode and allowlists can be set`)
      }
      const action = (s: string): string | undefined => !ACTION.test(s)
        ? `${s} is not an action (such as container.exec-create) or a group (container.*)`
        : ROUTES.some((r) => actionMatches(s, r.action)) ? undefined : `${s} names no action of the engine's routes (docs/authorization.md lists them)`
      roles.set(name, Object.freeze({
        base: base as BuiltinRole,
        mode,
        deny: Object.freeze(stringList(role.get('deny', true), `${where}.deny`, action)),
        allow: Object.freeze(stringList(role.get('allow', true), `${where}.allow`, action)),
        allowlists: allowlists(role.get('allowlists', true), `${where}.allowlists`)
      }))
    }
  }
  return Object.freeze({ version: 1, allowlists: allowlists(root.get('allowlists', true), 'allowlists'), roles })
}

/** Docker's spelling of a capability: upper case, without the CAP_ prefix. */
export function normalizeCapability (name: string): string {
  const upper = name.toUpperCase()
  return upper.startsWith('CAP_') ? upper.slice(4) : upper
}
