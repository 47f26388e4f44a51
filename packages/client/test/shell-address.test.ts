import t from 'tap'
import { shellAddress } from '../src/shell-address.js'

t.test('a local engine gets the loopback address as is', async (t) => {
  for (const host of [undefined, '', 'unix:///var/run/docker.sock', 'tcp://127.0.0.1:2375', 'tcp://localhost:2375', 'tcp://[::1]:2375']) {
    t.same(shellAddress(host, 32768), { host: 'tcp://127.0.0.1:32768', exportLine: 'export DOCKER_HOST=tcp://127.0.0.1:32768' }, String(host))
  }
})

t.test('a remote engine gets the line plus how to forward the port', async (t) => {
  const ssh = shellAddress('ssh://me@build.example', 40000)
  t.equal(ssh.exportLine, 'export DOCKER_HOST=tcp://127.0.0.1:40000')
  t.match(ssh.note, /ssh -fNL 40000:127\.0\.0\.1:40000 me@build\.example/)
  t.match(shellAddress('tcp://10.1.2.3:2376', 40000).note, /runs on 10\.1\.2\.3.*ssh -fNL 40000:127\.0\.0\.1:40000 10\.1\.2\.3/)
})
