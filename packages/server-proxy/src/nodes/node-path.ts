/**
 * Reads a call addressed to one node (docs/protocol.md, "Every node"): the docker CLI given
 * DOCKER_HOST=tcp://HOST:PORT/_swarmgate/v1/nodes/<node> puts that path before every call it
 * makes, `/_ping` and hijacked calls included, so what follows the node is the Docker API path.
 */
import { PATHS } from '@swarmgate/core'

/** A call for one node: the node as the caller named it, and the Docker API path and query to send it. */
export interface NodeCall {
  readonly node: string
  readonly path: string
}

/** Node IDs are 25 lower-case letters and digits; hostnames letters, digits, dots, dashes and underscores. */
const NODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/

/** The node and Docker API path of `url`; undefined when it is not under PATHS.nodes or names no valid node. */
export function readNodeCall (url: string): NodeCall | undefined {
  if (!url.startsWith(PATHS.nodes)) return undefined
  const rest = url.slice(PATHS.nodes.length)
  const end = rest.search(/[/?]/)
  const node = end === -1 ? rest : rest.slice(0, end)
  if (!NODE.test(node)) return undefined
  const path = end === -1 ? '/' : rest.slice(end)
  return { node, path: path.startsWith('/') ? path : `/${path}` }
}
