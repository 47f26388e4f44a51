/**
 * One pino root logger per process. Modules take child loggers (`logger.child({ module })`);
 * secrets are removed by path so a token, password or Authorization value never reaches a log line.
 */
import { pino, type Logger, type DestinationStream } from 'pino'

export type { Logger } from 'pino'

/** Paths pino censors wherever they appear in a log object. */
export const REDACTED_PATHS = [
  'password', '*.password',
  'token', '*.token',
  'access_token', '*.access_token',
  'refresh_token', '*.refresh_token',
  'authorization', '*.authorization',
  'headers.authorization', '*.headers.authorization',
  'headers["x-registry-auth"]', '*.headers["x-registry-auth"]'
]

export interface LoggerOptions {
  readonly name: string
  readonly level: string
  /** Where lines go; standard output by default. Tests pass a stream to read them. */
  readonly destination?: DestinationStream
}

/** Builds the process's root logger. */
export function createLogger (opts: LoggerOptions): Logger {
  return pino({
    name: opts.name,
    level: opts.level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: { err: pino.stdSerializers.err },
    base: { pid: process.pid }
  }, opts.destination ?? pino.destination({ sync: false }))
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
