import t from 'tap'
import { serviceSpecViolation, type SwarmObjects } from '../../../src/authorization/rules/index.js'
import type { Allowlists } from '../../../src/authorization/policy-document.js'
import { cliBody, decoded, table } from './bodies.js'

const NONE: Allowlists = { bindSources: [], capabilities: [] }
const HOST_ID = 'a1b2c3d4e5f6a7b8c9d0e1f2a'
const SWARM: SwarmObjects = {
  protectedIds: new Set(['sgaccounts0000000000000001', 'sgnetwork00000000000000001']),
  protectedNames: new Set(['swarmgate-accounts-v3']),
  hostNetworkId: HOST_ID
}

/** A spec whose ContainerSpec is `containerSpec` (JSON text), with `extra` task and spec fields. */
const spec = (containerSpec: string, task = '', top = ''): unknown =>
  decoded(`{"Name":"web",${top}"TaskTemplate":{${task}"ContainerSpec":${containerSpec}}}`)

t.test('docker service create with -p, a volume mount and a sysctl; --cap-add NET_ADMIN only when allowlisted', async (t) => {
  const body = cliBody('service-create')
  t.equal(serviceSpecViolation(body, NONE, SWARM)?.rule, 'no-capability')
  t.equal(serviceSpecViolation(body, { bindSources: [], capabilities: ['NET_ADMIN'] }, SWARM), undefined)
})

t.test('container spec: mounts, privileges, capabilities', async (t) => {
  table(t, [
    ['an image only', '{"Image":"nginx"}', undefined],
    ['bind /etc', '{"Image":"x","Mounts":[{"Type":"bind","Source":"/etc","Target":"/x"}]}', 'no-host-bind'],
    ['bind allowlisted', '{"Image":"x","Mounts":[{"Type":"bind","Source":"/srv/data/site","Target":"/x","ReadOnly":true}]}', undefined],
    ['volume with o=rbind', '{"Image":"x","Mounts":[{"Type":"volume","Source":"v","Target":"/v","VolumeOptions":{"DriverConfig":{"Name":"local","Options":{"type":"nfs","o":"addr=192.0.2.1,rbind","device":":/"}}}}]}', 'no-host-volume'],
    ['SELinux disabled', '{"Image":"x","Privileges":{"SELinuxContext":{"Disable":true}}}', 'no-security-opt'],
    ['SELinux type spc_t', '{"Image":"x","Privileges":{"SELinuxContext":{"Type":"spc_t"}}}', 'no-security-opt'],
    ['seccomp unconfined (API 1.44)', '{"Image":"x","Privileges":{"Seccomp":{"Mode":"unconfined"}}}', 'no-security-opt'],
    ['seccomp custom profile', '{"Image":"x","Privileges":{"Seccomp":{"Mode":"custom","Profile":"e30="}}}', 'no-security-opt'],
    ['AppArmor disabled', '{"Image":"x","privileges":{"apparmor":{"mode":"disabled"}}}', 'no-security-opt'],
    ['default modes and no-new-privileges off', '{"Image":"x","Privileges":{"Seccomp":{"Mode":"default"},"AppArmor":{"Mode":"default"},"NoNewPrivileges":false,"CredentialSpec":null}}', undefined],
    ['CapabilityAdd ALL', '{"Image":"x","CapabilityAdd":["ALL"]}', 'no-capability'],
    ['capabilityadd in lower case', '{"Image":"x","capabilityadd":["CAP_SYS_PTRACE"]}', 'no-capability'],
    ['a look-alike key Go does not match (Cyrillic у)', '{"Image":"x","Capabilit\u0443Add":["CAP_SYS_PTRACE"]}', undefined],
    ['CapabilityDrop ALL', '{"Image":"x","CapabilityDrop":["ALL"]}', undefined],
    ['CapabilityAdd as a string ([]string, not a StrSlice)', '{"Image":"x","CapabilityAdd":"CAP_CHOWN"}', 'undecodable-field'],
    ['Sysctls', '{"Image":"x","Sysctls":{"net.core.somaxconn":"1024"}}', undefined],
    ['ContainerSpec as a list', '[]', 'undecodable-field']
  ], (containerSpec) => serviceSpecViolation(spec(containerSpec), { bindSources: ['/srv/data'], capabilities: [] }, SWARM))
})

t.test('runtimes other than containers are plugins', async (t) => {
  table(t, [
    ['Runtime plugin', '"Runtime":"plugin","PluginSpec":{"Name":"x"},', 'no-plugin'],
    ['PluginSpec alone', '"pluginspec":{"Remote":"evil/plugin"},', 'no-plugin'],
    ['Runtime attachment', '"Runtime":"attachment",', 'no-plugin'],
    ['Runtime container', '"Runtime":"container",', undefined],
    ['LogDriver syslog', '"LogDriver":{"Name":"syslog","Options":{"syslog-address":"tcp://127.0.0.1:2375"}},', 'no-log-driver'],
    ['LogDriver json-file', '"LogDriver":{"Name":"json-file"},', undefined]
  ], (task) => serviceSpecViolation(spec('{"Image":"x"}', task), NONE, SWARM))
})

t.test('networks: never the host\'s or swarmgate\'s, by name, full ID or ID prefix', async (t) => {
  const net = (target: string): string => `"Networks":[{"Target":${JSON.stringify(target)}}],`
  table(t, [
    ['a user network by ID', [net('q9z8y7x6w5v4u3t2s1r0p9o8n'), ''], undefined],
    ['host by name', [net('host'), ''], 'no-host-namespace'],
    ['HOST by name', [net('HOST'), ''], 'no-host-namespace'],
    ['the host network by full ID', [net(HOST_ID), ''], 'no-host-namespace'],
    ['the host network by ID prefix', [net('a1b2c3'), ''], 'no-host-namespace'],
    ['host in the deprecated Spec.Networks', ['', net('host')], 'no-host-namespace'],
    ['swarmgate\'s network by name', [net('swarmgate-server-proxy-network'), ''], 'swarmgate-object'],
    ['swarmgate\'s network by ID prefix', [net('sgnetwork'), ''], 'swarmgate-object']
  ], ([task, top]) => serviceSpecViolation(spec('{"Image":"x"}', task, top), NONE, SWARM))
})

t.test('secrets and configs: never swarmgate\'s, by ID or by name', async (t) => {
  const ref = (kind: string, id: string, name: string): string => `{"Image":"x","${kind}s":[{"File":{"Name":"f"},"${kind}ID":"${id}","${kind}Name":"${name}"}]}`
  table(t, [
    ['a user secret', ref('Secret', 'u1', 'db-password'), undefined],
    ['swarmgate\'s accounts secret by ID', ref('Secret', 'sgaccounts0000000000000001', 'x'), 'swarmgate-object'],
    ['swarmgate\'s accounts secret by name', ref('Secret', 'x', 'swarmgate-accounts-v3'), 'swarmgate-object'],
    ['a name under swarmgate\'s prefix', ref('Secret', 'x', 'swarmgate-signing-keys-v9'), 'swarmgate-object'],
    ['a user config', ref('Config', 'c1', 'nginx.conf'), undefined],
    ['swarmgate\'s config by ID', ref('Config', 'sgaccounts0000000000000001', 'x'), 'swarmgate-object'],
    ['a secret reference as a string', '{"Image":"x","Secrets":["swarmgate-accounts-v3"]}', 'undecodable-field']
  ], (containerSpec) => serviceSpecViolation(spec(containerSpec), NONE, SWARM))
})
