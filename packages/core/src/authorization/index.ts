// Authorization (docs/authorization.md): who may do what, decided on every call as the engine reads it.
export { BUILTIN_ROLES, type BuiltinRole, type Body, type Call, type Decision, type FactKind, type Facts, type Needs } from './types.js'
export { routeCall, ROUTES } from './routes.js'
export { decodeBody } from './go-json.js'
export { parsePolicy, normalizeCapability, DEFAULT_POLICY, type Allowlists, type PolicyDocument, type RoleDocument, type RoleMode } from './policy-document.js'
export { Policy, type Role } from './policy.js'
