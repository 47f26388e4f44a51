/**
 * One pino root logger per process. Modules take child loggers (`logger.child({ module })`);
 * secrets are removed by path so a token, password or Authorization value never reaches a log line.
 * Lines go to standard output in batches (decisions.md §12): a proxy writes an audit line per call,
 * and a write per line cost a thread-pool round trip per call.
 */
import { pino, type Logger, type DestinationStream } from 'pino'

export type { Logger } from 'pino'

/** Paths pino censors wherever they appear in a log object. */
export const REDACTED_PATHS: readonly string[] = [
  'password', '*.password',
  'token', '*.token',
  'access_token', '*.access_token',
  'refresh_token', '*.refresh_token',
  'authorization', '*.authorization',
  'headers.authorization', '*.headers.authorization',
  'headers["x-registry-auth"]', '*.headers["x-registry-auth"]'
]

const CENSOR = '[redacted]'

/**
 * Audit lines (one per call) hold, besides `err`, only what is never a secret: account and role
 * names, routes, decisions, statuses, counts. The wildcard paths above make pino walk every line
 * (a third of server-proxy's CPU per relayed call, docs/performance.md), so an audit logger
 * censors the same names under `err`, the one object an audit line nests.
 */
const AUDIT_REDACTED_PATHS = REDACTED_PATHS.filter((p) => !p.startsWith('*.')).map((p) => `err.${p}`)

/** Lines wait for at most this many bytes, or this long, before they are written. */
const BATCH_BYTES = 4096
const BATCH_MS = 100

export interface LoggerOptions {
  readonly name: string
  readonly level: string
  /** Where lines go; standard output by default. Tests pass a stream to read them. */
  readonly destination?: DestinationStream
  /**
   * Standard output in batches (default), or each line as it comes (--log-batch=off): an audit
   * trail that a SIGKILL cannot cut short, at a thread-pool write per line.
   */
  readonly batch?: boolean
}

/** Builds the process's root logger. */
export function createLogger (opts: LoggerOptions): Logger {
  return pino({
    name: opts.name,
    level: opts.level,
    redact: { paths: [...REDACTED_PATHS], censor: CENSOR },
    serializers: { err: pino.stdSerializers.err },
    base: { pid: process.pid }
  }, opts.destination ?? (opts.batch === false ? pino.destination({ sync: false }) : batchedStandardOutput()))
}

/** A child of `logger` for audit lines: the same redaction, limited to what an audit line can hold. */
export function auditLogger (logger: Logger): Logger {
  return logger.child({}, { redact: { paths: AUDIT_REDACTED_PATHS, censor: CENSOR } })
}

/**
 * Standard output, written when BATCH_BYTES have gathered or BATCH_MS after the first line
 * waiting, whichever comes first; pino writes what is left when the process exits. Lines wait as
 * bytes: kept as one string, each line would cost counting the bytes of all the lines before it
 * in the batch (issue 14: 3.6 against 2.0 µs per audit line, by hand).
 */
function batchedStandardOutput (): FlushableDestination {
  const out = pino.destination({ sync: false, minLength: BATCH_BYTES, contentMode: 'buffer' })
  // sonic-boom's types declare string writes only; in buffer mode it takes (and needs) Buffers.
  const writeBytes = out.write.bind(out) as unknown as (bytes: Buffer) => boolean
  let timer: NodeJS.Timeout | undefined
  const flush = (): void => {
    timer = undefined
    // With a callback, a flush asked for during a write happens once that write is done.
    out.flush(() => {})
  }
  return {
    write (line: string): void {
      writeBytes(Buffer.from(line))
      timer ??= setTimeout(flush, BATCH_MS).unref()
    },
    flush: (cb) => { out.flush(cb) },
    flushSync: () => { out.flushSync() }
  }
}

/** What pino calls on a destination besides write: logger.flush() and its exit handler. */
interface FlushableDestination extends DestinationStream {
  flush: (cb?: (err?: Error) => void) => void
  flushSync: () => void
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
