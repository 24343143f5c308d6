import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { LocalDeployment } from '../../scripts/deployLocal.ts'
import { freePort, recordPort, spawnTracked, waitFor } from './processes.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))

export type StartPreviewAppParameters = {
  /** the run folder (E2E_RUN_DIR): the build goes below it */
  runDir: string
  rpcUrl: string
  /** the node's WebSocket endpoint, for the app's reads */
  wsUrl?: string
  deployment: LocalDeployment
  signalingPort: number
  relayPort: number
}

/**
 * Builds the app into the run folder (so concurrent runs never serve each other's config), writes its
 * app-config.json for this chain, signaling server and relay, and serves it with `vite preview` on a free port
 * (tracked, so the teardown stops it). Resolves once it answers.
 */
export async function startPreviewApp(p: StartPreviewAppParameters) {
  const d = p.deployment
  const dist = join(p.runDir, 'dist')
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
    chain: {
      chainId: d.chainId,
      rpcUrl: p.rpcUrl,
      ...(p.wsUrl ? { wsUrl: p.wsUrl } : {}),
      name: 'Anvil (local)',
      devWallet: true,
    },
    settlement: d.settlement,
    tokens: [d.base, d.quote].map((t) => ({ address: t.address, symbol: t.symbol, decimals: t.decimals })),
    signaling: [`ws://127.0.0.1:${p.signalingPort}`],
    relay: [`ws://127.0.0.1:${p.relayPort}`],
  }
  writeFileSync(join(dist, 'app-config.json'), JSON.stringify(appConfig))
  const port = await freePort()
  recordPort(port, 'vite preview')
  spawnTracked(
    `${root}node_modules/.bin/vite`,
    ['preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort', '--outDir', dist],
    { cwd: root },
    'vite preview',
  )
  const appUrl = `http://127.0.0.1:${port}`
  await waitFor(`${appUrl}/app-config.json`, 30_000)
  return { appUrl, appConfig }
}
