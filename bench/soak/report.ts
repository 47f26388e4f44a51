/** The soak's markdown report: the verdict with its bounds, operations by kind, failures, samples over time. */
import { MIN_JUDGED_MINUTES, RSS_SLOPE_BOUND_MB_PER_MIN, WARM_UP_FRACTION, type MemoryFigure, type SoakSample, type SoakVerdict } from './summary.js'
import type { KindCount, Tally } from './tally.js'

export interface SoakReport {
  readonly header: string
  readonly verdict: SoakVerdict
  readonly byKind: Record<string, KindCount>
  readonly messages: ReturnType<Tally['messages']>
  readonly samples: readonly SoakSample[]
}

/** One row of the table over time (also printed live while the soak runs). */
export function sampleRow (s: SoakSample): string {
  return `| ${s.atSeconds.toFixed(0)} | ${s.serverRssMb.toFixed(1)} | ${s.serverFds} | ${s.clientRssMb.toFixed(1)} | ${s.clientFds} | ${s.operations.toLocaleString('en-US')} | ${s.errors} |`
}

export const SAMPLE_HEADER = '| s | server-proxy RSS MB | server-proxy fds | client-proxy RSS MB | client-proxy fds | operations | errors |\n|---|---|---|---|---|---|---|'

function memoryCell (m: MemoryFigure): string {
  const perOp = Number.isFinite(m.bytesPerOperation) ? ` (${m.bytesPerOperation.toFixed(0)} bytes per operation)` : ''
  return `${m.minMb.toFixed(1)} to ${m.maxMb.toFixed(1)} MB, slope ${m.slopeMbPerMin.toFixed(2)} MB/min${perOp}`
}

/** Renders the whole report as markdown. */
export function renderSoakReport (r: SoakReport): string {
  const v = r.verdict
  const judged = v.memoryJudged
    ? `bound ${RSS_SLOPE_BOUND_MB_PER_MIN} MB/min`
    : `not judged: under ${MIN_JUDGED_MINUTES} min after warm-up`
  const lines = [
    r.header,
    '',
    `**${v.failures.length === 0 ? 'PASS' : 'FAIL'}**${v.failures.map((f) => `\n- ${f}`).join('')}`,
    '',
    '| figure | server-proxy | client-proxy | bound |',
    '|---|---|---|---|',
    `| errors (all operations) | ${v.errors} of ${v.operations.toLocaleString('en-US')} | | 0 |`,
    `| RSS after warm-up (first ${WARM_UP_FRACTION * 100} % left out) | ${memoryCell(v.memory.server)} | ${memoryCell(v.memory.client)} | ${judged} |`,
    `| open fds once idle, before -> after | ${v.fds.server.start} -> ${v.fds.server.end} | ${v.fds.client.start} -> ${v.fds.client.end} | no more than before |`,
    '',
    '| operation | done | failed |',
    '|---|---|---|',
    ...Object.entries(r.byKind).map(([kind, c]) => `| ${kind} | ${c.done.toLocaleString('en-US')} | ${c.failed} |`),
    ''
  ]
  if (r.messages.length > 0) {
    lines.push('Failures (distinct messages, most frequent first):', '', ...r.messages.map((m) => `- ${m.kind}, ${m.times}x: ${m.message}`), '')
  }
  lines.push('Samples over time:', '', SAMPLE_HEADER, ...r.samples.map(sampleRow), '')
  return lines.join('\n')
}
