/**
 * The headless watchtower: watches one channel of the settlement contract and challenges any proposal, emergency
 * exit or escape older than the newest certified checkpoint in the store directory, before the deadline. It also
 * slashes what its checkpoints prove (issue #12): a stale proposer that had signed the newer one (before the
 * challenge, which would make the challenger the proposer) and a key that signed two checkpoints at one version.
 *
 *   npm run watchtower -- --rpc URL --channel ID --store DIR [--key HEXFILE] [--contract ADDR] [--interval MS]
 *                         [--margin S] [--once]
 *
 * --store DIR   signed checkpoints as JSON, one file per version (src/chain/node/checkpointStore.ts; the app and
 *               agents write them with saveCheckpoint); re-read whenever a file changes
 * --key FILE    a file holding the 0x-hex private key of the account that pays gas (any funded account); without
 *               it, anvil's dev account 0 on the local chain (id 31337), elsewhere watch only (logs, sends nothing)
 * --contract    the ChannelSettlement address; default: `settlement` of APP_CONFIG_FILE (public/app-config.json,
 *               written by npm start)
 * --interval    ms between polls (2000) · --margin: seconds before the deadline a challenge is logged as urgent (300)
 * --once        one poll (its slashes and challenge, mined) then exit: 0 done, 1 a challenge or slash failed,
 *               3 too late
 *
 * One line per decision and per slash on stdout; store warnings and start-up notes on stderr. Ctrl-C stops cleanly.
 */
// signature recovery and keccak256 in WebAssembly in this process (src/core/wasmCrypto.ts)
import '../src/core/wasmCrypto.ts'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import {
  type Address,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  formatEther,
  type Hex,
  http,
  isAddress,
  type Transport,
  webSocket,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { getBalance, getBytecode, getChainId } from 'viem/actions'
import { devAccounts } from '../src/chain/devAccounts.ts'
import { createStoreReader } from '../src/chain/node/checkpointStore.ts'
import { Watchtower } from '../src/chain/watchtower/watchtower.ts'

export const USAGE =
  'usage: npm run watchtower -- --rpc URL --channel ID --store DIR [--key HEXFILE] [--contract ADDR] [--interval MS] [--margin S] [--once]'

export class UsageError extends Error {
  override name = 'UsageError'
}

export type WatchtowerArgs = {
  rpc: string
  channel: Hex
  store: string
  key: Hex | undefined
  contract: Address | undefined
  intervalMs: number
  marginSeconds: bigint
  once: boolean
}

/** Parses and checks the command line; throws a UsageError naming the bad argument. Reads the key file. */
export function parseWatchtowerArgs(argv: string[]): WatchtowerArgs {
  let values: Record<string, string | boolean | undefined>
  try {
    ;({ values } = parseArgs({
      args: argv,
      options: {
        rpc: { type: 'string' },
        channel: { type: 'string' },
        store: { type: 'string' },
        key: { type: 'string' },
        contract: { type: 'string' },
        interval: { type: 'string' },
        margin: { type: 'string' },
        once: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }))
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
  if (values.help) throw new UsageError('')
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined)
  const rpc = str('rpc')
  if (!rpc) throw new UsageError('--rpc URL is required')
  if (!/^(https?|wss?):\/\/[^\s]+$/.test(rpc))
    throw new UsageError(`--rpc: not an http(s) or ws(s) URL: ${rpc}`)
  const channel = str('channel')
  if (!channel) throw new UsageError('--channel ID is required')
  if (!/^0x[0-9a-fA-F]{64}$/.test(channel))
    throw new UsageError(`--channel: expected a 0x-prefixed 32-byte hex id, got ${channel}`)
  const store = str('store')
  if (!store) throw new UsageError('--store DIR is required')
  let key: Hex | undefined
  const keyFile = str('key')
  if (keyFile !== undefined) {
    if (!existsSync(keyFile)) throw new UsageError(`--key: no such file: ${keyFile}`)
    const text = readFileSync(keyFile, 'utf8').trim()
    const hex = text.startsWith('0x') ? text : `0x${text}`
    if (!/^0x[0-9a-fA-F]{64}$/.test(hex))
      throw new UsageError(`--key: ${keyFile} must hold one 32-byte private key in hex`)
    key = hex as Hex
  }
  const contract = str('contract')
  if (contract !== undefined && !isAddress(contract, { strict: false }))
    throw new UsageError(`--contract: not an address: ${contract}`)
  const interval = str('interval') ?? '2000'
  if (!/^[1-9][0-9]*$/.test(interval))
    throw new UsageError(`--interval: expected milliseconds > 0, got ${interval}`)
  const margin = str('margin') ?? '300'
  if (!/^(0|[1-9][0-9]*)$/.test(margin)) throw new UsageError(`--margin: expected seconds ≥ 0, got ${margin}`)
  return {
    rpc,
    channel: channel.toLowerCase() as Hex,
    store,
    key,
    contract: contract as Address | undefined,
    intervalMs: Number(interval),
    marginSeconds: BigInt(margin),
    once: values.once === true,
  }
}

function defaultContract(): Address {
  const file =
    process.env.APP_CONFIG_FILE ?? fileURLToPath(new URL('../public/app-config.json', import.meta.url))
  if (!existsSync(file)) throw new UsageError(`--contract ADDR is required (no ${file} to read it from)`)
  const settlement = (JSON.parse(readFileSync(file, 'utf8')) as { settlement?: string }).settlement
  if (!settlement || !isAddress(settlement, { strict: false }))
    throw new UsageError(`--contract ADDR is required (${file} names no settlement address)`)
  return settlement as Address
}

/** Runs the tower; resolves with the process exit code (after Ctrl-C, or after one poll with --once). */
export async function runWatchtower(args: WatchtowerArgs): Promise<number> {
  const note = (line: string) => process.stderr.write(`${line}\n`)
  const contract = args.contract ?? defaultContract()
  const transport: Transport = args.rpc.startsWith('ws') ? webSocket(args.rpc) : http(args.rpc)
  const probe = createPublicClient({ transport })
  let chainId: number
  try {
    chainId = await getChainId(probe)
  } catch (e) {
    throw new Error(`cannot reach ${args.rpc}: ${(e as { shortMessage?: string }).shortMessage ?? e}`)
  }
  const chain: Chain = defineChain({
    id: chainId,
    name: `chain ${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: args.rpc.startsWith('http') ? [args.rpc] : [] } },
  })
  const pollingInterval = Math.min(args.intervalMs, 1_000)
  const publicClient = createPublicClient({ chain, transport, pollingInterval })
  if (!(await getBytecode(publicClient, { address: contract })))
    throw new Error(`no contract at ${contract} on chain ${chainId}`)
  const account = args.key
    ? privateKeyToAccount(args.key)
    : chainId === 31337
      ? devAccounts(1)[0]!
      : undefined
  const walletClient = account && createWalletClient({ account, chain, transport, pollingInterval })
  if (account) {
    const balance = await getBalance(publicClient, { address: account.address })
    note(
      `watchtower: gas from ${account.address}${args.key ? '' : " (anvil's dev account 0)"}, balance ${formatEther(balance)} ETH`,
    )
    if (balance === 0n) note('watchtower: warning: the gas account has no ETH; a challenge would fail')
  } else note('watchtower: no --key: watch only, nothing will be sent')
  note(`watchtower: channel ${args.channel} on chain ${chainId}, contract ${contract}, store ${args.store}`)

  const tower = new Watchtower({
    publicClient,
    ...(walletClient ? { walletClient } : {}),
    address: contract,
    channelId: args.channel,
    intervalMs: args.intervalMs,
    marginSeconds: args.marginSeconds,
    loadCheckpoints: createStoreReader(args.store, args.channel, note),
    log: (line, entry) => (entry ? process.stdout.write(`${line}\n`) : note(line)),
  })

  if (args.once) {
    const entry = await tower.poll()
    return entry.error || entry.slashes.some((x) => x.error)
      ? 1
      : entry.decision.action === 'too-late'
        ? 3
        : 0
  }
  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      note(`watchtower: ${signal}, stopping`)
      void tower.stop().then(() => resolve(0))
    }
    process.once('SIGINT', () => stop('SIGINT'))
    process.once('SIGTERM', () => stop('SIGTERM'))
    tower.start()
  })
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let args: WatchtowerArgs
  try {
    args = parseWatchtowerArgs(process.argv.slice(2))
  } catch (e) {
    if (!(e instanceof UsageError)) throw e
    if (e.message) process.stderr.write(`watchtower: ${e.message}\n`)
    process.stderr.write(`${USAGE}\n`)
    process.exit(e.message ? 2 : 0)
  }
  runWatchtower(args).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`watchtower: ${e instanceof UsageError || e instanceof Error ? e.message : e}\n`)
      process.exit(e instanceof UsageError ? 2 : 1)
    },
  )
}
