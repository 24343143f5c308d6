import { type ChildProcess, spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { startAnvil } from '../src/chain/node/startAnvil.ts'
import { deployLocal } from './deployLocal.ts'
import { startRelay } from './relay.ts'
import { startSignaling } from './signaling.ts'

/**
 * `npm start`: the whole local stack on 127.0.0.1 — anvil with the contracts deployed and test tokens minted to
 * its ten dev accounts, the WebRTC signaling server, a Yjs relay (Hocuspocus, scripts/relay.ts: an untrusted pipe
 * the app uses next to WebRTC) and the app (vite). Ports: ANVIL_PORT (8545), SIGNALING_PORT (4444), RELAY_PORT
 * (4445), APP_PORT (5173). APP_CONFIG_FILE (default public/app-config.json) is where the
 * deployment is written and served from as /app-config.json. The chain mines a block every BLOCK_TIME seconds
 * (1; 0 mines only on transactions), like a chain: time moves on chain while nobody sends anything, so a dispute
 * window ends on its own. Ctrl-C stops everything it started.
 */
const anvilPort = Number(process.env.ANVIL_PORT ?? 8545)
const signalingPort = Number(process.env.SIGNALING_PORT ?? 4444)
const relayPort = Number(process.env.RELAY_PORT ?? 4445)
const appPort = Number(process.env.APP_PORT ?? 5173)
const blockTime = Number(process.env.BLOCK_TIME ?? 1)
const root = fileURLToPath(new URL('..', import.meta.url))
const appConfigFile = process.env.APP_CONFIG_FILE ?? `${root}public/app-config.json`

async function anvilRpc(rpcUrl: string, method: string, params: unknown[]): Promise<unknown> {
  const res = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  const body = (await res.json()) as { result?: unknown; error?: { message: string } }
  if (body.error) throw new Error(`${method}: ${body.error.message}`)
  return body.result
}

const stops: (() => Promise<void> | void)[] = []
let stopping = false
async function stopAll(code: number) {
  if (stopping) return
  stopping = true
  for (const s of stops.reverse()) await s()
  process.exit(code)
}
process.on('SIGINT', () => void stopAll(0))
process.on('SIGTERM', () => void stopAll(0))

try {
  console.log(`starting anvil on 127.0.0.1:${anvilPort} …`)
  const anvil = await startAnvil({ port: anvilPort })
  stops.push(anvil.stop)
  console.log('deploying the settlement contract and test tokens …')
  const d = await deployLocal({ rpcUrl: anvil.rpcUrl })
  // deployed with instant mining (fast); from now on blocks come on a clock
  if (blockTime > 0) await anvilRpc(anvil.rpcUrl, 'evm_setIntervalMining', [blockTime])
  const signaling = await startSignaling({ host: '127.0.0.1', port: signalingPort })
  stops.push(signaling.stop)
  const relay = await startRelay({ host: '127.0.0.1', port: relayPort })
  stops.push(relay.stop)
  const appConfig = {
    chain: {
      chainId: d.chainId,
      rpcUrl: anvil.rpcUrl,
      wsUrl: anvil.wsUrl,
      name: 'Anvil (local)',
      devWallet: true,
    },
    settlement: d.settlement,
    tokens: [d.base, d.quote].map((t) => ({ address: t.address, symbol: t.symbol, decimals: t.decimals })),
    signaling: [signaling.url],
    relay: [relay.url],
  }
  writeFileSync(appConfigFile, `${JSON.stringify(appConfig, null, 2)}\n`)
  const vite: ChildProcess = spawn(
    `${root}node_modules/.bin/vite`,
    ['--host', '127.0.0.1', '--port', String(appPort), '--strictPort'],
    {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, CHX_APP_CONFIG: appConfigFile },
    },
  )
  stops.push(
    () =>
      new Promise<void>((resolve) => {
        if (vite.exitCode !== null) return resolve()
        vite.once('exit', () => resolve())
        vite.kill('SIGTERM')
      }),
  )
  vite.once('exit', (code) => void stopAll(code ?? 1))
  console.log(
    [
      '',
      `  chain      ${anvil.rpcUrl} (chain id ${d.chainId}, ${blockTime > 0 ? `a block every ${blockTime} s` : 'a block per transaction'})`,
      `  contract   ${d.settlement}`,
      `  tokens     ${d.base.symbol} ${d.base.address}, ${d.quote.symbol} ${d.quote.address}`,
      `  signaling  ${signaling.url}`,
      `  relay      ${relay.url}`,
      `  app        http://127.0.0.1:${appPort}  ← open this; "Connect Local dev wallet" uses anvil's accounts`,
      '',
      '  Ctrl-C stops everything.',
      '',
    ].join('\n'),
  )
} catch (e) {
  console.error(e instanceof Error ? e.message : e)
  await stopAll(1)
}
