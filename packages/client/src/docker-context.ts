/**
 * A docker CLI context for a swarm (`docker context use swarmgate-<ns>-<name>`), for people who
 * switch between engines with contexts. The client runs in a container and the docker CLI's
 * configuration is on the host: when the user mounts it (`-v ~/.docker:/root/.docker`, or
 * `-v "$DOCKER_CONFIG:$DOCKER_CONFIG" -e DOCKER_CONFIG`) the client writes the context there
 * itself, in the CLI's own store format; otherwise it prints the one `docker context create`
 * command to run.
 *
 * The store (docker/cli cli/context/store/metadatastore.go): `<config>/contexts/meta/<hex sha256
 * of the name>/meta.json` holding `{"Name", "Metadata": {"Description", ...}, "Endpoints":
 * {"docker": {"Host", "SkipTLSVerify"}}}`, folders 0755 and the file 0644, replaced atomically.
 * A context swarmgate wrote carries the swarm in its metadata (`io.swarmgate.swarm`, an extra
 * field the CLI keeps and shows); any other context of that name is never touched.
 */
import { createHash, randomBytes } from 'node:crypto'
import { chown, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { errors } from './errors.js'
import { LABELS, type SwarmRef } from './names.js'

/** docker/cli's rule for context names (store.ValidateContextName); `default` is reserved. */
const CONTEXT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$/
/** The docker CLI's name of the Docker Engine endpoint of a context. */
const DOCKER_ENDPOINT = 'docker'

/** The docker CLI's context document, as it marshals it. */
interface ContextMeta {
  readonly Name: string
  readonly Metadata?: { readonly Description?: string, readonly [field: string]: unknown }
  readonly Endpoints?: Readonly<Record<string, { readonly Host?: string, readonly SkipTLSVerify?: boolean }>>
}

export interface ContextTarget {
  readonly name: string
  readonly swarm: string
  /** The DOCKER_HOST address the export line prints. */
  readonly host: string
}

/** The context's name: `--context NAME`, else `swarmgate-<ns>-<name>`, checked as the docker CLI checks it. */
export function contextName (ref: SwarmRef, chosen: string | undefined): string {
  const name = chosen ?? `swarmgate-${ref.namespace}-${ref.name}`
  if (name === 'default' || !CONTEXT_NAME.test(name)) {
    throw errors.SG_ERR_CLIENT_CONTEXT(`"${name}" is not a docker context name (letters, digits, _ . + -, starting with a letter or digit; not "default"); choose one with --context NAME`)
  }
  return name
}

/** The docker CLI's own command that makes the context, for a user whose config is not mounted. */
export function createContextCommand (target: ContextTarget): string {
  return `docker context create ${target.name} --description "${description(target.swarm)}" --docker host=${target.host}`
}

function description (swarm: string): string {
  return `swarmgate: the swarm ${swarm}`
}

/** The folder of `name` in the metadata store under `configDir`. */
export function contextDir (configDir: string, name: string): string {
  return join(configDir, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'))
}

function isMissing (err: unknown): boolean {
  return (err as { code?: string }).code === 'ENOENT'
}

/** Makes the folder `path`; false when it was there already. */
async function makeDir (path: string): Promise<boolean> {
  try {
    await mkdir(path, { mode: 0o755 })
    return true
  } catch (err) {
    if ((err as { code?: string }).code === 'EEXIST') return false
    throw err
  }
}

/**
 * The docker CLI's configuration folder mounted into the client's container, or undefined when
 * `configDir` does not exist here (nothing mounted: the context is printed as a command).
 */
export async function mountedConfig (configDir: string): Promise<{ dir: string, uid: number, gid: number } | undefined> {
  try {
    const s = await stat(configDir)
    if (!s.isDirectory()) throw errors.SG_ERR_CLIENT_CONTEXT(`${configDir} (the docker CLI's configuration, --docker-config or DOCKER_CONFIG) is not a folder`)
    return { dir: configDir, uid: s.uid, gid: s.gid }
  } catch (err) {
    if (isMissing(err)) return undefined
    throw err
  }
}

/**
 * Checks that the context `name` under `configDir` is absent or swarmgate's for `swarm`; throws
 * SG_ERR_CLIENT_CONTEXT otherwise, before anything is written or asked.
 */
export async function checkContext (configDir: string, name: string, swarm: string): Promise<void> {
  const file = join(contextDir(configDir, name), 'meta.json')
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if (isMissing(err)) return
    throw errors.SG_ERR_CLIENT_CONTEXT(`${file} cannot be read (${(err as Error).message})`, err)
  }
  let meta: ContextMeta | undefined
  try {
    meta = JSON.parse(text) as ContextMeta
  } catch {
    meta = undefined
  }
  const madeFor = meta?.Metadata?.[LABELS.swarm]
  if (madeFor === swarm) return
  const what = typeof madeFor === 'string' ? `was made by swarmgate for the swarm ${madeFor}` : `is not one swarmgate made (it points at ${meta?.Endpoints?.[DOCKER_ENDPOINT]?.Host ?? 'something else'})`
  throw errors.SG_ERR_CLIENT_CONTEXT(`the docker context ${name} ${what}, and swarmgate leaves it as it is; choose another name with --context NAME`)
}

/**
 * Creates or updates the context `target.name` under `configDir` (checkContext first), owned by
 * `owner` (the configuration folder's owner: the client runs as root, the CLI as the user).
 */
export async function writeContext (configDir: string, owner: { uid: number, gid: number }, target: ContextTarget): Promise<void> {
  const meta: ContextMeta = {
    Name: target.name,
    Metadata: { Description: description(target.swarm), [LABELS.swarm]: target.swarm },
    Endpoints: { [DOCKER_ENDPOINT]: { Host: target.host, SkipTLSVerify: false } }
  }
  const dir = contextDir(configDir, target.name)
  const tmp = join(dir, `.meta.json.${randomBytes(6).toString('hex')}`)
  let written = false
  try {
    // Each missing folder is made and given to the owner, as the CLI itself would have made it.
    let path = configDir
    for (const part of ['contexts', 'meta', basename(dir)]) {
      path = join(path, part)
      if (await makeDir(path)) await chown(path, owner.uid, owner.gid)
    }
    await writeFile(tmp, JSON.stringify(meta), { mode: 0o644 })
    written = true
    await chown(tmp, owner.uid, owner.gid)
    await rename(tmp, join(dir, 'meta.json'))
  } catch (err) {
    if (written) await rm(tmp, { force: true })
    throw errors.SG_ERR_CLIENT_CONTEXT(`writing the context ${target.name} into ${configDir} failed (${(err as Error).message}); mount your docker configuration writable, or leave it out and run the docker context create command the client prints`, err)
  }
}
