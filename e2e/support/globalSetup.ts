import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deployLocal } from '../../scripts/deployLocal.ts'
import { startAnvil } from '../../src/chain/node/startAnvil.ts'
import { startPreviewApp } from './previewApp.ts'
import {
  freePort,
  leftovers,
  recordPort,
  spawnTracked,
  startRelayProcess,
  startSignalingProcess,
  stopAllTracked,
  waitFor,
} from './processes.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))

/**
 * Starts, for the `preview` project, anvil + contracts, the signaling server, a relay and the production build under
 * `vite preview`; and for the `dev-server` project exactly what `npm start` runs (scripts/start.ts: its own anvil,
 * signaling, relay and the vite dev server, React StrictMode included) on free ports. Exports their URLs to the tests.
 * The teardown stops everything, including what scenarios started, and fails the run if anything is left.
 */
export default async function globalSetup() {
  const runDir = mkdtempSync(join(tmpdir(), 'chx-e2e-run-'))
  process.env.E2E_RUN_DIR = runDir
  const teardown = async () => {
    await stopAllTracked()
    // the check: nothing this run or any scenario started may still run or listen
    const left = await leftovers()
    rmSync(runDir, { recursive: true, force: true })
    if (left.length > 0) throw new Error(`the browser suites left behind:\n  ${left.join('\n  ')}`)
  }
  try {
    // a block every second besides one per transaction, as a live chain has: a replica signs a checkpoint only with a
    // read of the forced queue at a block at most the force-inclusion delay (here down to 8 s) older (core censorship.ts)
    const anvil = await startAnvil({ port: 0, args: ['--block-time', '1', '--mixed-mining'] })
    appendFileSync(join(runDir, 'pids'), `${anvil.process.pid} anvil\n`)
    recordPort(anvil.port, 'anvil')
    const d = await deployLocal({ rpcUrl: anvil.rpcUrl })
    // signaling runs as its own process so a scenario can stop and restart it (THREATS row 18)
    const signalingPort = await freePort()
    const signaling = startSignalingProcess(signalingPort)
    await waitFor(`http://127.0.0.1:${signalingPort}`, 15_000)
    // the Yjs relay next to WebRTC, as `npm start` runs one (its own process, so a scenario can stop it)
    const relayPort = await freePort()
    const relay = startRelayProcess(relayPort)
    await waitFor(`http://127.0.0.1:${relayPort}`, 15_000)
    const { appUrl, appConfig } = await startPreviewApp({
      runDir,
      rpcUrl: anvil.rpcUrl,
      wsUrl: anvil.wsUrl,
      deployment: d,
      signalingPort,
      relayPort,
    })
    process.env.E2E_APP_URL = appUrl
    process.env.E2E_RPC_URL = anvil.rpcUrl
    process.env.E2E_CHAIN_ID = String(d.chainId)
    process.env.E2E_SETTLEMENT = d.settlement
    process.env.E2E_SIGNALING_PORT = String(signalingPort)
    process.env.E2E_SIGNALING_PID = String(signaling.pid)
    process.env.E2E_RELAY_PORT = String(relayPort)
    process.env.E2E_RELAY_PID = String(relay.pid)
    process.env.E2E_TOKENS = JSON.stringify(appConfig.tokens)

    // the newcomer's path: `npm start` as is, on free ports, its deployment written into this run's folder
    const dev = {
      anvil: await freePort(),
      signaling: await freePort(),
      relay: await freePort(),
      app: await freePort(),
    }
    recordPort(dev.anvil, 'npm start: anvil')
    recordPort(dev.signaling, 'npm start: signaling')
    recordPort(dev.relay, 'npm start: relay')
    recordPort(dev.app, 'npm start: vite dev server')
    const devConfig = join(runDir, 'dev-app-config.json')
    spawnTracked(
      process.execPath,
      ['--import', 'tsx', `${root}scripts/start.ts`],
      {
        cwd: root,
        env: {
          ...process.env,
          ANVIL_PORT: String(dev.anvil),
          SIGNALING_PORT: String(dev.signaling),
          RELAY_PORT: String(dev.relay),
          APP_PORT: String(dev.app),
          APP_CONFIG_FILE: devConfig,
        },
      },
      'npm start',
    )
    const devUrl = `http://127.0.0.1:${dev.app}`
    await waitFor(`${devUrl}/app-config.json`, 90_000)
    const served = JSON.parse(readFileSync(devConfig, 'utf8')) as typeof appConfig
    process.env.E2E_DEV_APP_URL = devUrl
    process.env.E2E_DEV_RPC_URL = served.chain.rpcUrl
    process.env.E2E_DEV_CHAIN_ID = String(served.chain.chainId)
    process.env.E2E_DEV_TOKENS = JSON.stringify(served.tokens)
  } catch (e) {
    await teardown().catch(() => {})
    throw e
  }
  return teardown
}
