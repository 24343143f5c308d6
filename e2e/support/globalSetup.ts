import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deployLocal } from '../../scripts/deployLocal.ts'
import { startAnvil } from '../../src/chain/node/startAnvil.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0))
    })
  })
}

async function waitFor(url: string, ms: number): Promise<void> {
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

/** `node scripts/signaling.ts --port <port>` as a child process bound to 127.0.0.1. */
export function startSignalingProcess(port: number): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', `${root}scripts/signaling.ts`, '--port', String(port)], {
    cwd: root,
    stdio: 'ignore',
  })
}

/** Starts anvil + contracts, the signaling server and the built app; exports their URLs to the tests. */
export default async function globalSetup() {
  const anvil = await startAnvil({ port: 0 })
  const d = await deployLocal({ rpcUrl: anvil.rpcUrl })
  // signaling runs as its own process so a scenario can stop and restart it (THREATS row 18)
  const signalingPort = await freePort()
  const signaling = startSignalingProcess(signalingPort)
  await waitFor(`http://127.0.0.1:${signalingPort}`, 15_000)
  // each run builds into its own folder, so concurrent runs never serve each other's config
  const dist = mkdtempSync(join(tmpdir(), 'chx-e2e-dist-'))
  const build = spawnSync(
    `${root}node_modules/.bin/vite`,
    ['build', '--logLevel', 'warn', '--outDir', dist],
    {
      cwd: root,
      stdio: 'inherit',
    },
  )
  if (build.status !== 0) throw new Error('vite build failed')
  const appConfig = {
    chain: { chainId: d.chainId, rpcUrl: anvil.rpcUrl, name: 'Anvil (local)', devWallet: true },
    settlement: d.settlement,
    tokens: [d.base, d.quote].map((t) => ({ address: t.address, symbol: t.symbol, decimals: t.decimals })),
    signaling: [`ws://127.0.0.1:${signalingPort}`],
  }
  writeFileSync(join(dist, 'app-config.json'), JSON.stringify(appConfig))
  const port = await freePort()
  const preview: ChildProcess = spawn(
    `${root}node_modules/.bin/vite`,
    ['preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort', '--outDir', dist],
    { cwd: root, stdio: 'ignore' },
  )
  const appUrl = `http://127.0.0.1:${port}`
  await waitFor(`${appUrl}/app-config.json`, 30_000)
  process.env.E2E_APP_URL = appUrl
  process.env.E2E_RPC_URL = anvil.rpcUrl
  process.env.E2E_CHAIN_ID = String(d.chainId)
  process.env.E2E_SETTLEMENT = d.settlement
  process.env.E2E_SIGNALING_PORT = String(signalingPort)
  process.env.E2E_SIGNALING_PID = String(signaling.pid)
  process.env.E2E_TOKENS = JSON.stringify(appConfig.tokens)
  return async () => {
    preview.kill('SIGTERM')
    rmSync(dist, { recursive: true, force: true })
    signaling.kill('SIGTERM')
    // a scenario may have replaced the signaling process: stop whatever listens on its port now
    if (process.env.E2E_SIGNALING_PID && Number(process.env.E2E_SIGNALING_PID) !== signaling.pid)
      try {
        process.kill(Number(process.env.E2E_SIGNALING_PID), 'SIGTERM')
      } catch {
        // already gone
      }
    await anvil.stop()
  }
}
