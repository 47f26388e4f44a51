import t from 'tap'
import { volumeCreateViolation } from '../../../src/authorization/rules/index.js'
import { cliBody, decoded, table } from './bodies.js'

t.test('volumes of the local driver that mount nothing of the host\'s', async (t) => {
  table(t, [
    ['docker volume create --opt type=none --opt o=bind --opt device=/', cliBody('volume-create-bind'), 'no-host-volume'],
    ['a plain volume', decoded('{"Name":"data","Driver":"local","DriverOpts":{},"Labels":{"a":"b"}}'), undefined],
    ['no driver named', decoded('{"Name":"data"}'), undefined],
    ['tmpfs', decoded('{"DriverOpts":{"type":"tmpfs","device":"tmpfs","o":"size=100m,uid=1000"}}'), undefined],
    ['nfs', decoded('{"DriverOpts":{"type":"nfs","o":"addr=192.0.2.1,rw","device":":/exports"}}'), undefined],
    ['cifs', decoded('{"DriverOpts":{"type":"cifs","o":"addr=192.0.2.2","device":"//192.0.2.2/share"}}'), undefined],
    ['nfs with bind among the options', decoded('{"DriverOpts":{"type":"nfs","o":"rw, BIND","device":"/"}}'), 'no-host-volume'],
    ['remount', decoded('{"DriverOpts":{"type":"tmpfs","o":"remount","device":"/"}}'), 'no-host-volume'],
    ['ext4 on a host disk', decoded('{"DriverOpts":{"type":"ext4","device":"/dev/sda1"}}'), 'no-host-volume'],
    ['overlay over host paths', decoded('{"DriverOpts":{"type":"overlay","o":"lowerdir=/etc","device":"overlay"}}'), 'no-host-volume'],
    ['a device without a type', decoded('{"DriverOpts":{"device":"/dev/sda1"}}'), 'no-host-volume'],
    ['upper-case option keys', decoded('{"DriverOpts":{"TYPE":"none","O":"bind","DEVICE":"/"}}'), 'no-host-volume'],
    ['size only', decoded('{"DriverOpts":{"size":"10G"}}'), undefined],
    ['a plugin driver', decoded('{"Driver":"rexray/ebs"}'), 'no-volume-driver'],
    ['DriverOpts with a number', decoded('{"DriverOpts":{"size":10}}'), 'undecodable-field']
  ], volumeCreateViolation)
})
