/**
 * Docker Hub as registration reaches it, and what its answers mean to the person running it.
 * Registration asks Docker Hub three things, each once, never in a loop: whether the owner's
 * Docker ID and password or personal access token log in (the first registration with
 * --identity docker-id), whether an organization access token works (hub-token), and whether a
 * team exists (teams add). The URL and CA are --docker-hub-url and --docker-hub-ca on a
 * registration run, else what the registration keeps: the URL in server-proxy's environment, the
 * CA as the config server-proxy mounts. Secrets go only into core's client, which sends them in
 * request bodies and nowhere else; no message here quotes one.
 */
import { readFile } from 'node:fs/promises'
import { X509Certificate } from 'node:crypto'
import { DockerHubClient, type HubUnreachable } from '@swarmgate/core'
import { errors } from './errors.js'

/** What server-proxy uses when registration is given no --docker-hub-url. */
export const DEFAULT_DOCKER_HUB_URL = 'https://hub.docker.com'
/** `--docker-hub-ca none`: trust the system's CAs again. */
export const NO_CA = 'none'
/** The most one of registration's questions may take (all its requests together). */
const TIMEOUT_MS = 15_000

export interface HubConnection {
  readonly url: string
  /** PEM; undefined: the system's CAs. */
  readonly ca: string | undefined
}

/** `url` when it is an https URL; throws SG_ERR_REGISTRATION_HUB_URL otherwise. */
export function checkHubUrl (url: string): string {
  let parsed: URL
  try { parsed = new URL(url) } catch { throw errors.SG_ERR_REGISTRATION_HUB_URL(`"${url}" is not a URL; give https://hub.docker.com or a compatible service's https address`) }
  if (parsed.protocol !== 'https:') throw errors.SG_ERR_REGISTRATION_HUB_URL(`"${url}" must be https (the Docker IDs' passwords and tokens travel to it)`)
  return url
}

/** The PEM text of `file`, checked to hold a certificate; throws SG_ERR_REGISTRATION_HUB_CA naming what to do. */
export async function readHubCaFile (file: string): Promise<string> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message
    throw errors.SG_ERR_REGISTRATION_HUB_CA(`${file} (${code}); registration runs in a container, which sees only the files mounted into it: add -v "$PWD/hub-ca.pem:/hub-ca.pem:ro" to docker run and give --docker-hub-ca /hub-ca.pem`, err)
  }
  try {
    // Throws unless the text starts with a PEM certificate.
    void new X509Certificate(text)
  } catch (err) {
    throw errors.SG_ERR_REGISTRATION_HUB_CA(`${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`, err)
  }
  return text
}

/** Runs `fn` with a client for `hub`, closed after. */
export async function withDockerHub<T> (hub: HubConnection, fn: (client: DockerHubClient) => Promise<T>): Promise<T> {
  const client = new DockerHubClient({ baseUrl: checkHubUrl(hub.url), timeoutMs: TIMEOUT_MS, ...(hub.ca === undefined ? {} : { ca: hub.ca }) })
  try {
    return await fn(client)
  } finally {
    await client.close()
  }
}

/** The error for a Docker Hub that cannot answer; `after` says what that left undone. */
function unreachable (hub: HubConnection, answer: HubUnreachable, after: string): Error {
  if (answer.code === 'rate-limited') {
    return errors.SG_ERR_REGISTRATION_HUB_UNAVAILABLE(`Docker Hub at ${hub.url} is limiting the requests from this address: try again in ${answer.retryAfterSeconds} s; ${after}`)
  }
  return errors.SG_ERR_REGISTRATION_HUB_UNAVAILABLE(`${answer.reason} (${hub.url}); ${after}. Check that this manager reaches it, and --docker-hub-url and --docker-hub-ca`)
}

/**
 * The Docker ID that `identifier` (a Docker ID or its e-mail) and `secret` (its password or a
 * personal access token) log in as: Docker Hub's own name for it, lower case. Throws a sentence
 * saying what to do otherwise; `after` says what was left undone.
 */
export async function checkDockerIdLogin (hub: HubConnection, identifier: string, secret: string, after: string): Promise<string> {
  const answer = await withDockerHub(hub, async (client) => await client.checkLogin(identifier, secret))
  if (answer.ok) return answer.username.toLowerCase()
  switch (answer.code) {
    case 'invalid':
      throw errors.SG_ERR_REGISTRATION_DOCKER_ID(`${identifier}: wrong Docker ID, password or personal access token; ${after}`)
    case 'two-factor':
      throw errors.SG_ERR_REGISTRATION_DOCKER_ID(`${identifier} has two-factor authentication, so Docker Hub takes no password from programs: create a personal access token (Docker Hub, Account settings, Personal access tokens) and give it instead of the password; ${after}`)
    case 'organization-token':
      throw errors.SG_ERR_REGISTRATION_DOCKER_ID(`an organization access token logs no person in: give your own Docker ID's password or personal access token (an organization's token is for teams: hub-token ORG); ${after}`)
    default:
      throw unreachable(hub, answer, after)
  }
}

/** How many teams the organization access token `token` of `org` reads; throws a sentence when it does not work. */
export async function checkOrgToken (hub: HubConnection, org: string, token: string, after: string): Promise<number> {
  const answer = await withDockerHub(hub, async (client) => await client.checkOrgToken(org, token))
  if (answer.ok) return answer.teams
  if (answer.code === 'org-token-refused') {
    throw errors.SG_ERR_REGISTRATION_HUB_TOKEN(`Docker Hub refused it as an access token of the organization ${org} that reads its teams (a wrong or revoked token, another organization's, or one without read access to members and teams); ${after}`)
  }
  throw unreachable(hub, answer, after)
}

/** Throws a sentence unless `team` exists in `org`, asked with the organization's access token. */
export async function checkTeamExists (hub: HubConnection, org: string, team: string, token: string, after: string): Promise<void> {
  const answer = await withDockerHub(hub, async (client) => await client.teamExists(org, team, token))
  if (answer.ok && answer.exists) return
  if (answer.ok) throw errors.SG_ERR_REGISTRATION_TEAM(`Docker Hub has no team "${team}" in the organization ${org} (team names are as Docker Hub shows them, case included); ${after}`)
  if (answer.code === 'org-token-refused') {
    throw errors.SG_ERR_REGISTRATION_HUB_TOKEN(`Docker Hub no longer accepts the access token kept for ${org}: give a new one with hub-token ${org}; ${after}`)
  }
  throw unreachable(hub, answer, after)
}
