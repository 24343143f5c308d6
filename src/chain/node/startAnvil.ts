import { type ChildProcess, spawn } from 'node:child_process'
import { foundryBinary, foundryMissing } from './foundryBinary.ts'

export type StartAnvilParameters = {
  /** 0 (default): the OS picks a free port */
  port?: number
  /** extra anvil arguments, e.g. ['--block-time', '1'] */
  args?: string[]
  /** how long to wait for the first answer, ms */
  timeout?: number
}
export type StartAnvilReturnType = {
  rpcUrl: string
  /** the same node over WebSocket (anvil serves both on one port) */
  wsUrl: string
  port: number
  process: ChildProcess
  /** terminates this anvil and waits for it to exit */
  stop: () => Promise<void>
}

export class AnvilStartError extends Error {
  override name = 'AnvilStartError'
  constructor(
    readonly shortMessage: string,
    readonly details: string,
  ) {
    super(`${shortMessage}${details ? `\n${details}` : ''}`)
  }
}

async function answers(rpcUrl: string): Promise<boolean> {
  try {
    const res = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    })
    return res.ok
  } catch {
    return false
  }
}

/**
 * Starts a local anvil (Node only) bound to 127.0.0.1 — never another interface — with its default ten dev
 * accounts and chain id 31337, and resolves once it answers JSON-RPC. With port 0 the OS picks a free port and
 * anvil reports it ("Listening on …"), so parallel test files never race for one. The caller owns the process:
 * call stop().
 */
export async function startAnvil({
  port = 0,
  args = [],
  timeout = 15_000,
}: StartAnvilParameters = {}): Promise<StartAnvilReturnType> {
  const child = spawn(foundryBinary('anvil'), ['--host', '127.0.0.1', '--port', String(port), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000)
  })
  // anvil logs every request to stdout: keep draining it so the pipe never fills, and read the port once
  let listening: number | undefined
  let stdout = ''
  child.stdout?.on('data', (d: Buffer) => {
    if (listening !== undefined) return
    stdout = (stdout + d.toString()).slice(-4000)
    const m = /Listening on 127\.0\.0\.1:(\d+)/.exec(stdout)
    if (m) listening = Number(m[1])
  })
  let exited: number | null | undefined
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code) => {
      exited = code
      resolve()
    })
    child.once('error', (e) => {
      stderr += `${String(e)}\n${foundryMissing('anvil')}`
      exited = -1
      resolve()
    })
  })
  const stop = async () => {
    if (exited === undefined) child.kill('SIGTERM')
    await exit
  }
  const start = performance.now()
  for (;;) {
    if (exited !== undefined) throw new AnvilStartError(`anvil exited (${exited}) before answering`, stderr)
    if (listening !== undefined && (await answers(`http://127.0.0.1:${listening}`))) break
    if (performance.now() - start > timeout) {
      await stop()
      throw new AnvilStartError(`anvil did not answer within ${timeout} ms`, stderr || stdout)
    }
    await new Promise((r) => setTimeout(r, 25))
  }
  return {
    rpcUrl: `http://127.0.0.1:${listening}`,
    wsUrl: `ws://127.0.0.1:${listening}`,
    port: listening,
    process: child,
    stop,
  }
}
