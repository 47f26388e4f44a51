/**
 * Counts the token endpoint's answers from a fastify hook on the server, so the token routes stay
 * as they are: the status tells a grant from a refusal, and a refusal's JSON body carries the code
 * the client is shown (docs/protocol.md, "Token errors"), fastify's own refusals (a body it could
 * not parse) included.
 */
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerBase } from 'fastify'
import { PATHS } from '@swarmgate/core'
import type { ServerMetrics } from './server-metrics.js'

/** Adds the hook to `app`; call it before the token routes are registered. */
export function countTokenAnswers<S extends RawServerBase, L extends FastifyBaseLogger> (app: FastifyInstance<S, RawRequestDefaultExpression<S>, RawReplyDefaultExpression<S>, L>, metrics: ServerMetrics): void {
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.routeOptions.url === PATHS.token) metrics.tokenAnswered((req.body as { grant_type?: unknown } | undefined)?.grant_type, reply.statusCode, payload)
    return payload
  })
}
