// The questions registration asks about identities, on a fake terminal and without one.
import t from 'tap'
import { PassThrough, Readable, Writable } from 'node:stream'
import { Prompter } from '@swarmgate/core'
import { askDockerIdLogin, askIdentity, askSecret, dockerIdName } from '../src/credentials.js'

/** A fake terminal with `typed` already typed ahead; `written` is what the questions showed. */
function terminal (typed: string): { prompter: Prompter, written: () => string } {
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode () {} })
  let text = ''
  const output = new Writable({ write (chunk: Buffer, _enc, done) { text += chunk.toString(); done() } })
  input.write(typed)
  return { prompter: new Prompter(input, output), written: () => text }
}

const noTerminal = (): Prompter => new Prompter(Readable.from([]), new PassThrough())

t.test('the identity: --identity, else asked on a terminal (enter: local), else local', async (t) => {
  t.equal(await askIdentity(noTerminal(), 'docker-id'), 'docker-id')
  t.equal(await askIdentity(noTerminal(), undefined), 'local', 'without a terminal a registration works as before Docker IDs')
  const enter = terminal('\r')
  t.equal(await askIdentity(enter.prompter, undefined), 'local')
  t.match(enter.written(), /^Accounts of this swarm: local \(made here, passwords kept as hashes\) or docker-id \(Docker IDs, checked with Docker Hub\) \[local\]: /)
  t.equal(await askIdentity(terminal('docker-id\r').prompter, undefined), 'docker-id')
  t.equal(await askIdentity(terminal('Docker\r').prompter, undefined), 'docker-id')
  await t.rejects(askIdentity(terminal('ldap\r').prompter, undefined), { code: 'SG_ERR_REGISTRATION_IDENTITY', message: /"ldap": answer local or docker-id, or pass --identity/ })
})

t.test('a Docker ID or its e-mail for the owner; a Docker ID for users add, in lower case', async (t) => {
  t.equal(await askDockerIdLogin(noTerminal(), 'alice@example.test'), 'alice@example.test', 'Docker Hub says whose e-mail it is')
  t.equal(await askDockerIdLogin(terminal('Alice\r').prompter, undefined), 'Alice')
  await t.rejects(askDockerIdLogin(noTerminal(), 'al'), { code: 'SG_ERR_REGISTRATION_USERNAME', message: /"al" is not a Docker ID: Docker IDs are 4 to 30 letters and digits/ })
  await t.rejects(askDockerIdLogin(noTerminal(), undefined), { code: 'SG_ERR_PROMPT_NO_TERMINAL', message: /pass --username/ })
  t.equal(dockerIdName('BobBy'), 'bobby')
  t.throws(() => dockerIdName('bob.smith'), { code: 'SG_ERR_REGISTRATION_USERNAME' })
})

t.test('a password or token is asked once, or read from standard input', async (t) => {
  const asked = terminal('dckr_pat_x\r')
  t.equal(await askSecret(asked.prompter, Readable.from([]), false, 'Password or personal access token'), 'dckr_pat_x')
  t.equal(asked.written(), 'Password or personal access token: \n', 'once, not echoed')
  t.equal(await askSecret(noTerminal(), Readable.from(['dckr_oat_y\n']), true, 'unused'), 'dckr_oat_y')
})
