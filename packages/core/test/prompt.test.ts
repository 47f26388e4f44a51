import t from 'tap'
import { PassThrough, Readable, Writable } from 'node:stream'
import { Prompter, readPasswordFromStdin } from '../src/prompt.js'

/** A fake terminal: what is typed goes in, what the program writes is collected. */
function terminal (): { input: PassThrough & { isTTY: boolean, setRawMode: (m: boolean) => void, raw: boolean[] }, output: Writable, written: () => string } {
  const input = Object.assign(new PassThrough(), { isTTY: true, raw: [] as boolean[], setRawMode (m: boolean) { input.raw.push(m) } })
  let text = ''
  const output = new Writable({ write (chunk: Buffer, _enc, done) { text += chunk.toString(); done() } })
  return { input, output, written: () => text }
}

t.test('answers are echoed, passwords are not, defaults fill empty answers', async (t) => {
  const term = terminal()
  const p = new Prompter(term.input, term.output)
  t.ok(p.interactive)
  const user = p.ask('Username', { flag: '--username' })
  term.input.write('alx\u007fice\r')
  t.equal(await user, 'alice')
  const pass = p.secret('Password', { flag: '--password-stdin' })
  term.input.write('s3cret words\r')
  t.equal(await pass, 's3cret words')
  const name = p.ask('Enter name for the new cluster', { flag: '--name', default: 'alice/abc' })
  term.input.write('\r')
  t.equal(await name, 'alice/abc')
  t.equal(term.written(), 'Username: alx\b \bice\nPassword: \nEnter name for the new cluster [alice/abc]: \n')
  t.same(term.input.raw, [true, false, true, false, true, false], 'raw mode is always switched back off')
})

t.test('text typed ahead in one chunk answers the following questions', async (t) => {
  const term = terminal()
  const p = new Prompter(term.input, term.output)
  term.input.write('bob\r\npassword1\ryes\n')
  t.equal(await p.ask('Username', { flag: '--username' }), 'bob')
  t.equal(await p.secret('Password', { flag: '--password-stdin' }), 'password1')
  t.equal(await p.confirm('Remove?', { flag: '--yes' }), true)
})

t.test('ctrl-c interrupts', async (t) => {
  const term = terminal()
  const p = new Prompter(term.input, term.output)
  const q = p.ask('Username', { flag: '--username' })
  term.input.write('al\u0003')
  await t.rejects(q, { code: 'SG_ERR_PROMPT_INTERRUPTED' })
})

t.test('without a terminal the question fails naming the flag', async (t) => {
  const p = new Prompter(Readable.from([]), new PassThrough())
  t.notOk(p.interactive)
  await t.rejects(p.ask('Username', { flag: '--username (or SWARMGATE_USERNAME)' }), { code: 'SG_ERR_PROMPT_NO_TERMINAL', message: /pass --username \(or SWARMGATE_USERNAME\)/ })
})

t.test('--password-stdin takes everything but the final line break', async (t) => {
  t.equal(await readPasswordFromStdin(Readable.from(['pass word\n'])), 'pass word')
  t.equal(await readPasswordFromStdin(Readable.from(['a\nb\r\n'])), 'a\nb')
  await t.rejects(readPasswordFromStdin(Readable.from([])), { code: 'SG_ERR_PROMPT_NO_PASSWORD' })
})
