/**
 * The two SSH paths people use today, both on loopback with keys made for this run, leaving
 * /root/.ssh and the system's sshd alone:
 *
 * - the tunnel: `ssh -N -L 127.0.0.1:<port>:<engine socket>` and DOCKER_HOST=tcp://127.0.0.1:<port>;
 * - `docker -H ssh://root@127.0.0.1:<port>`: the CLI runs `ssh ... -- docker system dial-stdio`
 *   for every command, and the remote `docker` relays stdin/stdout to the engine.
 *
 * The CLI finds `ssh` on PATH, so a wrapper first on PATH adds `-F <our config>` (key, known host,
 * batch mode). Which engine the remote dial-stdio reaches is said the way a user would for a
 * remote engine that is not on the default socket: the client config sends DOCKER_HOST with
 * `SetEnv` and the server accepts it with `AcceptEnv DOCKER_HOST`, so the remote `docker` is the
 * unmodified CLI reading its environment.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { runChecked } from '../../test/testbed/process.js'
import { waitFor } from '../../test/testbed/wait.js'
import { freePort, portOpen } from './ports.js'
import { startHelper, type Helper } from './child.js'

const SSHD = '/usr/sbin/sshd'
const SSH = '/usr/bin/ssh'

export interface SshPaths {
  /** DOCKER_HOST of the tunnel: tcp://127.0.0.1:<forwarded port>. */
  readonly tunnelPort: number
  /** DOCKER_HOST for `docker -H ssh://`. */
  readonly sshHost: string
  /** Environment for the docker CLI on the ssh:// path: PATH with the ssh wrapper first. */
  readonly sshEnv: Record<string, string>
  readonly sshdPid: number
  stop (): Promise<void>
}

/** Starts sshd and the tunnel, forwarding to `engineSocket`; everything lives under `dir`. */
export async function startSshPaths (dir: string, engineSocket: string): Promise<SshPaths> {
  await mkdir(join(dir, 'bin'), { recursive: true })
  // sshd refuses to start without its privilege separation directory; Debian's init script makes it too.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 })
  const hostKey = join(dir, 'host_key')
  const userKey = join(dir, 'user_key')
  await runChecked('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey], { timeoutMs: 10_000 })
  await runChecked('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', userKey], { timeoutMs: 10_000 })
  const sshPort = await freePort()
  const tunnelPort = await freePort()
  const dockerHost = `unix://${engineSocket}`

  await writeFile(join(dir, 'authorized_keys'), await readFile(`${userKey}.pub`), { mode: 0o600 })
  await writeFile(join(dir, 'sshd_config'), [
    `Port ${sshPort}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${hostKey}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'AcceptEnv DOCKER_HOST',
    'AllowStreamLocalForwarding yes',
    'PrintMotd no',
    'LogLevel ERROR',
    ''
  ].join('\n'))
  const hostPub = (await readFile(`${hostKey}.pub`, 'utf8')).trim().split(' ').slice(0, 2).join(' ')
  await writeFile(join(dir, 'known_hosts'), `[127.0.0.1]:${sshPort} ${hostPub}\n`)
  const clientConfig = join(dir, 'ssh_config')
  await writeFile(clientConfig, [
    'Host 127.0.0.1',
    '  User root',
    `  Port ${sshPort}`,
    `  IdentityFile ${userKey}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${join(dir, 'known_hosts')}`,
    '  GlobalKnownHostsFile /dev/null',
    '  StrictHostKeyChecking yes',
    '  BatchMode yes',
    `  SetEnv DOCKER_HOST=${dockerHost}`,
    '  LogLevel ERROR',
    ''
  ].join('\n'))
  const wrapper = join(dir, 'bin', 'ssh')
  await writeFile(wrapper, `#!/bin/sh\nexec ${SSH} -F ${clientConfig} "$@"\n`)
  await chmod(wrapper, 0o755)

  const helpers: Helper[] = []
  const stop = async (): Promise<void> => { for (const h of helpers.reverse()) await h.stop() }
  try {
    const sshd = startHelper('sshd', SSHD, ['-D', '-f', join(dir, 'sshd_config'), '-E', join(dir, 'sshd.log')], join(dir, 'sshd.out'))
    helpers.push(sshd)
    await waitFor('sshd to listen', async () => {
      if (!sshd.running()) throw new Error(`sshd exited:\n${sshd.logTail()}`)
      return await portOpen(sshPort) ? true : undefined
    }, { timeoutMs: 15_000, intervalMs: 100 })
    const tunnel = startHelper('ssh -L', SSH, ['-F', clientConfig, '-N', '-o', 'ExitOnForwardFailure=yes',
      '-L', `127.0.0.1:${tunnelPort}:${engineSocket}`, '127.0.0.1'], join(dir, 'tunnel.log'))
    helpers.push(tunnel)
    await waitFor('the ssh tunnel to listen', async () => {
      if (!tunnel.running()) throw new Error(`ssh -L exited:\n${tunnel.logTail()}`)
      return await portOpen(tunnelPort) ? true : undefined
    }, { timeoutMs: 15_000, intervalMs: 100 })
    return {
      tunnelPort,
      sshHost: `ssh://root@127.0.0.1:${sshPort}`,
      sshEnv: { PATH: `${join(dir, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}` },
      sshdPid: sshd.pid,
      stop
    }
  } catch (err) {
    await stop()
    throw err
  }
}
