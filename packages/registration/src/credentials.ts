/**
 * The names and secrets registration needs: from --identity, --username and --password-stdin when
 * given, asked on the terminal otherwise. A new password is asked twice, as passwd does; a Docker
 * ID's password or token once, since Docker Hub checks it at once.
 */
import type { Readable } from 'node:stream'
import { MIN_PASSWORD_LENGTH, readPasswordFromStdin, validAccountName, validDockerId, type AccountKind, type Prompter } from '@swarmgate/core'
import { errors } from './errors.js'

/** Said before the owner's Docker ID is asked. */
export const DOCKER_ID_HEADER = 'Use your Docker ID credentials to authenticate:'
/** Said before the owner's local account is asked. */
export const LOCAL_OWNER_HEADER = 'Create the owner\'s account (a local account of this swarm):'

const IDENTITIES: Record<string, AccountKind> = { local: 'local', l: 'local', 'docker-id': 'docker-id', docker: 'docker-id', d: 'docker-id' }

/**
 * Who the swarm's owner is: --identity, else asked on a terminal, else a local account (a
 * registration without a terminal and without the flag works as before Docker IDs).
 */
export async function askIdentity (prompter: Prompter, given: string | undefined): Promise<AccountKind> {
  if (given !== undefined) return given as AccountKind
  if (!prompter.interactive) return 'local'
  const answer = await prompter.ask('Accounts of this swarm: local (made here, passwords kept as hashes) or docker-id (Docker IDs, checked with Docker Hub)', { flag: '--identity local|docker-id', default: 'local' })
  const kind = IDENTITIES[answer.toLowerCase()]
  if (kind === undefined) throw errors.SG_ERR_REGISTRATION_IDENTITY(`"${answer}": answer local or docker-id, or pass --identity`)
  return kind
}

/** A Docker ID or its e-mail, from --username or asked; Docker Hub says whose it is. */
export async function askDockerIdLogin (prompter: Prompter, given: string | undefined): Promise<string> {
  const name = (given ?? await prompter.ask('Docker ID', { flag: '--username (or SWARMGATE_USERNAME)' })).trim()
  if (!name.includes('@') && !validDockerId(name.toLowerCase())) throw notDockerId(name)
  return name
}

/** A Docker ID named by a command (users add --docker-id), lower case as Docker Hub keeps it. */
export function dockerIdName (name: string): string {
  if (!validDockerId(name.toLowerCase())) throw notDockerId(name)
  return name.toLowerCase()
}

function notDockerId (name: string): Error {
  return errors.SG_ERR_REGISTRATION_USERNAME(`"${name}" is not a Docker ID: Docker IDs are 4 to 30 letters and digits`)
}

/** A secret checked elsewhere (Docker Hub): from standard input with --password-stdin, else asked once with echo off. */
export async function askSecret (prompter: Prompter, stdin: Readable, passwordStdin: boolean, question: string): Promise<string> {
  const secret = passwordStdin ? await readPasswordFromStdin(stdin) : await prompter.secret(question, { flag: '--password-stdin' })
  if (secret === '') throw errors.SG_ERR_REGISTRATION_PASSWORD('it is empty')
  return secret
}

/** The account name from --username, or asked. */
export async function askUsername (prompter: Prompter, given: string | undefined): Promise<string> {
  const name = given ?? await prompter.ask('Username', { flag: '--username (or SWARMGATE_USERNAME)' })
  if (!validAccountName(name)) {
    throw errors.SG_ERR_REGISTRATION_USERNAME(`"${name}" must be 1 to 63 lower-case letters, digits, dots, dashes or underscores, starting with a letter or digit`)
  }
  return name
}

/** A new password: from standard input with --password-stdin, else asked twice with echo off. */
export async function askNewPassword (prompter: Prompter, stdin: Readable, passwordStdin: boolean): Promise<string> {
  const flag = '--password-stdin'
  const password = passwordStdin ? await readPasswordFromStdin(stdin) : await prompter.secret('Password', { flag })
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw errors.SG_ERR_REGISTRATION_PASSWORD(`it must have at least ${MIN_PASSWORD_LENGTH} characters`)
  }
  if (!passwordStdin && await prompter.secret('Repeat password', { flag }) !== password) {
    throw errors.SG_ERR_REGISTRATION_PASSWORD('the two passwords differ; nothing was changed, run the command again')
  }
  return password
}
