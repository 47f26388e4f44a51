/**
 * A real terminal for `docker run -it`, `exec -it` and `attach`: a detached tmux session of a
 * fixed size on a tmux server of this test process's own, driven with send-keys and read with
 * capture-pane. The command runs under `sh -c '...; echo "[exit $?]"; sleep'` so its exit status
 * shows on the screen and the pane stays readable after the command ended.
 */
import { runChecked, run } from '../testbed/process.js'
import { setTimeout as sleep } from 'node:timers/promises'

const SERVER = `swarmgate-test-${process.pid}`
let counter = 0

/**
 * Runs tmux on this test process's own server. A session started just as the last one's server is
 * exiting meets "server exited unexpectedly" (seen on a loaded machine): started once more then.
 */
export async function tmux (args: readonly string[]): Promise<string> {
  try {
    return await runChecked('tmux', ['-L', SERVER, ...args], { timeoutMs: 10_000 })
  } catch (err) {
    if (args[0] !== 'new-session' || !/server exited unexpectedly/.test((err as Error).message)) throw err
    await sleep(200)
    return await runChecked('tmux', ['-L', SERVER, ...args], { timeoutMs: 10_000 })
  }
}

/** Quotes `s` for sh. */
export function shellQuote (s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`
}

export interface Terminal {
  readonly name: string
  /** Types `text` literally (no key names). */
  type (text: string): Promise<void>
  /** Sends tmux key names, e.g. 'Enter', 'C-p', 'C-q', 'C-c'. */
  keys (...keys: string[]): Promise<void>
  /** The visible screen plus scrollback, trailing blanks trimmed. */
  screen (): Promise<string>
  /** Polls the screen until `pattern` matches; rejects with the screen after `timeoutMs`. */
  waitFor (pattern: RegExp, timeoutMs?: number): Promise<string>
  /** Resizes the terminal (the program in it gets SIGWINCH). */
  resize (columns: number, rows: number): Promise<void>
  /** The exit status printed when the command ended: waits for it. */
  exitStatus (timeoutMs?: number): Promise<number>
  close (): Promise<void>
}

/** Opens a 120x40 terminal running `argv` with `env` set. */
export async function openTerminal (argv: readonly string[], env: Record<string, string> = {}): Promise<Terminal> {
  const name = `t${++counter}`
  const assignments = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`).join(' ')
  const command = `env ${assignments} ${argv.map(shellQuote).join(' ')}; echo "[exit $?]"; sleep 600`
  await tmux(['new-session', '-d', '-s', name, '-x', '120', '-y', '40', 'sh', '-c', command])
  const screen = async (): Promise<string> => (await tmux(['capture-pane', '-p', '-J', '-S', '-200', '-t', name])).replace(/\s+$/, '')
  const waitFor = async (pattern: RegExp, timeoutMs = 15_000): Promise<string> => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const text = await screen()
      if (pattern.test(text)) return text
      if (Date.now() > deadline) throw new Error(`the terminal did not show ${String(pattern)} in ${timeoutMs} ms; it shows:\n${text}`)
      await sleep(100)
    }
  }
  return {
    name,
    type: async (text) => { await tmux(['send-keys', '-t', name, '-l', text]) },
    keys: async (...keys) => { await tmux(['send-keys', '-t', name, ...keys]) },
    screen,
    waitFor,
    resize: async (columns, rows) => { await tmux(['resize-window', '-t', name, '-x', String(columns), '-y', String(rows)]) },
    exitStatus: async (timeoutMs = 15_000) => Number(/\[exit (\d+)\]/.exec(await waitFor(/\[exit \d+\]/, timeoutMs))?.[1]),
    close: async () => { await run('tmux', ['-L', SERVER, 'kill-session', '-t', name], { timeoutMs: 10_000 }) }
  }
}
