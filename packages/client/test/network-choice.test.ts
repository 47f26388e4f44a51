import t from 'tap'
import { defaultNetwork } from '../src/network-choice.js'

// /info as engines of each kind answer it (the fields read); none of these engines can run here.
const LINUX = { OSType: 'linux', OperatingSystem: 'Debian GNU/Linux 12 (bookworm)', KernelVersion: '6.1.0-18-amd64', SecurityOptions: ['name=apparmor', 'name=seccomp,profile=default', 'name=cgroupns'] }

t.test('a Linux engine on this machine: the host network', async (t) => {
  t.equal(defaultNetwork(LINUX).hostNetwork, true)
  t.equal(defaultNetwork({ ...LINUX, SecurityOptions: null }).hostNetwork, true, 'an engine that lists no security options')
})

t.test('engines whose host network is not the machine\'s keep the published port', async (t) => {
  const cases: Array<[string, Parameters<typeof defaultNetwork>[0]]> = [
    ['Docker Desktop', { ...LINUX, OperatingSystem: 'Docker Desktop', KernelVersion: '6.10.14-linuxkit' }],
    ['a LinuxKit VM by another name', { ...LINUX, OperatingSystem: 'Alpine', KernelVersion: '5.15.49-linuxkit' }],
    ['rootless', { ...LINUX, SecurityOptions: ['name=seccomp,profile=builtin', 'name=rootless', 'name=cgroupns'] }],
    ['user namespaces remapped', { ...LINUX, SecurityOptions: ['name=seccomp,profile=default', 'name=userns'] }],
    ['Windows containers', { ...LINUX, OSType: 'windows' }],
    ['an engine that does not say', {}]
  ]
  for (const [name, info] of cases) {
    const choice = defaultNetwork(info)
    t.equal(choice.hostNetwork, false, name)
    t.not(choice.reason, '', `${name}: says why`)
  }
})
