import t from 'tap'
import { networkCreateViolation } from '../../../src/authorization/rules/index.js'
import { cliBody, decoded, table } from './bodies.js'

t.test('bridge and overlay networks, without host interfaces or plugins', async (t) => {
  table(t, [
    ['docker network create -d bridge --label a=b', cliBody('network-create'), undefined],
    ['overlay, attachable', decoded('{"Name":"o","Driver":"overlay","Attachable":true}'), undefined],
    ['no driver', decoded('{"Name":"n"}'), undefined],
    ['macvlan', decoded('{"Name":"m","Driver":"macvlan","Options":{"parent":"eth0"}}'), 'no-network-driver'],
    ['ipvlan', decoded('{"Name":"i","driver":"ipvlan"}'), 'no-network-driver'],
    ['host', decoded('{"Name":"h","Driver":"host"}'), 'no-network-driver'],
    ['Bridge in another case (a plugin lookup)', decoded('{"Name":"b","Driver":"Bridge"}'), 'no-network-driver'],
    ['a bridge named after a host interface', decoded('{"Name":"b","Driver":"bridge","Options":{"com.docker.network.bridge.name":"eth0"}}'), 'no-host-interface'],
    ['a bridge with an MTU', decoded('{"Name":"b","Driver":"bridge","Options":{"com.docker.network.driver.mtu":"1400"}}'), undefined],
    ['an IPAM plugin', decoded('{"Name":"b","IPAM":{"Driver":"infoblox"}}'), 'no-network-driver'],
    ['an ingress network', decoded('{"Name":"ing","Driver":"overlay","Ingress":true}'), 'no-ingress-network'],
    ['Ingress as a string', decoded('{"Name":"ing","Ingress":"true"}'), 'undecodable-field']
  ], networkCreateViolation)
})
