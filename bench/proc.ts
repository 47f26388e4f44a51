/** Resident memory and CPU time of a process, from /proc (Linux). */
import { readFile } from 'node:fs/promises'

/** Clock ticks per second for /proc/<pid>/stat times: 100 on Linux (USER_HZ) everywhere it runs. */
const CLK_TCK = 100

export interface ProcSample {
  /** Resident set size, MB (VmRSS). */
  readonly rssMb: number
  /** User plus system CPU time since the process started, seconds. */
  readonly cpuSeconds: number
}

/** Reads VmRSS from /proc/<pid>/status and utime+stime from /proc/<pid>/stat. */
export async function sampleProcess (pid: number): Promise<ProcSample> {
  const [status, stat] = await Promise.all([readFile(`/proc/${pid}/status`, 'utf8'), readFile(`/proc/${pid}/stat`, 'utf8')])
  const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN)
  // The command name (field 2) may contain spaces and parentheses: fields are counted after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const ticks = Number(fields[11]) + Number(fields[12]) // utime and stime are fields 14 and 15
  return { rssMb: rssKb / 1024, cpuSeconds: ticks / CLK_TCK }
}
