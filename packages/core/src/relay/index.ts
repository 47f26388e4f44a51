/**
 * The byte relay of a Docker API hop (issue 14): request heads parsed and decided on, bodies and
 * answers passed through on a connection pinned to one upstream connection, and everything it
 * cannot handle with certainty handed to the careful path (node:http and the full pipeline).
 */
export { relayConnection, type RelayEnd, type RelayHooks, type RelayRequest, type RelayVerdict } from './relay.js'
export { interceptConnections } from './intercept.js'
export { BodyScanner, headEnd, headerTokens, headerValues, messageFraming, parseHead, responseFraming, type BodyFraming, type Head } from './framing.js'
export { buildHead } from './head.js'
