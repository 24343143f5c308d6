import type { ChildProcess, SpawnOptions } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser } from '@playwright/test'
import { type Address, createWalletClient, type Hex, http, toHex } from 'viem'
import { foundry } from 'viem/chains'
import { type AgentProcess, spawnAgent } from '../../src/agent/agentProcess.ts'
import { depositEach } from '../../src/agent/openForAgents.ts'
import { devAccounts } from '../../src/chain/devAccounts.ts'
import { env, type Target, Trader } from './trader.ts'

/**
 * Channels of browser tabs and headless agents together: the first browser creates the channel with everyone's
 * address in the app, the agents (`npm run agent`, as processes) join with the invite link it shows, the browsers
 * join and authorise, the first opens it on chain.
 */
export type MixedChannelParameters = {
  browser: Browser
  /** anvil dev account indexes of the browser participants (the first creates the channel) */
  browserAccounts: number[]
  /** anvil dev account indexes of the agents (any index: their keys are derived from anvil's mnemonic) */
  agentAccounts: number[]
  /** per agent (0 …): its role, rate and anything else after --invite/--key/--relay/--rpc/--data */
  agentArgs: (i: number) => string[]
  relayUrl: string
  /** where the agents keep their key files, session keys and blocks */
  dataDir: string
  /** how agent processes start (the suite's spawnTracked, so its teardown stops them) */
  spawn?: (command: string, args: string[], options: SpawnOptions) => ChildProcess
  /** a prebuilt bundle of the agent (scripts/agentBundle.ts) instead of the sources through tsx */
  agentBundle?: string
  target?: Target
  disputeWindow?: number
}

export type MixedChannel = { traders: Trader[]; agents: AgentProcess[]; link: string; channelId: Hex }

export async function mixedChannel(p: MixedChannelParameters): Promise<MixedChannel> {
  const target = p.target ?? env()
  const keys = devAccounts(Math.max(...p.agentAccounts, 0) + 1)
  const traders = await Promise.all(
    p.browserAccounts.map((a, i) => Trader.open(p.browser, String.fromCharCode(65 + i), a, target)),
  )
  const first = traders[0]!
  await first.connect()
  const link = await first.createChannel(
    [...traders.slice(1).map((t) => t.address), ...p.agentAccounts.map((a) => keys[a]!.address)],
    p.disputeWindow ?? 60,
  )
  mkdirSync(p.dataDir, { recursive: true })
  const agents = p.agentAccounts.map((a, i) => {
    const keyFile = join(p.dataDir, `wallet-${a}.key`)
    writeFileSync(keyFile, toHex(keys[a]!.getHdKey().privateKey!), { mode: 0o600 })
    return spawnAgent({
      ...(p.spawn ? { spawn: p.spawn } : {}),
      ...(p.agentBundle ? { bundle: p.agentBundle } : {}),
      args: [
        '--invite',
        link,
        '--key',
        keyFile,
        '--relay',
        p.relayUrl,
        '--rpc',
        target.rpc,
        '--data',
        p.dataDir,
        ...p.agentArgs(i),
      ],
    })
  })
  await Promise.all(traders.map((t) => t.join(link)))
  for (const t of traders) await t.authorise()
  await first.openOnChain()
  await Promise.all(traders.map((t) => t.waitLive()))
  const channelId = (await first.page.evaluate(() => {
    const id = (window as unknown as { __chx: { live: { channel: { channelId: Uint8Array } } } }).__chx.live
      .channel.channelId
    return `0x${Array.from(id, (b) => b.toString(16).padStart(2, '0')).join('')}`
  })) as Hex
  return { traders, agents, link, channelId }
}

/** Deposits from the dev accounts `accounts` straight on chain (no browser): `amounts[token]` of each token. */
export async function depositFromAccounts(p: {
  accounts: number[]
  channelId: Hex
  settlement: Address
  tokens: Address[]
  amounts: bigint[]
  target?: Target
}): Promise<void> {
  const target = p.target ?? env()
  const keys = devAccounts(Math.max(...p.accounts) + 1)
  const chain = { ...foundry, id: target.chainId, rpcUrls: { default: { http: [target.rpc] } } }
  const wallets = p.accounts.map((a) =>
    createWalletClient({
      account: keys[a]!,
      chain,
      // a node busy with a large channel's participants answers slowly: 60 s before a request counts as lost
      transport: http(target.rpc, { timeout: 60_000 }),
      pollingInterval: 50,
    }),
  )
  await depositEach(wallets, {
    address: p.settlement,
    channelId: p.channelId,
    tokens: p.tokens,
    amounts: p.amounts,
  })
}
