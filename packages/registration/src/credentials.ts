/**
 * The account name and password registration needs: from --username and --password-stdin when
 * given, asked on the terminal otherwise. A new password is asked twice, as passwd does.
 */
import type { Readable } from 'node:stream'
import { MIN_PASSWORD_LENGTH, readPasswordFromStdin, validAccountName, type Prompter } from '@swarmgate/core'
import { errors } from './errors.js'

export const CREDENTIALS_HEADER = 'Use your Docker ID credentials to authenticate:'

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
