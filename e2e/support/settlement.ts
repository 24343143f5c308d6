import { type Browser, expect, type Locator } from '@playwright/test'
import { type Address, createPublicClient, erc20Abi, type Hex, http } from 'viem'
import { channelSettlementAbi } from '../../src/chain/generated/abis.ts'
import { createBlock } from '../../src/core/block.ts'
import { fromHex, toHex } from '../../src/core/bytes.ts'
import { OpTag } from '../../src/core/ops.ts'
import { type ChannelOptions, env, liveChannel, type Trader } from './trader.ts'

/** The test tokens the global setup deployed (base WETH, quote USDC). */
export type TokenInfo = { address: Address; symbol: string; decimals: number }
export const tokens = (): TokenInfo[] => JSON.parse(process.env.E2E_TOKENS!) as TokenInfo[]
export const settlementAddress = () => process.env.E2E_SETTLEMENT! as Address

/** A viem client on the test chain, for reading what the contract and the tokens hold. */
export const chain = () => createPublicClient({ transport: http(env().rpc) })

async function rpc(method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(env().rpc, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  })
  const body = (await res.json()) as { result?: unknown; error?: { message: string } }
  if (body.error) throw new Error(`${method}: ${body.error.message}`)
  return body.result
}

/** Mines one block on the test chain (anvil), as any chain does on its own: the contract judges by its time. */
export async function mine(): Promise<void> {
  await rpc('evm_mine')
}

/** Moves anvil's clock forward and mines a block, so the chain's `latest` timestamp is at least `seconds` later. */
export async function advanceChainTime(seconds: bigint): Promise<void> {
  await rpc('evm_increaseTime', [Number(seconds)])
  await rpc('evm_mine')
}

/** ERC-20 balances of `account`, one per test token (in E2E_TOKENS order). */
export function erc20Balances(account: Address): Promise<bigint[]> {
  const c = chain()
  return Promise.all(
    tokens().map((t) =>
      c.readContract({ address: t.address, abi: erc20Abi, functionName: 'balanceOf', args: [account] }),
    ),
  )
}

export function channelInfo(channelId: Hex) {
  return chain().readContract({
    address: settlementAddress(),
    abi: channelSettlementAbi,
    functionName: 'getChannel',
    args: [channelId],
  })
}

export function participantInfo(channelId: Hex, participant: Address) {
  return chain().readContract({
    address: settlementAddress(),
    abi: channelSettlementAbi,
    functionName: 'getParticipant',
    args: [channelId, participant],
  })
}

export function owed(account: Address, token: Address) {
  return chain().readContract({
    address: settlementAddress(),
    abi: channelSettlementAbi,
    functionName: 'owed',
    args: [account, token],
  })
}

/** Every Slashed event of the channel so far. */
export function slashedEvents(channelId: Hex) {
  return chain().getContractEvents({
    address: settlementAddress(),
    abi: channelSettlementAbi,
    eventName: 'Slashed',
    args: { channelId },
    fromBlock: 0n,
    toBlock: 'latest',
  })
}

/** The channel's remaining holdings of `token` on chain: deposits minus claims and exits. */
export function channelHoldings(channelId: Hex, token: Address) {
  return chain().readContract({
    address: settlementAddress(),
    abi: channelSettlementAbi,
    functionName: 'holdings',
    args: [channelId, token],
  })
}

/** The runtime internals these helpers read in the page (window.__chx is the ChannelRuntime). */
type Runtime = {
  meIndex: number
  p: { sessionKey: Uint8Array }
  room: { doc: { getMap(name: string): { set(k: string, v: Uint8Array): void } } }
  live: {
    channel: {
      channelId: Uint8Array
      domainSeparator: Uint8Array
      config: { participants: { address: string }[]; tokens: string[] }
    }
    replica: {
      latest: (
        | { seq: number; block: { prev: Uint8Array; parents: Uint8Array[]; round: bigint; time: bigint } }
        | undefined
      )[]
      latestCheckpointVersion: bigint
      checkpoint(version: bigint):
        | {
            version: bigint
            leader: Uint8Array
            time: bigint
            depositCount: bigint
            forcedCount: bigint
            stateRoot: Uint8Array
            balancesRoot: Uint8Array
            digest: string
            signatures: Map<number, Uint8Array>
          }
        | undefined
      stateOfCheckpoint(version: bigint): { P: number; T: number; holdings(p: number, t: number): bigint }
    }
  }
}

/** A checkpoint read out of a page (bigints as decimal strings, bytes as hex). */
export type PageCheckpoint = {
  channelId: Hex
  version: string
  leader: Hex
  time: string
  depositCount: string
  forcedCount: string
  stateRoot: Hex
  balancesRoot: Hex
  /** the EIP-712 digest every signature is over */
  digest: Hex
  signatures: [number, Hex][]
  participants: Hex[]
  tokens: Hex[]
  /** per participant, per token */
  holdings: string[][]
}

/** A participant's settlement controls: the Settlement and Funds panels of its page. */
export class Settler {
  constructor(readonly trader: Trader) {}

  get page() {
    return this.trader.page
  }
  get address() {
    return this.trader.address as Address
  }
  get panel(): Locator {
    return this.page.getByRole('region', { name: 'Settlement' })
  }
  /** The panel's wallet-action status line ("Finalize: done", or the decoded revert). */
  get status(): Locator {
    return this.panel.getByRole('status')
  }
  get disputeStatus(): Locator {
    return this.panel.getByTestId('dispute-status')
  }

  channelId(): Promise<Hex> {
    return this.page.evaluate(() => {
      const r = (window as unknown as { __chx: Runtime }).__chx
      let s = '0x'
      for (const b of r.live.channel.channelId) s += b.toString(16).padStart(2, '0')
      return s as Hex
    })
  }

  /**
   * Clicks "Checkpoint now" and waits until a checkpoint newer than every one this page had holds at least
   * `signatures` signatures (every participant signs it automatically). Returns its version.
   */
  async requestCheckpoint(signatures: number, timeout = 30_000): Promise<number> {
    const before = await this.checkpointCount()
    await this.panel.getByRole('button', { name: 'Checkpoint now' }).click()
    let version = 0
    await expect
      .poll(
        async () => {
          const n = await this.checkpointCount()
          for (let v = n; v > before; v--)
            if (((await this.tally(v))?.signatures ?? 0) >= signatures) {
              version = v
              return true
            }
          return false
        },
        { timeout, intervals: [100, 250, 500] },
      )
      .toBe(true)
    return version
  }

  /** How many checkpoints this page's replica has computed. */
  checkpointCount(): Promise<number> {
    return this.page.evaluate(() =>
      Number((window as unknown as { __chx: Runtime }).__chx.live.replica.latestCheckpointVersion),
    )
  }

  /** Waits until this page's tally of checkpoint `version` has at least `count` signatures. */
  async expectSignatures(version: number, count: number, timeout = 30_000) {
    await expect
      .poll(() => this.tally(version).then((t) => t?.signatures ?? 0), {
        timeout,
        intervals: [250, 500, 1000],
      })
      .toBeGreaterThanOrEqual(count)
  }

  /** Runs one wallet action by its button and waits for "<label>: done". */
  async act(button: string | RegExp, label: string, timeout = 60_000) {
    await this.panel.getByRole('button', { name: button }).click()
    await expect(this.status).toHaveText(`${label}: done`, { timeout })
  }

  /**
   * Proposes the newest checkpoint this page can propose, once that is at least `version` (a newer one may have
   * been certified meanwhile: the button always offers the newest). Returns the version proposed.
   */
  async propose(version: number, timeout = 60_000): Promise<number> {
    const button = this.panel.getByRole('button', { name: /^Propose v\d+ on chain$/ })
    await expect
      .poll(
        async () =>
          Number((await button.textContent({ timeout: 1_000 }).catch(() => ''))?.match(/v(\d+)/)?.[1] ?? 0),
        {
          timeout,
          message: `a "Propose vN on chain" button with N ≥ ${version} (q signatures on v${version})`,
        },
      )
      .toBeGreaterThanOrEqual(version)
    await button.click()
    await expect(this.status).toHaveText(/^Propose v\d+: done$/, { timeout })
    const proposed = Number((await this.status.textContent())!.match(/v(\d+)/)![1])
    expect(proposed).toBeGreaterThanOrEqual(version)
    return proposed
  }
  challenge(version: number) {
    return this.act(`Challenge with v${version}`, `Challenge with v${version}`)
  }
  finalize() {
    return this.act('Finalize', 'Finalize')
  }
  claim() {
    return this.act('Claim and withdraw', 'Claim and withdraw')
  }
  /** Emergency exit, a dangerous action: asks for confirmation; it only requests the exit (paid after finalization). */
  async emergencyExit(version: number) {
    await this.panel.getByRole('button', { name: `Emergency exit (v${version})` }).click()
    const confirm = this.panel.getByRole('alertdialog', { name: 'Confirm emergency exit' })
    await expect(confirm).toContainText('Nothing is paid now')
    await confirm.getByRole('button', { name: 'Confirm emergency exit' }).click()
    await expect(this.status).toHaveText(
      `Emergency exit (v${version}): exit requested — paid after finalization`,
      { timeout: 60_000 },
    )
  }
  /** The watchtower line of the panel (the open app challenges stale proposals on its own). */
  get watchtower(): Locator {
    return this.panel.getByTestId('watchtower')
  }
  /** Transaction hashes the last wallet action sent. */
  async txHashes(): Promise<string[]> {
    return this.panel
      .getByTestId('tx-hashes')
      .getByTestId('tx-hash')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-hash') ?? ''))
  }

  /** Bonds `eth` ETH through the Funds panel and waits for the contract to hold it. */
  async bond(eth: string) {
    const funds = this.page.getByRole('region', { name: 'Funds' })
    await funds.locator('input[name="bond-amount"]').fill(eth)
    await funds.getByRole('button', { name: 'Bond on chain' }).click()
    await expect(funds.getByRole('status')).toHaveText(`Bond ${eth} ETH: done`, { timeout: 60_000 })
    await expect(funds.getByTestId('own-bond')).toHaveText(`Your bond: ${eth} ETH`)
  }

  /** Signature count and holdings (per participant, per token) of the cut of this page's tally at `version`. */
  tally(version: number, balancesRoot?: Hex) {
    return this.page.evaluate(
      ({ version, balancesRoot }) => {
        const r = (window as unknown as { __chx: Runtime }).__chx
        const hex = (b: Uint8Array) => {
          let s = '0x'
          for (const x of b) s += x.toString(16).padStart(2, '0')
          return s
        }
        const t = r.live.replica.checkpoint(BigInt(version))
        if (!t || (balancesRoot !== undefined && hex(t.balancesRoot) !== balancesRoot.toLowerCase()))
          return undefined
        const s = r.live.replica.stateOfCheckpoint(t.version)
        return {
          signatures: t.signatures.size,
          balancesRoot: hex(t.balancesRoot),
          holdings: Array.from({ length: s.P }, (_, p) =>
            Array.from({ length: s.T }, (_, k) => s.holdings(p, k).toString()),
          ),
        }
      },
      { version, balancesRoot },
    )
  }

  /**
   * Checkpoint `version` as this page's replica holds it, with its signatures and every participant's holdings in
   * it: what a participant has at hand to exit with (e2e/support/attacker.ts turns it into an on-chain call).
   */
  signedCheckpoint(version: number): Promise<PageCheckpoint> {
    return this.page.evaluate((version) => {
      const r = (window as unknown as { __chx: Runtime }).__chx
      const hex = (b: Uint8Array) => {
        let s = '0x'
        for (const x of b) s += x.toString(16).padStart(2, '0')
        return s as `0x${string}`
      }
      const cp = r.live.replica.checkpoint(BigInt(version))
      if (!cp) throw new Error(`no checkpoint v${version} here`)
      const s = r.live.replica.stateOfCheckpoint(cp.version)
      const { config } = r.live.channel
      return {
        channelId: hex(r.live.channel.channelId),
        version: cp.version.toString(),
        leader: hex(cp.leader),
        time: cp.time.toString(),
        depositCount: cp.depositCount.toString(),
        forcedCount: cp.forcedCount.toString(),
        stateRoot: hex(cp.stateRoot),
        balancesRoot: hex(cp.balancesRoot),
        digest: cp.digest as `0x${string}`,
        signatures: [...cp.signatures].map(([i, sig]) => [i, hex(sig)] as [number, `0x${string}`]),
        participants: config.participants.map((p) => p.address as `0x${string}`),
        tokens: config.tokens as `0x${string}`[],
        holdings: Array.from({ length: s.P }, (_, p) =>
          Array.from({ length: s.T }, (_, k) => s.holdings(p, k).toString()),
        ),
      }
    }, version)
  }

  /**
   * Makes this participant equivocate: signs, with its own session key, a second block at the seq of its latest
   * block (same prev and parents, other ops) and writes it into the room's Y.Doc map 'blocks' under its id, the
   * way any peer publishes a block. The honest app never does this; the core builds the block here in the test.
   * Returns the seq.
   */
  async equivocate(): Promise<number> {
    const own = await this.page.evaluate(() => {
      const r = (window as unknown as { __chx: Runtime }).__chx
      const hex = (b: Uint8Array) => {
        let s = '0x'
        for (const x of b) s += x.toString(16).padStart(2, '0')
        return s
      }
      const latest = r.live.replica.latest[r.meIndex]
      if (!latest) throw new Error('no own block to equivocate against')
      return {
        me: r.meIndex,
        sessionKey: hex(r.p.sessionKey),
        channelId: hex(r.live.channel.channelId),
        domainSeparator: hex(r.live.channel.domainSeparator),
        author: r.live.channel.config.participants[r.meIndex]!.address,
        seq: latest.seq,
        round: latest.block.round.toString(),
        time: latest.block.time.toString(),
        prev: hex(latest.block.prev),
        parents: latest.block.parents.map(hex),
      }
    })
    const { id, bytes } = createBlock({
      channelId: fromHex(own.channelId, 32),
      author: fromHex(own.author, 20),
      seq: BigInt(own.seq),
      round: BigInt(own.round),
      time: BigInt(own.time),
      prev: fromHex(own.prev, 32),
      parents: own.parents.map((p) => fromHex(p, 32)),
      // a transfer the genuine block at this seq does not hold: another id under the same (author, seq)
      ops: [{ tag: OpTag.Transfer, to: own.me === 0 ? 1 : 0, token: 0, amount: 1n }],
      sessionKey: fromHex(own.sessionKey, 32),
      domainSeparator: fromHex(own.domainSeparator, 32),
    })
    await this.page.evaluate(
      ({ key, bytes }) => {
        const r = (window as unknown as { __chx: Runtime }).__chx
        r.room.doc.getMap('blocks').set(key, Uint8Array.from(bytes))
      },
      { key: toHex(id), bytes: [...bytes] },
    )
    return own.seq
  }
}

/**
 * Opens a channel between dev accounts `accounts` (the first creates it; dispute window in seconds), every
 * participant authorises its session key, the first opens it on chain, and all wait until live.
 */
export async function openLiveChannel(
  browser: Browser,
  accounts: number[],
  disputeWindow: number,
  quorum?: number,
  options: ChannelOptions = {},
) {
  const { traders } = await liveChannel(browser, accounts, () => [], disputeWindow, quorum, options)
  return { traders, settlers: traders.map((t) => new Settler(t)) }
}

/**
 * The end of every settlement story: the chain's clock passes the dispute deadline, `finalizer` finalizes,
 * every trader claims, and each wallet ends with what it held before, minus what it deposited, plus exactly its
 * holdings in checkpoint `version` (per token, in E2E_TOKENS order); the contract then holds nothing for the
 * channel in any token.
 */
export async function finalizeAndClaimAll(p: {
  traders: readonly Trader[]
  finalizer: Settler
  channelId: Hex
  version: number
  /** per trader, per token: wallet balances before the story */
  before: readonly (readonly bigint[])[]
  /** per trader, per token: what it deposited into the channel */
  deposits: readonly (readonly bigint[])[]
  /** per trader, per token: its holdings in the finalized checkpoint */
  holdings: readonly (readonly bigint[])[]
}) {
  const info = await channelInfo(p.channelId)
  const latest = await chain().getBlock({ blockTag: 'latest' })
  await advanceChainTime(info.deadline - latest.timestamp + 1n)
  await expect(p.finalizer.disputeStatus).toContainText('finalizable')
  await p.finalizer.finalize()
  const settlers = p.traders.map((t) => new Settler(t))
  for (const s of settlers)
    await expect(s.disputeStatus).toContainText(`finalized · checkpoint v${p.version}`)
  await Promise.all(settlers.map((s) => s.claim()))
  for (const [i, t] of p.traders.entries()) {
    const after = await erc20Balances(t.address as Address)
    expect(after).toEqual(after.map((_, k) => p.before[i]![k]! - p.deposits[i]![k]! + p.holdings[i]![k]!))
  }
  for (const token of tokens()) expect(await channelHoldings(p.channelId, token.address)).toBe(0n)
}
