/**
 * The faults issue 13's failover cases are made of, caused on a lab node from this machine: its
 * dockerd killed (SIGKILL; the node, its containers and server-proxy's task stay up, as on a
 * machine whose engine crashed: scripts/lab.sh keeps pid 1 of such a node), and its network link
 * cut (its veth on the lab's bridge set down, so packets to and from it vanish, as with a machine
 * powered off or unplugged) and put back.
 */
import { readFile } from 'node:fs/promises'
import { run, runDocker, testbedErrors as errors, waitFor } from '../testbed/index.js'
import { nodeHost, type Lab, type LabNode } from '../testbed/lab/index.js'

async function children (pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '')
  return text.split(/\s+/).filter((p) => p !== '').map(Number)
}

async function comm (pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim()
}

/** The pid, on this machine, of `node`'s dockerd: a child of the node's pid 1, itself the child of node.pid (unshare). */
async function dockerdPid (node: LabNode): Promise<number | undefined> {
  for (const init of await children(node.pid)) {
    for (const pid of await children(init)) if (await comm(pid) === 'dockerd') return pid
  }
  return undefined
}

/** Kills `node`'s dockerd with SIGKILL and waits until its socket no longer answers; its containers keep running. */
export async function killEngine (node: LabNode): Promise<void> {
  const pid = await dockerdPid(node)
  if (pid === undefined) throw errors.SG_ERR_TESTBED_LAB(`${node.name} has no dockerd running (under pid ${node.pid})`)
  process.kill(pid, 'SIGKILL')
  await waitFor(`${node.name}'s engine to stop answering`, async () => {
    const r = await runDocker(['version', '--format', '{{.Server.Version}}'], { host: nodeHost(node), timeoutMs: 5_000 })
    return r.code !== 0 ? true : undefined
  }, { timeoutMs: 15_000, intervalMs: 100 })
  // The node itself stays: its pid 1 holds its namespaces while its containers run on.
  if ((await children(node.pid)).length === 0) throw errors.SG_ERR_TESTBED_LAB(`${node.name} went down with its dockerd (scripts/lab.sh should keep its pid 1 up)`)
}

/** The host side of `node`'s veth on the lab's bridge (scripts/lab.sh names it sgl-LAB-NODE). */
function veth (lab: Lab, node: LabNode): string {
  return `${lab.bridge}-${node.name}`
}

async function setLink (lab: Lab, node: LabNode, state: 'up' | 'down'): Promise<void> {
  const r = await run('ip', ['link', 'set', veth(lab, node), state])
  if (r.code !== 0) throw errors.SG_ERR_TESTBED_LAB(`ip link set ${veth(lab, node)} ${state} failed: ${r.stderr.trim()}`)
}

/** Cuts `node` off the lab's network: packets to and from it vanish, nothing is refused. */
export async function cutLink (lab: Lab, node: LabNode): Promise<void> {
  await setLink(lab, node, 'down')
}

/** Puts `node` back on the lab's network. */
export async function restoreLink (lab: Lab, node: LabNode): Promise<void> {
  await setLink(lab, node, 'up')
}
