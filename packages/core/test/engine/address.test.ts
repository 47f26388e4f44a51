import t from 'tap'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { engineAddress } from '../../src/engine/address.js'

t.test('no DOCKER_HOST means the mounted socket', async (t) => {
  t.match(engineAddress(undefined), { kind: 'unix', path: '/var/run/docker.sock' })
  t.match(engineAddress(''), { kind: 'unix', path: '/var/run/docker.sock' })
  t.match(engineAddress('unix:///run/other.sock'), { kind: 'unix', path: '/run/other.sock' })
})

t.test('tcp addresses take the docker CLI default ports', async (t) => {
  t.match(engineAddress('tcp://203.0.113.2'), { kind: 'tcp', host: '203.0.113.2', port: 2375 })
  t.match(engineAddress('tcp://[::1]:2380/'), { kind: 'tcp', host: '::1', port: 2380 })
  const dir = mkdtempSync(join(tmpdir(), 'certs-'))
  for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(dir, f), f)
  t.match(engineAddress('tcp://h', { tlsVerify: true, certPath: dir }), { port: 2376, tls: { ca: 'ca.pem', cert: 'cert.pem', key: 'key.pem' } })
})

t.test('unusable addresses say what to give instead', async (t) => {
  t.throws(() => engineAddress('ssh://me@host'), { code: 'SG_ERR_ENGINE_ADDRESS', message: /mount the engine socket/ })
  t.throws(() => engineAddress('tcp://h', { tlsVerify: true, certPath: '/nonexistent' }), { code: 'SG_ERR_ENGINE_ADDRESS', message: /DOCKER_CERT_PATH/ })
})
