import t from 'tap'
import { containerCreateViolation, containerUpdateViolation, execCreateViolation, hostConfigViolation } from '../../../src/authorization/rules/index.js'
import type { Allowlists } from '../../../src/authorization/policy-document.js'
import { cliBody, decoded, table, type Row } from './bodies.js'

const NONE: Allowlists = { bindSources: [], capabilities: [] }
const SRV_DATA: Allowlists = { bindSources: ['/srv/data'], capabilities: [] }

/** A create body with `hostConfig` (JSON text) as its HostConfig. */
const create = (hostConfig: string): unknown => decoded(`{"Image":"alpine","HostConfig":${hostConfig}}`)

t.test('bodies the docker CLI sends for ordinary runs are allowed', async (t) => {
  table(t, [
    ['run -d --rm -v myvol:/data -p 8080:80 --cap-drop ALL --tmpfs /x --security-opt no-new-privileges', cliBody('container-create-typical'), undefined],
    ['run -i --rm', cliBody('container-create-interactive'), undefined]
  ], (body) => containerCreateViolation(body, NONE))
})

t.test('bodies the docker CLI sends for escapes are refused', async (t) => {
  table<readonly [unknown, Allowlists]>(t, [
    ['run --cap-add NET_ADMIN', [cliBody('container-create-cap-add-net-admin'), NONE], 'no-capability'],
    ['run --cap-add NET_ADMIN, NET_ADMIN allowlisted', [cliBody('container-create-cap-add-net-admin'), { bindSources: [], capabilities: ['net_admin'] }], undefined],
    ['run --privileged -v /etc:/host --pid host', [cliBody('container-create-privileged-bind-pid-host'), NONE], 'no-privileged'],
    ['run --mount bind /srv/data', [cliBody('container-create-mounts'), NONE], 'no-host-bind'],
    ['run --mount bind /srv/data, /srv/data allowlisted', [cliBody('container-create-mounts'), SRV_DATA], undefined]
  ], ([body, allow]) => containerCreateViolation(body, allow))
})

t.test('the deprecated top-level HostConfig fields, and every spelling of a key, are seen', async (t) => {
  table(t, [
    ['top-level Privileged without HostConfig', '{"Image":"x","Privileged":true}', 'no-privileged'],
    ['top-level Privileged beside a harmless HostConfig', '{"Image":"x","HostConfig":{},"Privileged":true}', 'no-privileged'],
    ['top-level Privileged with HostConfig null', '{"Image":"x","HostConfig":null,"Privileged":true}', 'no-privileged'],
    ['top-level Binds', '{"Image":"x","Binds":["/:/host"]}', 'no-host-bind'],
    ['top-level Devices (Resources, two levels down)', '{"Image":"x","Devices":[{"PathOnHost":"/dev/sda"}]}', 'no-devices'],
    ['top-level CapAdd as a single string', '{"Image":"x","CapAdd":"SYS_ADMIN"}', 'no-capability'],
    ['lower-case keys', '{"image":"x","hostconfig":{"privileged":true}}', 'no-privileged'],
    ['upper-case keys', '{"Image":"x","HOSTCONFIG":{"PIDMODE":"host"}}', 'no-host-namespace'],
    ['long s (U+017F) in HostConfig', '{"Image":"x","Hoſtconfig":{"Privileged":true}}', 'no-privileged'],
    ['Kelvin sign (U+212A) in NetworkMode', '{"Image":"x","HostConfig":{"Networ\u212aMode":"host"}}', 'no-host-namespace'],
    ['Kelvin sign in MaskedPaths', '{"Image":"x","HostConfig":{"Mas\u212aedPaths":[]}}', 'no-system-paths'],
    ['\\u escapes in keys', '{"Image":"x","\\u0048ostConfig":{"Privil\\u0065ged":true}}', 'no-privileged'],
    ['upper-case value of a namespace mode', '{"Image":"x","HostConfig":{"IpcMode":"HOST"}}', 'no-host-namespace'],
    ['Privileged false everywhere', '{"Image":"x","Privileged":false,"HostConfig":{"Privileged":false}}', undefined]
  ], (text) => containerCreateViolation(decoded(text), NONE))
})

t.test('a field of an unexpected type is refused, never skipped', async (t) => {
  table(t, [
    ['Privileged: 1', '{"Privileged":1}', 'undecodable-field'],
    ['Privileged: "true"', '{"Privileged":"true"}', 'undecodable-field'],
    ['HostConfig as a string', '"x"', 'undecodable-field'],
    ['HostConfig as a list', '[{"Privileged":true}]', 'undecodable-field'],
    ['Binds as a string', '{"Binds":"/etc:/x"}', 'undecodable-field'],
    ['a null bind', '{"Binds":[null]}', 'undecodable-field'],
    ['CapAdd as a number', '{"CapAdd":5}', 'undecodable-field'],
    ['Sysctls with a number', '{"Sysctls":{"net.core.somaxconn":1024}}', 'undecodable-field'],
    ['Mounts as an object', '{"Mounts":{"Type":"bind"}}', 'undecodable-field'],
    ['a null mount', '{"Mounts":[null]}', 'undecodable-field'],
    ['Devices as a string', '{"Devices":"/dev/sda"}', 'undecodable-field'],
    ['NetworkMode as a list', '{"NetworkMode":["host"]}', 'undecodable-field']
  ], (hostConfig) => containerCreateViolation(create(hostConfig), NONE))
  t.equal(containerCreateViolation(decoded('[]'), NONE)?.rule, 'undecodable-field', 'a body that is a list')
  t.match(containerCreateViolation(create('{"Privileged":1}'), NONE)?.what, /HostConfig.Privileged as a number/)
})

t.test('namespaces: the host\'s and other containers\' are refused', async (t) => {
  const rows: Array<Row<string>> = []
  for (const mode of ['NetworkMode', 'PidMode', 'IpcMode', 'UTSMode', 'UsernsMode', 'CgroupnsMode']) rows.push([`${mode} host`, `{"${mode}":"host"}`, 'no-host-namespace'])
  for (const mode of ['NetworkMode', 'PidMode', 'IpcMode', 'Cgroup']) rows.push([`${mode} container:`, `{"${mode}":"container:db"}`, 'no-container-namespace'])
  rows.push(
    ['NetworkMode default, IpcMode shareable, CgroupnsMode private', '{"NetworkMode":"default","IpcMode":"shareable","CgroupnsMode":"private"}', undefined],
    ['NetworkMode a user network', '{"NetworkMode":"mynet"}', undefined]
  )
  table(t, rows, (hostConfig) => containerCreateViolation(create(hostConfig), NONE))
  t.match(containerCreateViolation(create('{"PidMode":"container:db"}'), NONE)?.what, /privileged/)
  table(t, [
    ['EndpointsConfig naming host', '{"Image":"x","NetworkingConfig":{"EndpointsConfig":{"host":{}}}}', 'no-host-namespace'],
    ['EndpointsConfig naming Host', '{"Image":"x","networkingconfig":{"endpointsconfig":{"Host":{}}}}', 'no-host-namespace'],
    ['EndpointsConfig naming a user network', '{"Image":"x","NetworkingConfig":{"EndpointsConfig":{"mynet":{"Aliases":["a"]}}}}', undefined]
  ], (text) => containerCreateViolation(decoded(text), NONE))
})

t.test('binds: volumes pass, host paths only under an allowlisted source', async (t) => {
  const rows: Array<Row<readonly [string, Allowlists]>> = [
    ['named volume', ['myvol:/data', NONE], undefined],
    ['named volume read-only', ['my_vol.1:/data:ro', NONE], undefined],
    ['anonymous volume', ['/data', NONE], undefined],
    ['host root', ['/:/host', NONE], 'no-host-bind'],
    ['/etc', ['/etc:/x', NONE], 'no-host-bind'],
    ['a relative path', ['./conf:/x', NONE], 'no-host-bind'],
    ['a one-letter name (no valid volume name)', ['a:/x', NONE], 'no-host-bind'],
    ['an empty source', [':/x', NONE], 'no-host-bind'],
    ['allowlisted', ['/srv/data:/x', SRV_DATA], undefined],
    ['under an allowlisted source, read-only', ['/srv/data/app/conf:/x:ro', SRV_DATA], undefined],
    ['allowlisted with a trailing slash', ['/srv/data/:/x', SRV_DATA], undefined],
    ['allowlisted with a double slash', ['//srv//data/sub:/x', SRV_DATA], undefined],
    ['.. out of an allowlisted source', ['/srv/data/../../etc:/x', SRV_DATA], 'no-host-bind'],
    ['.. that stays inside', ['/srv/data/a/../b:/x', SRV_DATA], undefined],
    ['a sibling sharing the prefix', ['/srv/database:/x', SRV_DATA], 'no-host-bind'],
    ['the parent of an allowlisted source', ['/srv:/x', SRV_DATA], 'no-host-bind'],
    ['an allowlist entry with a trailing slash', ['/srv/data/x:/x', { bindSources: ['/srv/data/'], capabilities: [] }], undefined],
    ['an allowlist entry with ..', ['/etc:/x', { bindSources: ['/srv/data/../../etc'], capabilities: [] }], undefined],
    ['a relative allowlist entry matches nothing', ['./srv:/x', { bindSources: ['srv'], capabilities: [] }], 'no-host-bind']
  ]
  table(t, rows, ([bind, allow]) => containerCreateViolation(create(JSON.stringify({ Binds: [bind] })), allow))
})

t.test('mounts: bind under the allowlist, volumes of the local driver, tmpfs', async (t) => {
  const rows: Array<Row<string>> = [
    ['volume, tmpfs', '[{"Type":"volume","Source":"v","Target":"/v"},{"Type":"tmpfs","Target":"/t"}]', undefined],
    ['anonymous volume with the local driver', '[{"Type":"volume","Target":"/v","VolumeOptions":{"DriverConfig":{"Name":"local"}}}]', undefined],
    ['bind /etc', '[{"Type":"bind","Source":"/etc","Target":"/x"}]', 'no-host-bind'],
    ['bind allowlisted', '[{"Type":"bind","Source":"/srv/data/x/","Target":"/x","BindOptions":{"Propagation":"rslave"}}]', undefined],
    ['bind .. out of the allowlist', '[{"type":"bind","source":"/srv/data/..","target":"/x"}]', 'no-host-bind'],
    ['volume with o=bind', '[{"Type":"volume","Source":"v","Target":"/v","VolumeOptions":{"DriverConfig":{"Options":{"type":"none","o":"bind","device":"/"}}}}]', 'no-host-volume'],
    ['volume with a host device', '[{"Type":"volume","Source":"v","Target":"/v","VolumeOptions":{"DriverConfig":{"Options":{"type":"ext4","device":"/dev/sda1"}}}}]', 'no-host-volume'],
    ['volume of a plugin driver', '[{"Type":"volume","Source":"v","Target":"/v","VolumeOptions":{"DriverConfig":{"Name":"rexray"}}}]', 'no-volume-driver'],
    ['volume with a reserved label', '[{"Type":"volume","Source":"v","Target":"/v","VolumeOptions":{"Labels":{"io.swarmgate.kind":"accounts"}}}]', 'swarmgate-reserved'],
    ['npipe', '[{"Type":"npipe","Source":"x","Target":"/x"}]', 'no-mount-type'],
    ['no type', '[{"Source":"/etc","Target":"/x"}]', 'no-mount-type'],
    ['BIND in upper case', '[{"Type":"BIND","Source":"/etc","Target":"/x"}]', 'no-mount-type']
  ]
  table(t, rows, (mounts) => containerCreateViolation(create(`{"Mounts":${mounts}}`), SRV_DATA))
})

t.test('volumes-from, volume drivers, capabilities, devices', async (t) => {
  table(t, [
    ['VolumesFrom', '{"VolumesFrom":["db:ro"]}', 'no-volumes-from'],
    ['VolumesFrom empty', '{"VolumesFrom":[]}', undefined],
    ['VolumeDriver of a plugin', '{"VolumeDriver":"convoy"}', 'no-volume-driver'],
    ['VolumeDriver local', '{"VolumeDriver":"local"}', undefined],
    ['CapAdd SYS_ADMIN', '{"CapAdd":["SYS_ADMIN"]}', 'no-capability'],
    ['CapAdd cap_sys_admin', '{"CapAdd":["cap_sys_admin"]}', 'no-capability'],
    ['CapAdd with a long s (Go upper-cases it to SYS_ADMIN)', '{"CapAdd":["CAP_ſYS_ADMIN"]}', 'no-capability'],
    ['CapAdd ALL', '{"CapAdd":["all"]}', 'no-capability'],
    ['CapAdd of default capabilities', '{"CapAdd":["chown","CAP_NET_RAW","ſetuid"]}', undefined],
    ['CapDrop ALL', '{"CapDrop":"ALL"}', undefined],
    ['Capabilities (full set)', '{"Capabilities":["CAP_CHOWN"]}', 'no-capability'],
    ['Devices', '{"Devices":[{"PathOnHost":"/dev/mem","PathInContainer":"/dev/mem","CgroupPermissions":"rwm"}]}', 'no-devices'],
    ['DeviceRequests', '{"DeviceRequests":[{"Driver":"nvidia","Count":-1}]}', 'no-devices'],
    ['DeviceCgroupRules', '{"DeviceCgroupRules":["a *:* rwm"]}', 'no-devices'],
    ['Devices empty', '{"Devices":[],"DeviceRequests":null}', undefined]
  ], (hostConfig) => containerCreateViolation(create(hostConfig), NONE))
})

t.test('security options, system paths, runtime, cgroup parent, sysctls, log drivers', async (t) => {
  const opt = (o: string): string => JSON.stringify({ SecurityOpt: [o] })
  table(t, [
    ['no-new-privileges', opt('no-new-privileges'), undefined],
    ['no-new-privileges=true', opt('no-new-privileges=true'), undefined],
    ['no-new-privileges:false', opt('no-new-privileges:false'), undefined],
    ['apparmor=docker-default', opt('apparmor=docker-default'), undefined],
    ['seccomp=unconfined', opt('seccomp=unconfined'), 'no-security-opt'],
    ['a custom seccomp profile', opt('seccomp={"defaultAction":"SCMP_ACT_ALLOW"}'), 'no-security-opt'],
    ['apparmor=unconfined', opt('apparmor=unconfined'), 'no-security-opt'],
    ['apparmor=docker-default=x', opt('apparmor=docker-default=x'), 'no-security-opt'],
    ['label=disable', opt('label=disable'), 'no-security-opt'],
    ['label:type:spc_t (old separator)', opt('label:type:spc_t'), 'no-security-opt'],
    ['disable (bare)', opt('disable'), 'no-security-opt'],
    ['systempaths=unconfined', opt('systempaths=unconfined'), 'no-security-opt'],
    ['MaskedPaths empty', '{"MaskedPaths":[]}', 'no-system-paths'],
    ['ReadonlyPaths empty', '{"ReadonlyPaths":[]}', 'no-system-paths'],
    ['MaskedPaths null', '{"MaskedPaths":null,"ReadonlyPaths":null}', undefined],
    ['Runtime runc', '{"Runtime":"runc"}', undefined],
    ['Runtime kata', '{"Runtime":"kata-runtime"}', 'no-runtime'],
    ['CgroupParent', '{"CgroupParent":"/"}', 'no-cgroup-parent'],
    ['Sysctls (namespaced; the engine validates them)', '{"Sysctls":{"net.ipv4.ip_forward":"1"}}', undefined],
    ['LogConfig json-file', '{"LogConfig":{"Type":"json-file","Config":{"max-size":"1m"}}}', undefined],
    ['LogConfig syslog', '{"LogConfig":{"Type":"syslog","Config":{"syslog-address":"unix:///var/run/docker.sock"}}}', 'no-log-driver'],
    ['LogConfig gelf', '{"LogConfig":{"Type":"gelf"}}', 'no-log-driver']
  ], (hostConfig) => containerCreateViolation(create(hostConfig), NONE))
})

t.test('an inspected container\'s HostConfig is checked the same way', async (t) => {
  table(t, [
    ['a plain container', { Binds: ['vol:/v'], NetworkMode: 'bridge', Privileged: false }, undefined],
    ['a privileged container', { Privileged: true }, 'no-privileged'],
    ['a container in the host\'s PID namespace', { PidMode: 'host' }, 'no-host-namespace']
  ], (hostConfig) => hostConfigViolation(hostConfig, NONE))
})

t.test('container update and exec create', async (t) => {
  table(t, [
    ['docker update --memory --cpus', cliBody('container-update'), undefined],
    ['update adding a device', decoded('{"Devices":[{"PathOnHost":"/dev/sda"}]}'), 'no-devices'],
    ['update moving the cgroup', decoded('{"cgroupparent":"/system.slice"}'), 'no-cgroup-parent'],
    ['update with Devices as a string', decoded('{"Devices":"x"}'), 'undecodable-field']
  ], (body) => containerUpdateViolation(body, NONE))
  table(t, [
    ['docker exec --privileged', cliBody('exec-create-privileged'), 'no-privileged'],
    ['docker exec', decoded('{"Privileged":false,"Cmd":["sh"]}'), undefined],
    ['privileged in lower case', decoded('{"privileged":true}'), 'no-privileged'],
    ['Privileged as a string', decoded('{"Privileged":"yes"}'), 'undecodable-field']
  ], execCreateViolation)
})
