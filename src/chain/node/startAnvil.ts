import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { foundryBinary } from './foundryBinary.ts'

export type StartAnvilParameters = {
  /** 0 (default) picks a free port */
  port?: number
  /** extra anvil arguments, e.g. ['--block-time', '1'] */
  args?: string[]
  /** how long to wait for the first answer, ms */
  timeout?: number
}
export type StartAnvilReturnType = {
  rpcUrl: string
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
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
 * accounts and chain id 31337, and resolves once it answers JSON-RPC. The caller owns the process: call stop().
 */
export async function startAnvil({
  port = 0,
  args = [],
  timeout = 15_000,
}: StartAnvilParameters = {}): Promise<StartAnvilReturnType> {
  const p = port || (await freePort())
  const rpcUrl = `http://127.0.0.1:${p}`
  const child = spawn(
    foundryBinary('anvil'),
    ['--host', '127.0.0.1', '--port', String(p), '--silent', ...args],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  )
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000)
  })
  let exited: number | null | undefined
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code) => {
      exited = code
      resolve()
    })
    child.once('error', (e) => {
      stderr += String(e)
      exited = -1
      resolve()
    })
  })
  const stop = async () => {
    if (exited === undefined) child.kill('SIGTERM')
    await exit
  }
  const start = performance.now()
  while (!(await answers(rpcUrl))) {
    if (exited !== undefined) throw new AnvilStartError(`anvil exited (${exited}) before answering`, stderr)
    if (performance.now() - start > timeout) {
      await stop()
      throw new AnvilStartError(`anvil did not answer on ${rpcUrl} within ${timeout} ms`, stderr)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  return { rpcUrl, port: p, process: child, stop }
}
