import t from 'tap'
import { StreamTail } from '../src/stream-tail.js'

const headers = (type: string): Buffer[] => [Buffer.from('Content-Type'), Buffer.from(type)]
const frame = (stream: number, text: string): Buffer => {
  const header = Buffer.alloc(8)
  header[0] = stream
  header.writeUInt32BE(Buffer.byteLength(text), 4)
  return Buffer.concat([header, Buffer.from(text)])
}

t.test('a multiplexed log stream ends with a frame on the daemon\'s error stream, between frames only', async (t) => {
  const tail = new StreamTail('/v1.41/containers/c/logs?follow=1&stdout=1')
  tail.headers(headers('application/vnd.docker.raw-stream'))
  t.equal(tail.words('gone'), undefined, 'API 1.41 raw-stream: nothing before the first bytes tell whether it is multiplexed')
  const two = Buffer.concat([frame(1, 'tick\n'), frame(2, 'tock\n')])
  tail.data(two.subarray(0, 11))
  t.equal(tail.words('gone'), undefined, 'not in the middle of a frame')
  tail.data(two.subarray(11))
  t.same(tail.words('gone'), frame(3, 'gone'), 'a Systemerr frame once the frames are whole (the CLI prints "error from daemon in stream: gone")')
})

t.test('Docker 20.10 names no Content-Type for logs: the first frame tells', async (t) => {
  const tail = new StreamTail('/v1.41/containers/c/logs?follow=1&stdout=1')
  tail.headers([Buffer.from('Transfer-Encoding'), Buffer.from('chunked')])
  tail.data(frame(1, 'tick\n'))
  t.same(tail.words('gone'), frame(3, 'gone'))
})

t.test('API 1.42 names a multiplexed stream', async (t) => {
  const tail = new StreamTail('/v1.43/containers/c/attach?stream=1')
  tail.headers(headers('application/vnd.docker.multiplexed-stream'))
  t.same(tail.words('gone'), frame(3, 'gone'))
})

t.test('terminal output (a container with a TTY) ends with a line of text', async (t) => {
  const tail = new StreamTail('/v1.41/containers/c/logs?follow=1')
  tail.headers(headers('application/vnd.docker.raw-stream'))
  tail.data(Buffer.from('$ ls -l\r\ntotal 0\r\n'))
  t.equal(tail.words('gone')?.toString(), '\r\ngone\r\n')
})

t.test('API 1.42 names terminal output raw-stream', async (t) => {
  for (const path of ['/v1.43/containers/c/logs?follow=1', '/containers/c/logs?follow=1']) {
    const tail = new StreamTail(path)
    tail.headers(headers('application/vnd.docker.raw-stream'))
    t.equal(tail.ttyQuestion(), undefined, `${path}: nothing to ask`)
    t.equal(tail.words('gone')?.toString(), '\r\ngone\r\n', `${path}: a line before any output`)
  }
})

t.test('Docker 20.10: a followed logs stream quiet since its head asks the container whether it has a TTY', async (t) => {
  const quiet = (): StreamTail => {
    const tail = new StreamTail('/v1.41/containers/c1/logs?follow=1&stdout=1&stderr=1&tail=all')
    tail.headers([Buffer.from('Transfer-Encoding'), Buffer.from('chunked')])
    return tail
  }
  const noTty = quiet()
  t.equal(noTty.words('gone'), undefined, 'no words while nothing tells what the stream is')
  t.equal(noTty.ttyQuestion(), '/v1.41/containers/c1/json', 'the question: the container\'s inspect, at the same API version')
  noTty.tty(false)
  t.same(noTty.words('gone'), frame(3, 'gone'), 'no TTY: a Systemerr frame')
  t.equal(noTty.ttyQuestion(), undefined, 'asked once')

  const withTty = quiet()
  withTty.tty(true)
  t.equal(withTty.words('gone')?.toString(), '\r\ngone\r\n', 'a TTY: a line of text')

  const late = quiet()
  late.data(Buffer.from('$ ls -l\r\n'))
  late.tty(false)
  t.equal(late.words('gone')?.toString(), '\r\ngone\r\n', 'the bytes that came before the answer decide')

  const once = new StreamTail('/v1.41/containers/c1/logs?stdout=1')
  once.headers([])
  t.equal(once.ttyQuestion(), undefined, 'logs not followed end by themselves: nothing to ask')
})

t.test('a progress stream ends with a JSON error message, after a whole line only', async (t) => {
  const tail = new StreamTail('/v1.41/images/create?fromImage=busybox&tag=latest')
  tail.headers(headers('application/json'))
  tail.data(Buffer.from('{"status":"Pulling fs layer","id":"a"}\r\n{"status":"Downl'))
  t.equal(tail.words('gone'), undefined, 'not in the middle of a message')
  tail.data(Buffer.from('oading","id":"a"}\r\n'))
  t.same(JSON.parse(tail.words('gone')?.toString() ?? ''), { errorDetail: { message: 'gone' }, error: 'gone' })
})

t.test('events and other JSON answers are left alone', async (t) => {
  for (const path of ['/v1.41/events', '/v1.41/containers/json']) {
    const tail = new StreamTail(path)
    tail.headers(headers('application/json'))
    tail.data(Buffer.from('{}\n'))
    t.equal(tail.words('gone'), undefined, path)
  }
})
