/**
 * What server-proxy's tasks (and the secret reader) run: the image registration was given, pinned
 * to its content. A tag can be moved on any node by anyone allowed to tag, pull or load images (an
 * operator, docs/authorization.md); a task restarted there would run whatever the tag names then,
 * with the swarm's secrets and the engine socket. A digest (`name@sha256:...`, pulled from a
 * registry by digest where a node lacks it) or an image ID (tasks skip pulling it) cannot be moved.
 */
import { hasCode, type EngineClient } from '@swarmgate/core'

/** The reference to run for `image`: its registry digest, else its local ID; `image` itself when this engine does not have it (the nodes pull it). */
export async function pinImage (engine: EngineClient, image: string): Promise<string> {
  if (image.includes('@')) return image
  let found
  try {
    found = await engine.inspectImage(image)
  } catch (err) {
    if (hasCode(err, 'SG_ERR_ENGINE_NOT_FOUND')) return image
    throw err
  }
  const repository = image.replace(/:[^:/]+$/, '')
  const digest = found.RepoDigests?.find((d) => d.slice(0, d.indexOf('@')) === repository)
  return digest ?? found.Id
}
