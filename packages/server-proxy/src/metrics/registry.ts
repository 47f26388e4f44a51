/**
 * Counters, gauges and histograms with labels, rendered in the Prometheus text exposition format
 * (version 0.0.4). Written here rather than taken from prom-client: server-proxy needs three
 * metric types and one renderer, and each dependency is one more thing a task on a manager runs.
 * Label names are declared with the metric and every update names all of them, so a typo cannot
 * start a new series; label values are the caller's to keep few (never a raw path or an ID).
 */

/** The media type of what render() returns. */
export const TEXT_FORMAT = 'text/plain; version=0.0.4; charset=utf-8'

type LabelValues<L extends string> = Readonly<Record<L, string>>

/** A number as the text format writes it: Go's spellings for the infinities and NaN. */
function formatValue (n: number): string {
  if (Number.isNaN(n)) return 'NaN'
  if (n === Infinity) return '+Inf'
  if (n === -Infinity) return '-Inf'
  return String(n)
}

function escapeLabel (value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

function escapeHelp (text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')
}

/** `{a="x",b="y"}`, or nothing for no labels. */
function labelText (pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.length === 0 ? '' : `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/

/** One metric and its series, one per combination of label values seen. */
abstract class Family<L extends string, S> {
  readonly #series = new Map<string, { readonly pairs: ReadonlyArray<readonly [string, string]>, readonly state: S }>()

  constructor (readonly name: string, readonly help: string, readonly type: string, readonly labelNames: readonly L[]) {
    if (!NAME.test(name)) throw new Error(`metric name ${name} is not valid`)
    for (const l of labelNames) if (!LABEL_NAME.test(l) || l === 'le') throw new Error(`label name ${l} of ${name} is not valid`)
  }

  /** Called by each subclass once constructed: a metric without labels has its one series from the start, so a scrape shows 0, not nothing. */
  protected start (): void {
    if (this.labelNames.length === 0) this.series({} as LabelValues<L>)
  }

  protected abstract initial (): S

  protected series (labels: LabelValues<L>): S {
    const values = this.labelNames.map((l) => {
      const v = labels[l]
      if (typeof v !== 'string') throw new Error(`metric ${this.name} needs the label ${l}`)
      return v
    })
    const key = values.join('\u0000')
    let entry = this.#series.get(key)
    if (entry === undefined) {
      entry = { pairs: this.labelNames.map((l, i) => [l, values[i] as string] as const), state: this.initial() }
      this.#series.set(key, entry)
    }
    return entry.state
  }

  protected abstract sampleLines (pairs: ReadonlyArray<readonly [string, string]>, state: S): string[]

  /** The metric's HELP, TYPE and sample lines. */
  render (): string[] {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`]
    for (const { pairs, state } of this.#series.values()) lines.push(...this.sampleLines(pairs, state))
    return lines
  }
}

/** A metric whose series each hold one number. */
abstract class ValueFamily<L extends string> extends Family<L, { value: number }> {
  constructor (name: string, help: string, type: string, labelNames: readonly L[]) { super(name, help, type, labelNames); this.start() }
  protected initial (): { value: number } { return { value: 0 } }

  protected sampleLines (pairs: ReadonlyArray<readonly [string, string]>, state: { value: number }): string[] {
    return [`${this.name}${labelText(pairs)} ${formatValue(state.value)}`]
  }
}

/** A count that only goes up. */
export class Counter<L extends string = never> extends ValueFamily<L> {
  constructor (name: string, help: string, labelNames: readonly L[]) { super(name, help, 'counter', labelNames) }

  /** Adds `by` (1 unless given; never negative) to the series of `labels`. */
  inc (labels: LabelValues<L>, by = 1): void {
    if (!(by >= 0)) throw new Error(`counter ${this.name} cannot go down (got ${by})`)
    this.series(labels).value += by
  }
}

/** A value that goes up and down. */
export class Gauge<L extends string = never> extends ValueFamily<L> {
  constructor (name: string, help: string, labelNames: readonly L[]) { super(name, help, 'gauge', labelNames) }

  /** Sets the series of `labels` to `value`. */
  set (labels: LabelValues<L>, value: number): void { this.series(labels).value = value }

  /** Adds `by` (may be negative) to the series of `labels`. */
  add (labels: LabelValues<L>, by: number): void { this.series(labels).value += by }
}

interface HistogramState { readonly counts: number[], sum: number, count: number }

/** Observations counted into buckets by upper bound, with their sum and count. */
export class Histogram<L extends string = never> extends Family<L, HistogramState> {
  readonly #bounds: readonly number[]

  constructor (name: string, help: string, labelNames: readonly L[], bounds: readonly number[]) {
    const sorted = [...bounds].sort((a, b) => a - b)
    if (sorted.length === 0 || sorted.some((b, i) => !Number.isFinite(b) || (i > 0 && b === sorted[i - 1]))) {
      throw new Error(`histogram ${name} needs distinct finite bucket bounds`)
    }
    super(name, help, 'histogram', labelNames)
    this.#bounds = sorted
    this.start()
  }

  protected initial (): HistogramState {
    return { counts: this.#bounds.map(() => 0), sum: 0, count: 0 }
  }

  /** Counts `value` in the series of `labels`. */
  observe (labels: LabelValues<L>, value: number): void {
    const state = this.series(labels)
    const i = this.#bounds.findIndex((b) => value <= b)
    if (i >= 0) (state.counts[i] as number)++
    state.sum += value
    state.count++
  }

  protected sampleLines (pairs: ReadonlyArray<readonly [string, string]>, state: HistogramState): string[] {
    let cumulative = 0
    const lines = this.#bounds.map((bound, i) => {
      cumulative += state.counts[i] as number
      return `${this.name}_bucket${labelText([...pairs, ['le', formatValue(bound)]])} ${cumulative}`
    })
    lines.push(
      `${this.name}_bucket${labelText([...pairs, ['le', '+Inf']])} ${state.count}`,
      `${this.name}_sum${labelText(pairs)} ${formatValue(state.sum)}`,
      `${this.name}_count${labelText(pairs)} ${state.count}`
    )
    return lines
  }
}

/** The metrics one process serves, in the order they were made. */
export class MetricsRegistry {
  readonly #families: Array<Family<string, unknown>> = []

  /** Makes and keeps a counter. */
  counter<L extends string = never> (name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return this.#keep(new Counter(name, help, labelNames))
  }

  /** Makes and keeps a gauge. */
  gauge<L extends string = never> (name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    return this.#keep(new Gauge(name, help, labelNames))
  }

  /** Makes and keeps a histogram with the given bucket upper bounds (+Inf is added). */
  histogram<L extends string = never> (name: string, help: string, labelNames: readonly L[], bounds: readonly number[]): Histogram<L> {
    return this.#keep(new Histogram(name, help, labelNames, bounds))
  }

  /** Every metric in the text exposition format, ending with a newline. */
  render (): string {
    return this.#families.flatMap((f) => f.render()).join('\n') + '\n'
  }

  #keep<F extends Family<string, unknown>> (family: F): F {
    if (this.#families.some((f) => f.name === family.name)) throw new Error(`metric ${family.name} is made twice`)
    this.#families.push(family as unknown as Family<string, unknown>)
    return family
  }
}
