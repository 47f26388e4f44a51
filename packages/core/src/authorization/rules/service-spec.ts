/**
 * Service specs (POST /services/create, POST /services/{id}/update): what a task's container gets
 * on whichever node runs it. Swarmkit resolves a secret or config reference by its exact ID and
 * checks the name too (controlapi checkSecretExistence), and the engine resolves a network target
 * by full ID, then name, then ID prefix (daemon/cluster getNetwork), falling back to the local
 * predefined networks (host): each reference is matched the same ways here.
 */
import type { Allowlists } from '../policy-document.js'
import type { Facts } from '../types.js'
import { capAddViolation } from './capabilities.js'
import { logDriverViolation } from './container-config.js'
import { Doc } from './fields.js'
import { mountsViolation } from './mounts.js'
import { reservedName } from './reserved.js'
import { checked, type Violation } from './violation.js'

export type SwarmObjects = NonNullable<Facts['swarmObjects']>

const SWARMGATE_SECRET: Violation = { rule: 'swarmgate-object', what: "give services swarmgate's own secrets or configs" }

/** The spec of a created or updated service. */
export const serviceSpecViolation = checked((spec: unknown, allow: Allowlists, swarm: SwarmObjects): Violation | undefined => {
  const service = Doc.of(spec, '')
  const task = service.object('TaskTemplate')
  const runtime = task.string('Runtime') ?? ''
  if ((runtime !== '' && runtime !== 'container') || task.has('PluginSpec')) {
    return { rule: 'no-plugin', what: `run tasks that are not containers (TaskTemplate.Runtime ${JSON.stringify(runtime)}, PluginSpec: plugins run with the host's privileges)` }
  }
  const container = task.object('ContainerSpec')
  return privilegesViolation(container.object('Privileges')) ??
    mountsViolation(container.objects('Mounts'), allow) ??
    capAddViolation(container.strings('CapabilityAdd'), allow, container.at('CapabilityAdd')) ??
    typesOnly(container) ??
    networksViolation([...task.objects('Networks'), ...service.objects('Networks')], swarm) ??
    referencesViolation(container.objects('Secrets'), 'SecretID', 'SecretName', swarm) ??
    referencesViolation(container.objects('Configs'), 'ConfigID', 'ConfigName', swarm) ??
    logDriverViolation(task.object('LogDriver').string('Name'), task.at('LogDriver.Name'))
})

/**
 * ContainerSpec.Privileges: SELinux (any setting: `Disable`, or a type such as spc_t), and from
 * API 1.44 Seccomp and AppArmor modes other than default. NoNewPrivileges only confines more.
 */
function privilegesViolation (privileges: Doc): Violation | undefined {
  const selinux = privileges.object('SELinuxContext')
  if (selinux.bool('Disable') || ['User', 'Role', 'Type', 'Level'].some((name) => (selinux.string(name) ?? '') !== '')) {
    return { rule: 'no-security-opt', what: `set the SELinux labelling of service tasks (${selinux.path})` }
  }
  const seccomp = privileges.object('Seccomp')
  if (!defaultMode(seccomp.string('Mode')) || seccomp.has('Profile')) {
    return { rule: 'no-security-opt', what: `switch off or replace the seccomp profile of service tasks (${seccomp.path})` }
  }
  const apparmor = privileges.object('AppArmor')
  if (!defaultMode(apparmor.string('Mode'))) return { rule: 'no-security-opt', what: `switch off AppArmor for service tasks (${apparmor.path})` }
  privileges.bool('NoNewPrivileges')
  return undefined
}

function defaultMode (mode: string | undefined): boolean {
  return mode === undefined || mode === '' || mode === 'default'
}

/** Fields checked for their type only: dropping capabilities confines more, sysctls are namespaced and validated by the engine. */
function typesOnly (container: Doc): undefined {
  container.strings('CapabilityDrop')
  container.stringMap('Sysctls')
  return undefined
}

/** Network attachments (TaskTemplate.Networks, and the deprecated Spec.Networks the engine falls back to). */
function networksViolation (networks: readonly Doc[], swarm: SwarmObjects): Violation | undefined {
  for (const network of networks) {
    const target = (network.string('Target') ?? '').toLowerCase()
    const prefixOf = (id: string): boolean => target !== '' && id.toLowerCase().startsWith(target)
    if (target === 'host' || (swarm.hostNetworkId !== undefined && prefixOf(swarm.hostNetworkId))) {
      return { rule: 'no-host-namespace', what: `attach services to the host's network (${network.at('Target')})` }
    }
    if (reservedName(target) || [...swarm.protectedNames].some((name) => name.toLowerCase() === target) || [...swarm.protectedIds].some(prefixOf)) {
      return { rule: 'swarmgate-object', what: `attach services to swarmgate's own networks (${network.at('Target')})` }
    }
  }
  return undefined
}

/** Secret or config references naming one of swarmgate's, by ID or by name (swarmkit wants both to match). */
function referencesViolation (references: readonly Doc[], idField: string, nameField: string, swarm: SwarmObjects): Violation | undefined {
  for (const reference of references) {
    const id = reference.string(idField)
    const name = reference.string(nameField)
    if (id !== undefined && swarm.protectedIds.has(id)) return SWARMGATE_SECRET
    if (name !== undefined && (swarm.protectedNames.has(name) || reservedName(name))) return SWARMGATE_SECRET
  }
  return undefined
}
