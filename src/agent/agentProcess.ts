import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { AgentSummary } from './runAgent.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))

/** `npm run agent` as a child process, its stdout kept line by line (tests, benchmarks, the e2e suite). */
export type AgentProcess = {
  child: ChildProcess
  /** every stdout line so far, stderr lines prefixed `stderr: ` */
  lines: string[]
  /** resolves with the exit code (−1 when killed by a signal) */
  exited: Promise<number>
  /** the last `trades=` figure of its progress lines (0 before the first) */
  trades(): number
  /** the `--json` summary, once printed */
  summary(): AgentSummary | undefined
}

export type SpawnAgentParameters = {
  /** the arguments after `npm run agent --` */
  args: string[]
  /** how to start it (e2e: spawnTracked, so the suite's teardown stops it); default child_process.spawn */
  spawn?: (command: string, args: string[], options: SpawnOptions) => ChildProcess
  /** called with each stdout line as it comes */
  onLine?: (line: string) => void
  /** extra node options, e.g. ['--cpu-prof'] */
  nodeArgs?: string[]
  /**
   * a prebuilt bundle of scripts/agent.ts (scripts/agentBundle.ts) to run instead of the sources through tsx: the
   * same code, started with ~10× less CPU, for runs that start dozens of agents at once
   */
  bundle?: string
}

/** Starts `node --import tsx scripts/agent.ts …args`: exactly what `npm run agent -- …args` runs (or its bundle). */
export function spawnAgent(p: SpawnAgentParameters): AgentProcess {
  const start = p.spawn ?? spawn
  const child = start(
    process.execPath,
    [
      ...(p.nodeArgs ?? []),
      ...(p.bundle ? [p.bundle] : ['--import', 'tsx', `${root}scripts/agent.ts`]),
      ...p.args,
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const lines: string[] = []
  let buf = ''
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString()
    const parts = buf.split('\n')
    buf = parts.pop()!
    for (const l of parts) {
      lines.push(l)
      p.onLine?.(l)
    }
  })
  child.stderr!.on('data', (d: Buffer) => lines.push(`stderr: ${d.toString().trim()}`))
  const exited = new Promise<number>((r) => child.once('exit', (code) => r(code ?? -1)))
  return {
    child,
    lines,
    exited,
    trades() {
      for (let i = lines.length - 1; i >= 0; i--) {
        const m = /trades=(\d+)/.exec(lines[i]!)
        if (m) return Number(m[1])
      }
      return 0
    },
    summary() {
      const last = [...lines].reverse().find((l) => l.startsWith('{'))
      return last ? (JSON.parse(last) as AgentSummary) : undefined
    },
  }
}

/** Polls `f` every 100 ms until it holds; throws naming `what` after `ms`. */
export async function until(f: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
