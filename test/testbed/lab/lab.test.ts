// The lab's own promise: `down` leaves nothing of it on this machine (processes, namespaces,
// mounts, bridge and ports, the FORWARD rule, cgroups, /run and data folders), after a lab that
// ran containers and after a start that failed half-way.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir, readFile, readlink } from 'node:fs/promises'
import { BUSYBOX_IMAGE, docker, run, useEngine } from '../index.js'
import { nodeHost, startLab, stopLab, type LabNode } from './index.js'

useEngine(t, { images: ['registration', 'server-proxy', 'client-proxy', 'client'] })

const names = [`x${randomBytes(3).toString('hex')}`, `y${randomBytes(3).toString('hex')}`]
t.teardown(async () => { for (const name of names) await stopLab(name) })

/** The network namespaces of the processes running now, as /proc/PID/ns/net links. */
async function networkNamespaces (): Promise<Set<string>> {
  const out = new Set<string>()
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const link = await readlink(`/proc/${pid}/ns/net`).catch(() => undefined)
    if (link !== undefined) out.add(link)
  }
  return out
}

/** Everything of the lab `name` still on this machine, one line each. */
async function leftovers (name: string, namespaces: readonly string[] = []): Promise<string[]> {
  const left: string[] = []
  for (const path of [`/run/swarmgate-lab/${name}`, `/var/lib/swarmgate-lab/${name}`]) if (existsSync(path)) left.push(`folder ${path}`)
  const links = (await run('ip', ['-o', 'link', 'show'])).stdout.split('\n').map((l) => l.split(': ')[1]?.replace(/@.*/, '') ?? '')
  left.push(...links.filter((l) => l === `sgl-${name}` || l.startsWith(`sgl-${name}-`)).map((l) => `link ${l}`))
  const rules = (await run('iptables', ['-w', '-S', 'FORWARD'])).stdout.split('\n')
  left.push(...rules.filter((r) => r.includes(`swarmgate-lab ${name}`)).map((r) => `rule ${r}`))
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0')
    if (argv.some((a) => a.startsWith(`swarmgate-lab/${name}/`))) left.push(`process ${pid} ${argv.join(' ').slice(0, 80)}`)
  }
  const alive = await networkNamespaces()
  left.push(...namespaces.filter((n) => alive.has(n)).map((n) => `a process in network namespace ${n}`))
  const cgroups = (await readdir('/sys/fs/cgroup').catch(() => [])).map((c) => `/sys/fs/cgroup/${c}/swarmgate-lab/${name}`)
  left.push(...cgroups.filter((c) => existsSync(c)).map((c) => `cgroup ${c}`))
  const mounts = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter((m) => m.includes(`swarmgate-lab/${name}`))
  left.push(...mounts.map((m) => `mount ${m}`))
  return left
}

t.test('down after a lab that ran containers leaves nothing behind', async (t) => {
  const name = names[0] as string
  const lab = await startLab(name)
  const namespaces = await Promise.all(lab.nodes.map(async (n) => await readlink(`/proc/${n.pid}/ns/net`)))
  t.equal(new Set(namespaces).size, 4, 'four network namespaces of their own')
  t.notOk(namespaces.includes(await readlink('/proc/self/ns/net')), 'none of them is this machine\'s')
  // A service with a task on every node and a container of each engine's own: shims, overlay
  // and cgroups on each node.
  const m1 = lab.nodes.find((n) => n.name === 'm1') as LabNode
  await docker(['service', 'create', '-d', '--mode', 'global', '--name', 'sleeper', '--no-resolve-image', BUSYBOX_IMAGE, 'sleep', '600'], { host: nodeHost(m1) })
  for (const node of lab.nodes) await docker(['run', '-d', BUSYBOX_IMAGE, 'sleep', '600'], { host: nodeHost(node) })
  t.not((await leftovers(name, namespaces)).length, 0, 'the lab is there before down')
  await stopLab(name)
  t.same(await leftovers(name, namespaces), [])
})

t.test('a start that fails half-way leaves nothing behind', async (t) => {
  const name = names[1] as string
  await t.rejects(startLab(name, { images: [`swarmgate-test/no-such-image:${name}`] }), { code: 'SG_ERR_TESTBED_LAB' })
  t.same(await leftovers(name), [])
})
