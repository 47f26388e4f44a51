/**
 * Declarative configuration: each program declares its flags and environment variables once, with
 * defaults and help text, and gets back either a frozen typed object or one error listing every
 * problem at once. Nothing else in swarmgate reads `process.env`: `main.ts` hands it in here.
 */
import { SwarmgateError } from './errors.js'

type Kind = 'string' | 'integer' | 'port' | 'boolean' | 'list' | 'seconds'

export interface OptionSpec {
  readonly kind: Kind
  readonly flag: string
  readonly short?: string
  readonly env?: string
  readonly help: string
  readonly default?: string | number | boolean
  readonly required?: boolean
  readonly choices?: readonly string[]
  /** Placeholder shown in --help, e.g. `host:port`. */
  readonly value?: string
}

export interface ProgramSpec<O extends Record<string, OptionSpec>> {
  readonly name: string
  readonly version: string
  readonly summary: string
  readonly usage: string
  readonly options: O
  /** Extra paragraphs printed after the options (commands, examples). */
  readonly epilog?: string
}

type ValueOf<S extends OptionSpec> =
  S['kind'] extends 'integer' | 'port' | 'seconds' ? number
    : S['kind'] extends 'boolean' ? boolean
      : S['kind'] extends 'list' ? readonly string[]
        : string

type IsAlwaysSet<S extends OptionSpec> =
  S['kind'] extends 'boolean' | 'list' ? true
    : S extends { default: string | number | boolean } ? true
      : S extends { required: true } ? true
        : false

export type Config<O extends Record<string, OptionSpec>> = {
  readonly [K in keyof O]: IsAlwaysSet<O[K]> extends true ? ValueOf<O[K]> : ValueOf<O[K]> | undefined
}

export type ParseResult<O extends Record<string, OptionSpec>> =
  | { readonly action: 'help' }
  | { readonly action: 'version' }
  | { readonly action: 'run', readonly config: Config<O>, readonly args: readonly string[] }

/** Identity helper that keeps the literal option types for `Config<O>`. */
export function defineProgram<const O extends Record<string, OptionSpec>> (spec: ProgramSpec<O>): ProgramSpec<O> {
  return spec
}

const TRUE = new Set(['1', 'true', 'yes', 'on'])
const FALSE = new Set(['0', 'false', 'no', 'off', ''])

/**
 * Parses argv (without node and script) and the environment against the program's declaration.
 * Flags win over environment variables, which win over defaults. Throws one SG_ERR_CONFIG error
 * whose message lists every problem found.
 */
export function parseArgs<O extends Record<string, OptionSpec>> (
  spec: ProgramSpec<O>,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>
): ParseResult<O> {
  const problems: string[] = []
  const byFlag = new Map<string, [string, OptionSpec]>()
  for (const [key, opt] of Object.entries(spec.options)) {
    byFlag.set(opt.flag, [key, opt])
    if (opt.short !== undefined) byFlag.set(opt.short, [key, opt])
  }

  const raw = new Map<string, string[]>()
  const args: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '--') { args.push(...argv.slice(i + 1)); break }
    if (arg === '--help' || arg === '-h') return { action: 'help' }
    if (arg === '--version') return { action: 'version' }
    if (!arg.startsWith('-') || arg === '-') { args.push(arg); continue }
    const eq = arg.indexOf('=')
    const name = eq === -1 ? arg : arg.slice(0, eq)
    const found = byFlag.get(name)
    if (found === undefined) { problems.push(`unknown option ${name}`); continue }
    const [key, opt] = found
    let value: string
    if (eq !== -1) value = arg.slice(eq + 1)
    else if (opt.kind === 'boolean') value = 'true'
    else if (i + 1 < argv.length) value = argv[++i] as string
    else { problems.push(`${opt.flag} needs a value`); continue }
    raw.set(key, [...(raw.get(key) ?? []), value])
  }

  const out: Record<string, unknown> = {}
  for (const [key, opt] of Object.entries(spec.options)) {
    const fromFlags = raw.get(key)
    const fromEnv = opt.env === undefined ? undefined : env[opt.env]
    const source = fromFlags !== undefined ? opt.flag : opt.env
    let values: string[] | undefined = fromFlags
    if (values === undefined && fromEnv !== undefined && fromEnv !== '') {
      values = opt.kind === 'list' ? fromEnv.split(',').map((s) => s.trim()).filter(Boolean) : [fromEnv]
    }
    if (values === undefined) {
      if (opt.kind === 'list') out[key] = Object.freeze([])
      else if (opt.kind === 'boolean') out[key] = opt.default ?? false
      else if (opt.default !== undefined) out[key] = opt.default
      else if (opt.required === true) problems.push(`${describe(opt)} is required`)
      continue
    }
    if (opt.kind === 'list') { out[key] = Object.freeze(values); continue }
    if (values.length > 1) { problems.push(`${opt.flag} was given more than once`); continue }
    const converted = convert(opt, values[0] as string, source ?? opt.flag)
    if (typeof converted === 'object') problems.push(converted.problem)
    else out[key] = converted
  }

  if (problems.length > 0) {
    throw new SwarmgateError('SG_ERR_CONFIG', `invalid configuration for ${spec.name}:\n  - ${problems.join('\n  - ')}\nRun ${spec.name} --help for the options.`)
  }
  return { action: 'run', config: Object.freeze(out) as Config<O>, args: Object.freeze(args) }
}

function describe (opt: OptionSpec): string {
  return opt.env === undefined ? opt.flag : `${opt.flag} (or ${opt.env})`
}

function convert (opt: OptionSpec, value: string, source: string): string | number | boolean | { problem: string } {
  switch (opt.kind) {
    case 'boolean': {
      const v = value.toLowerCase()
      if (TRUE.has(v)) return true
      if (FALSE.has(v)) return false
      return { problem: `${source} must be true or false, got "${value}"` }
    }
    case 'integer':
    case 'port': {
      const n = /^\d+$/.test(value) ? Number(value) : NaN
      if (!Number.isSafeInteger(n)) return { problem: `${source} must be a whole number, got "${value}"` }
      if (opt.kind === 'port' && n > 65535) return { problem: `${source} must be a port from 0 to 65535, got ${n}` }
      return n
    }
    case 'seconds': {
      const m = /^(\d+)(s|m|h|d)?$/.exec(value)
      if (m === null) return { problem: `${source} must be a duration such as 90s, 15m, 1h or 30d, got "${value}"` }
      return Number(m[1]) * ({ s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's' | 'm' | 'h' | 'd' | undefined ?? 's'])
    }
    default:
      if (opt.choices !== undefined && !opt.choices.includes(value)) {
        return { problem: `${source} must be one of ${opt.choices.join(', ')}, got "${value}"` }
      }
      return value
  }
}

/** The --help text, built from the same declaration the parser uses. */
export function renderHelp (spec: ProgramSpec<Record<string, OptionSpec>>): string {
  const rows = Object.values(spec.options).map((opt) => {
    const names = [opt.short, opt.flag].filter(Boolean).join(', ')
    const left = opt.kind === 'boolean' ? names : `${names} ${opt.value ?? opt.kind.toUpperCase()}`
    const notes = [
      opt.env === undefined ? undefined : `env ${opt.env}`,
      opt.default === undefined ? undefined : `default ${opt.kind === 'seconds' ? formatSeconds(Number(opt.default)) : String(opt.default)}`,
      opt.required === true ? 'required' : undefined,
      opt.kind === 'list' ? 'repeatable' : undefined
    ].filter(Boolean)
    return [left, notes.length > 0 ? `${opt.help} (${notes.join('; ')})` : opt.help] as const
  })
  const width = Math.min(34, Math.max(...rows.map(([l]) => l.length), 10) + 2)
  const lines = rows.map(([l, r]) => `  ${l.padEnd(width)}${r}`)
  lines.push(`  ${'-h, --help'.padEnd(width)}Print this help and exit`)
  lines.push(`  ${'--version'.padEnd(width)}Print the version and exit`)
  return [`Usage: ${spec.usage}`, '', spec.summary, '', 'Options:', ...lines, ...(spec.epilog === undefined ? [] : ['', spec.epilog]), ''].join('\n')
}

/** 900 -> 15m, 2592000 -> 30d: the largest unit that divides the value. */
function formatSeconds (seconds: number): string {
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60]] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`
  }
  return `${seconds}s`
}
