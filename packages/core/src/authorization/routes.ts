/**
 * Reads a call as the Docker engine's router reads it, so that authorization decides on the route
 * the engine will run and not on a spelling of it. What the engine does, step by step:
 *
 * 1. Go's net/http reads the request target with url.ParseRequestURI (net/url/url.go): a raw
 *    control byte or a bad `%` escape in the path is a 400; `*` and opaque targets route nowhere;
 *    an absolute-form target (`http://host/path`) is routed by its path; there is no fragment
 *    (`#` is an ordinary character); the path is percent-decoded, `%2F` included.
 * 2. gorilla/mux (Router.ServeHTTP, cleanPath) answers a path that is not clean (`//`, `.`, `..`)
 *    with a 301 to the cleaned one, keeping a trailing slash: we decide on the cleaned path, the
 *    call the engine runs if the client follows the redirect.
 * 3. mux tries the routes in registration order (route-table.ts), each with and without the
 *    `/v{version:[0-9.]+}` prefix (moby api/server/server.go), methods compared case-sensitively,
 *    paths matched by Go regexps against the decoded path, where `.` is anything but `\n`.
 * 4. The handlers read the query with url.ParseQuery: `&` separates pairs, `+` is a space, a pair
 *    with a bad escape is dropped, and a pair holding `;` is dropped since Go 1.17 but split on
 *    before it.
 *
 * Where the engine's reading is uncertain we are stricter and leave the action undefined, which
 * policy refuses to everyone but the owner: a `;` in the query (its meaning depends on the Go that
 * built the engine), and a path or query that does not decode to UTF-8 (our strings would no
 * longer carry the engine's bytes).
 */
import type { Call } from './types.js'
import { ROUTES, type Route } from './route-table.js'

export { ROUTES, type Route } from './route-table.js'

/** Headers a decision may read: whether and how a body comes (start's HostConfig below API 1.24, form bodies). */
const DECISION_HEADERS: ReadonlySet<string> = new Set(['content-type', 'content-encoding', 'content-length', 'transfer-encoding'])

interface CompiledRoute {
  readonly action: string
  readonly regexp: RegExp
  /** Names of the capture groups after the version's, in order. */
  readonly params: readonly string[]
}

/** The template's `{name}` and `{name:pattern}` variables (mux's syntax, no nested braces). */
const VARIABLE = /\{([a-z]+)(?::([^{}]+))?\}/g

const ANY_METHOD = '*'

/** Routes for each method the table names, in table order, with the any-method routes among them. */
const BY_METHOD: ReadonlyMap<string, readonly CompiledRoute[]> = compileTable(ROUTES)
const ANY_METHOD_ROUTES: readonly CompiledRoute[] = BY_METHOD.get(ANY_METHOD) ?? []

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Reads a call as the engine's router would: method, action, params, query, headers. */
export function routeCall (method: string, rawUrl: string, headers: Readonly<Record<string, string | string[] | undefined>>): Call {
  const decisionHeaders = pickHeaders(headers)
  const target = readTarget(rawUrl)
  if (target === undefined) {
    return { method, action: undefined, route: rawUrl.split('?', 1)[0] ?? '', version: undefined, params: {}, query: new Map(), headers: decisionHeaders }
  }
  const query = parseQuery(target.rawQuery)
  const match = matchRoute(method, target.path)
  if (match === undefined) {
    return { method, action: undefined, route: target.path, version: undefined, params: {}, query: query ?? new Map(), headers: decisionHeaders }
  }
  return {
    method,
    // A query the engine may read otherwise than we do leaves the action unknown, whatever the route.
    action: query === undefined ? undefined : match.action,
    route: match.version === undefined ? target.path : target.path.slice(2 + match.version.length),
    version: match.version,
    params: match.params,
    query: query ?? new Map(),
    headers: decisionHeaders
  }
}

function compileTable (routes: readonly Route[]): Map<string, CompiledRoute[]> {
  const compiled = routes.map((route) => ({ method: route.method, route: compileRoute(route) }))
  const byMethod = new Map<string, CompiledRoute[]>()
  for (const method of new Set(routes.map((r) => r.method))) {
    byMethod.set(method, compiled.filter((c) => c.method === method || c.method === ANY_METHOD).map((c) => c.route))
  }
  return byMethod
}

/** mux's regexp for a template: literals quoted, `[^/]+` by default, anchored; Go's `.` excludes only `\n`. */
function compileRoute (route: Route): CompiledRoute {
  const params: string[] = []
  let source = ''
  let last = 0
  for (const variable of route.pattern.matchAll(VARIABLE)) {
    const [whole, name, pattern] = variable
    if (name === undefined) throw new Error(`route ${route.pattern}: variable without a name`)
    source += quote(route.pattern.slice(last, variable.index)) + '(' + goPattern(pattern ?? '[^/]+') + ')'
    params.push(name)
    last = variable.index + whole.length
  }
  source += quote(route.pattern.slice(last))
  return { action: route.action, regexp: new RegExp(`^(?:/v([0-9.]+))?${source}$`), params }
}

function quote (literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** A Go regexp's `.` outside brackets as JS must write it (JS's `.` also excludes `\r`, U+2028 and U+2029). */
function goPattern (pattern: string): string {
  if (/[\\()]/.test(pattern)) throw new Error(`route pattern ${pattern}: only classes, '.' and quantifiers are supported`)
  let out = ''
  let inClass = false
  for (const ch of pattern) {
    if (ch === '[') inClass = true
    else if (ch === ']') inClass = false
    out += ch === '.' && !inClass ? '[^\\n]' : ch
  }
  return out
}

interface Match {
  readonly action: string
  readonly version: string | undefined
  readonly params: Readonly<Record<string, string>>
}

function matchRoute (method: string, path: string): Match | undefined {
  for (const route of BY_METHOD.get(method) ?? ANY_METHOD_ROUTES) {
    const m = route.regexp.exec(path)
    if (m === null) continue
    const params: Record<string, string> = {}
    route.params.forEach((name, i) => { params[name] = m[i + 2] ?? '' })
    return { action: route.action, version: m[1], params }
  }
  return undefined
}

interface Target {
  /** Decoded and cleaned as mux routes it. */
  readonly path: string
  /** Still escaped, as url.ParseQuery receives it. */
  readonly rawQuery: string
}

/** The path and query as url.ParseRequestURI and mux's cleanPath read a request target; undefined when the engine routes it nowhere. */
function readTarget (rawUrl: string): Target | undefined {
  // Node hands the target over as latin1, one character per byte; anything else did not come off the wire.
  if (rawUrl === '' || /[\x00-\x1f\x7f\u0100-\uffff]/.test(rawUrl)) return undefined
  const scheme = splitScheme(rawUrl)
  if (scheme === undefined) return undefined
  const rest = scheme.rest
  const q = rest.indexOf('?')
  let rawPath = q === -1 ? rest : rest.slice(0, q)
  const rawQuery = q === -1 ? '' : rest.slice(q + 1)
  // Without a scheme even `//x` is a path; an opaque target (`x:y`) routes nowhere.
  if (!rawPath.startsWith('/')) return undefined
  if (scheme.absolute && rawPath.startsWith('//')) {
    // The authority goes; no path left is an empty one, which mux redirects to `/`.
    const slash = rawPath.indexOf('/', 2)
    rawPath = slash === -1 ? '' : rawPath.slice(slash)
  }
  const path = unescape(rawPath, false)
  return path === undefined ? undefined : { path: cleanPath(path), rawQuery }
}

/** Go's getScheme: whether the target is absolute and what follows `scheme:`; undefined when it starts with `:` ("missing protocol scheme"). */
function splitScheme (rawUrl: string): { readonly absolute: boolean, readonly rest: string } | undefined {
  for (let i = 0; i < rawUrl.length; i++) {
    const c = rawUrl.charCodeAt(i)
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) continue
    if ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e) {
      if (i === 0) break
      continue
    }
    if (c === 0x3a) return i === 0 ? undefined : { absolute: true, rest: rawUrl.slice(i + 1) }
    break
  }
  return { absolute: false, rest: rawUrl }
}

/** Go's unescape: `%XX` to its byte (and `+` to a space in query components), then UTF-8; undefined on a bad escape or bytes that are not UTF-8. */
function unescape (raw: string, plusIsSpace: boolean): string | undefined {
  if (!/[%+\u0080-\u00ff]/.test(raw)) return raw
  const bytes = Buffer.allocUnsafe(raw.length)
  let n = 0
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i)
    if (c === 0x25) {
      const hi = hexValue(raw.charCodeAt(i + 1))
      const lo = hexValue(raw.charCodeAt(i + 2))
      if (hi < 0 || lo < 0) return undefined
      bytes[n++] = hi * 16 + lo
      i += 2
    } else {
      bytes[n++] = c === 0x2b && plusIsSpace ? 0x20 : c
    }
  }
  try {
    return UTF8.decode(bytes.subarray(0, n))
  } catch {
    return undefined
  }
}

function hexValue (c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10
  return -1
}

/** mux's cleanPath: path.Clean of a rooted path, keeping a trailing slash. */
function cleanPath (path: string): string {
  if (path === '') return '/'
  const segments: string[] = []
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') segments.pop()
    else segments.push(segment)
  }
  const cleaned = '/' + segments.join('/')
  return path.endsWith('/') && cleaned !== '/' ? cleaned + '/' : cleaned
}

/**
 * url.ParseQuery (Go 1.17+): pairs split on `&`, empty ones skipped, a pair with a bad escape
 * dropped. Undefined when a pair holds `;` (Go before 1.17 split there, later ones drop the pair)
 * or does not decode to UTF-8.
 */
function parseQuery (rawQuery: string): Map<string, string[]> | undefined {
  const query = new Map<string, string[]>()
  if (rawQuery === '') return query
  if (rawQuery.includes(';')) return undefined
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    const rawKey = eq === -1 ? pair : pair.slice(0, eq)
    const rawValue = eq === -1 ? '' : pair.slice(eq + 1)
    if (!validEscapes(rawKey) || !validEscapes(rawValue)) continue
    const key = unescape(rawKey, true)
    const value = unescape(rawValue, true)
    if (key === undefined || value === undefined) return undefined
    const values = query.get(key)
    if (values === undefined) query.set(key, [value])
    else values.push(value)
  }
  return query
}

/** Every `%` starts a two-digit hex escape (Go drops the pair otherwise). */
function validEscapes (raw: string): boolean {
  for (let i = raw.indexOf('%'); i !== -1; i = raw.indexOf('%', i + 3)) {
    if (hexValue(raw.charCodeAt(i + 1)) < 0 || hexValue(raw.charCodeAt(i + 2)) < 0) return false
  }
  return true
}

/** The decision headers by lower-case name, first value first (Go's Header.Get), whatever case the caller used. */
function pickHeaders (headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string | undefined> {
  const picked: Record<string, string | undefined> = {}
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase()
    if (!DECISION_HEADERS.has(lower) || picked[lower] !== undefined) continue
    const value = headers[name]
    picked[lower] = Array.isArray(value) ? value[0] : value
  }
  return picked
}
