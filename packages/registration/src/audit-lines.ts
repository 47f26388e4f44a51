/**
 * server-proxy's audit lines (docs/authorization.md): one pino JSON line per decision on its
 * standard output, `"msg":"audit"`, plus a start and an end line per hijacked session. Parsing,
 * filtering and formatting them is pure, so `registration audit` is the engine call around it.
 */

export type AuditDecision = 'allow' | 'deny' | 'would-deny'

export interface AuditLine {
  /** Milliseconds since the epoch. */
  readonly time: number
  readonly account: string | undefined
  readonly role: string | undefined
  readonly source: string | undefined
  readonly method: string | undefined
  readonly route: string | undefined
  readonly decision: AuditDecision | undefined
  readonly rule: string | undefined
  readonly status: number | undefined
  readonly bytesIn: number | undefined
  readonly bytesOut: number | undefined
  readonly durationMs: number | undefined
  readonly event: 'hijack-start' | 'hijack-end' | undefined
}

export interface AuditFilter {
  readonly account: string | undefined
  /** Milliseconds since the epoch; older lines are left out. */
  readonly since: number | undefined
  /** Only deny and would-deny. */
  readonly denied: boolean
}

const DECISIONS = new Set<string>(['allow', 'deny', 'would-deny'])
const EVENTS = new Set<string>(['hijack-start', 'hijack-end'])
const DECISION_WORDS: Readonly<Record<AuditDecision, string>> = { allow: 'allowed', deny: 'denied', 'would-deny': 'would-deny' }

function str (v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined
}

function num (v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined
}

/** The audit line `text` holds, or undefined for any other line (other log lines, broken JSON). */
export function parseAuditLine (text: string): AuditLine | undefined {
  const trimmed = text.trim()
  if (!trimmed.startsWith('{')) return undefined
  let doc: unknown
  try { doc = JSON.parse(trimmed) } catch { return undefined }
  if (typeof doc !== 'object' || doc === null) return undefined
  const d = doc as Record<string, unknown>
  const time = num(d.time)
  if (d.msg !== 'audit' || time === undefined) return undefined
  const decision = str(d.decision)
  const event = str(d.event)
  return {
    time,
    account: str(d.account),
    role: str(d.role),
    source: str(d.source),
    method: str(d.method),
    route: str(d.route),
    decision: decision !== undefined && DECISIONS.has(decision) ? decision as AuditDecision : undefined,
    rule: str(d.rule),
    status: num(d.status),
    bytesIn: num(d.bytesIn),
    bytesOut: num(d.bytesOut),
    durationMs: num(d.durationMs),
    event: event !== undefined && EVENTS.has(event) ? event as AuditLine['event'] : undefined
  }
}

/** Whether `line` passes `filter`. */
export function matchesAudit (line: AuditLine, filter: AuditFilter): boolean {
  if (filter.account !== undefined && line.account !== filter.account) return false
  if (filter.since !== undefined && line.time < filter.since) return false
  return !filter.denied || line.decision === 'deny' || line.decision === 'would-deny'
}

/** `2026-11-24T15:01:02Z  bob(operator)  203.0.113.9  POST /containers/create  denied  no-privileged  403` */
export function formatAuditLine (line: AuditLine): string {
  const fields = [
    new Date(line.time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    `${line.account ?? '-'}(${line.role ?? '-'})`,
    line.source ?? '-',
    `${line.method ?? '-'} ${line.route ?? '-'}`,
    line.decision === undefined ? '-' : DECISION_WORDS[line.decision],
    line.rule ?? '-',
    line.status === undefined ? '-' : String(line.status)
  ]
  if (line.event === 'hijack-start') fields.push('session started')
  if (line.event === 'hijack-end') fields.push(`session ended: ${line.bytesIn ?? 0} bytes in, ${line.bytesOut ?? 0} bytes out, ${line.durationMs ?? 0} ms`)
  return fields.join('  ')
}

/** The audit lines of `output` (every task's lines together) that pass `filter`, oldest first, formatted. */
export function auditReport (output: string, filter: AuditFilter): string[] {
  return output.split('\n')
    .map(parseAuditLine)
    .filter((l): l is AuditLine => l !== undefined && matchesAudit(l, filter))
    // Each task's lines come in order, the tasks one after another: merge them by time.
    .sort((a, b) => a.time - b.time)
    .map(formatAuditLine)
}
