/** The failures of talking to a Docker engine; callers match on the code and add what to do. */
import { defineErrors } from '../errors.js'

export const engineErrors = defineErrors({
  SG_ERR_ENGINE_UNREACHABLE: { message: 'cannot reach the Docker engine' },
  SG_ERR_ENGINE_NOT_FOUND: { message: 'the Docker engine has no such object', statusCode: 404 },
  SG_ERR_ENGINE_CONFLICT: { message: 'the Docker engine refused the change because of a conflict', statusCode: 409 },
  SG_ERR_ENGINE_UNAVAILABLE: { message: 'the Docker engine cannot do this now', statusCode: 503 },
  SG_ERR_ENGINE_REFUSED: { message: 'the Docker engine refused the call' },
  SG_ERR_ENGINE_TOO_OLD: { message: 'the Docker engine is too old' },
  SG_ERR_ENGINE_EXEC: { message: 'a command in a container failed' }
})

const BY_STATUS: Record<number, keyof typeof engineErrors> = {
  404: 'SG_ERR_ENGINE_NOT_FOUND',
  409: 'SG_ERR_ENGINE_CONFLICT',
  503: 'SG_ERR_ENGINE_UNAVAILABLE'
}

/** The error for an engine answer with `status` and the engine's own `message`. */
export function engineAnswerError (status: number, what: string, message: string): ReturnType<typeof engineErrors.SG_ERR_ENGINE_REFUSED> {
  const make = engineErrors[BY_STATUS[status] ?? 'SG_ERR_ENGINE_REFUSED']
  return make(`${what} answered ${status}: ${message}`)
}
