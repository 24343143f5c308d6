import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process'
import { appendFileSync, existsSync, readFileSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))

/**
 * Everything a browser suite starts is recorded here, so the global teardown can stop it — including processes a
 * scenario started in a worker (the teardown runs in another process and cannot read the worker's variables) —
 * and then check that none of it is still running or listening. The run folder is `E2E_RUN_DIR`, created by the
 * global setup and inherited by the workers through the environment.
 */
const runDir = () => {
  const d = process.env.E2E_RUN_DIR
  if (!d) throw new Error('E2E_RUN_DIR is not set: processes must be started under the global setup')
  return d
}

/** Records a port that something this run started listens on; the teardown checks it is closed afterwards. */
export function recordPort(port: number, what: string): void {
  appendFileSync(join(runDir(), 'ports'), `${port} ${what}\n`)
}

/**
 * Spawns a process in its own process group (so stopping it stops its children too, e.g. `npm start`'s vite and
 * anvil) and records its pid for the teardown.
 */
export function spawnTracked(
  command: string,
  args: string[],
  options: SpawnOptions,
  what: string,
): ChildProcess {
  const child = spawn(command, args, { stdio: 'ignore', ...options, detached: true })
  if (child.pid === undefined) throw new Error(`could not start ${what}`)
  appendFileSync(join(runDir(), 'pids'), `${child.pid} ${what}\n`)
  return child
}

/**
 * `node scripts/signaling.ts --port <port>` bound to 127.0.0.1, tracked: the teardown stops it whichever process
 * (global setup or a scenario's worker) started it.
 */
export function startSignalingProcess(port: number): ChildProcess {
  recordPort(port, 'signaling')
  return spawnTracked(
    process.execPath,
    ['--import', 'tsx', `${root}scripts/signaling.ts`, '--port', String(port)],
    { cwd: root },
    `signaling on ${port}`,
  )
}

/** `node scripts/relay.ts --port <port>` (Hocuspocus) bound to 127.0.0.1, tracked like the signaling server. */
export function startRelayProcess(port: number): ChildProcess {
  recordPort(port, 'relay')
  return spawnTracked(
    process.execPath,
    ['--import', 'tsx', `${root}scripts/relay.ts`, '--port', String(port)],
    { cwd: root },
    `relay on ${port}`,
  )
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  for (const target of [-pid, pid])
    try {
      process.kill(target, signal)
    } catch {
      // gone, or not a group leader
    }
}

/** SIGTERM to the process group, then SIGKILL if it is still there after `graceMs`; resolves once it is gone. */
export async function stopTracked(pid: number, graceMs = 5_000): Promise<void> {
  signalGroup(pid, 'SIGTERM')
  const end = Date.now() + graceMs
  while (alive(pid) && Date.now() < end) await new Promise((r) => setTimeout(r, 50))
  if (alive(pid)) signalGroup(pid, 'SIGKILL')
  while (alive(pid)) await new Promise((r) => setTimeout(r, 20))
  // the group's other members (e.g. vite under npm start) get the same treatment
  signalGroup(pid, 'SIGKILL')
}

function lines(file: string): [number, string][] {
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const i = l.indexOf(' ')
      return [Number(l.slice(0, i)), l.slice(i + 1)] as [number, string]
    })
}

/** Stops every recorded process of this run (idempotent). */
export async function stopAllTracked(): Promise<void> {
  await Promise.all(lines(join(runDir(), 'pids')).map(([pid]) => stopTracked(pid)))
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host: '127.0.0.1', port })
    s.once('connect', () => {
      s.destroy()
      resolve(true)
    })
    s.once('error', () => resolve(false))
  })

/** What this run started and is still running or listening; [] when everything was stopped. */
export async function leftovers(): Promise<string[]> {
  const out: string[] = []
  for (const [pid, what] of lines(join(runDir(), 'pids')))
    if (alive(pid)) out.push(`process ${pid} (${what}) is still running`)
  for (const [port, what] of lines(join(runDir(), 'ports')))
    if (await listening(port)) out.push(`port ${port} (${what}) is still listening`)
  return out
}

/** A free TCP port on 127.0.0.1 (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0))
    })
  })
}

/** Polls `url` until it answers 2xx. */
export async function waitFor(url: string, ms: number): Promise<void> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${url} did not answer within ${ms} ms`)
}
