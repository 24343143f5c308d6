import { type Browser, type BrowserContext, expect, type Page } from '@playwright/test'
import { chromiumPath } from './chromium.ts'
import { DEV_ACCOUNTS, installWallet } from './wallet.ts'

export type View = {
  phase: 'lobby' | 'live'
  /** the on-chain settlement phase the store judges submissions by */
  settlement?: 'unknown' | 'open' | 'disputing' | 'finalizable' | 'finalized'
  stateRoot: string
  blocks: number
  final: number
  pendingOps: number
  inFlight: number
  equivocators: number[]
  trades: number
  holdings: string[][]
  available: string[]
  book: string[][]
  flagged: number[]
  guardDrops: Record<string, number>
  peers: number
  /** the checkpoint versions held (pruning forgets old ones) and the newest computed */
  checkpoints: string[]
  latestCheckpoint: string
  /** pruning (issue #8): final blocks pruned, the checkpoint pruned at, what the last start restored from */
  pruned: number
  prunedVersion: string
  restoredFrom: string | null
  /** ms from opening the stores to every stored block applied, at the last start */
  loadMs: number
  prunings: { version: string; position: number; dropped: number; baseBytes: number }[]
  pruneError: string | null
  /** catching up from a peer's certified base (issue #8; src/store/rejoin.ts) */
  catchUp: {
    phase: 'idle' | 'failed' | 'restoring' | 'restored'
    version?: string
    signers?: number
    participants?: number
    reason?: string
    ms?: number
  }
  /** entries in the shared doc's block map */
  docEntries: number
  /** the key this participant's next block is signed with (lowercase address) */
  signingKey: string
  rotations: { newKey: string; fromSeq: number; announced: boolean; chain: string }[]
}

/** Where a trader's browser goes: the app's URL and the chain its wallet talks to. */
export type Target = { app: string; rpc: string; chainId: number }

/** The production build under `vite preview` and its chain (the `preview` project). */
export const env = (): Target => ({
  app: process.env.E2E_APP_URL!,
  rpc: process.env.E2E_RPC_URL!,
  chainId: Number(process.env.E2E_CHAIN_ID),
})

/** Exactly what `npm start` serves: the vite dev server (React StrictMode) and its own anvil. */
export const devEnv = (): Target => ({
  app: process.env.E2E_DEV_APP_URL!,
  rpc: process.env.E2E_DEV_RPC_URL!,
  chainId: Number(process.env.E2E_DEV_CHAIN_ID),
})

/** One participant: its own browser context, injected wallet on an anvil dev account, and the app's page. */
export class Trader {
  constructor(
    readonly name: string,
    readonly context: BrowserContext,
    public page: Page,
    readonly address: string,
    readonly target: Target = env(),
  ) {}

  static async open(browser: Browser, name: string, account: number, target = env()): Promise<Trader> {
    const context = await browser.newContext()
    const address = DEV_ACCOUNTS[account]!
    await installWallet(context, target.rpc, target.chainId, address)
    const page = await context.newPage()
    page.on('pageerror', (e) => console.log(`[${name}] page error: ${e.message}`))
    return new Trader(name, context, page, address, target)
  }

  /**
   * Like open, but in a browser profile kept on disk at `profile` (a directory): closing the trader is closing the
   * browser, and opening the same profile again is the same person coming back with its IndexedDB and
   * localStorage (own blocks, session key, the channel's doc) where it left them.
   */
  static async openProfile(
    browser: Browser,
    name: string,
    account: number,
    profile: string,
    target = env(),
  ): Promise<Trader> {
    const context = await browser.browserType().launchPersistentContext(profile, {
      executablePath: chromiumPath(),
      args: ['--allow-loopback-in-peer-connection'],
      permissions: ['camera', 'microphone'],
    })
    const address = DEV_ACCOUNTS[account]!
    await installWallet(context, target.rpc, target.chainId, address)
    const page = context.pages()[0] ?? (await context.newPage())
    page.on('pageerror', (e) => console.log(`[${name}] page error: ${e.message}`))
    return new Trader(name, context, page, address, target)
  }

  async connect(hash = '#/') {
    await this.page.goto(`${this.target.app}/${hash}`)
    const account = this.page.getByTestId('account')
    const button = this.page.getByRole('button', { name: 'Connect Test Wallet' })
    await expect(account.or(button)).toBeVisible()
    if (await button.isVisible()) await button.click()
    await expect(this.page.getByTestId('account')).toBeVisible()
    // the app recovers signatures and hashes in WebAssembly once it has loaded (src/core/wasmCrypto.ts)
    await expect(this.page.locator('html')).toHaveAttribute('data-crypto', 'wasm')
  }

  /**
   * Fills the create form with the given participants (this trader first) and returns the invite link. `quorum`
   * overrides the default q = n − ⌊(n − 1)/3⌋ (scenarios with a participant offline need q ≤ n − 1); `minStake`
   * (ETH) is the bond every participant needs before it may trade.
   */
  async createChannel(
    others: string[],
    disputeWindow = 60,
    quorum?: number,
    minStake?: string,
  ): Promise<string> {
    const form = this.page.getByRole('form', { name: 'Create channel' })
    for (let i = 0; i < others.length; i++) {
      if (i > 0) await form.getByRole('button', { name: '+ Add participant' }).click()
      await form.locator(`input[name="participant-${i + 1}"]`).fill(others[i]!)
    }
    await form.locator('input[name="window"]').fill(String(disputeWindow))
    if (quorum !== undefined) await form.locator('input[name="threshold"]').fill(String(quorum))
    if (minStake !== undefined) await form.locator('input[name="min-stake"]').fill(minStake)
    await form.getByRole('button', { name: 'Create invite' }).click()
    return this.page.getByTestId('invite-link').inputValue()
  }

  async join(link: string) {
    const hash = link.slice(link.indexOf('#'))
    await this.connect(hash)
  }

  async authorise() {
    await this.page.getByRole('button', { name: 'Authorise session key' }).click()
    await expect(this.page.getByRole('button', { name: 'Authorise session key' })).toBeHidden()
  }

  async openOnChain() {
    await this.page.getByRole('button', { name: 'Open channel on chain' }).click()
  }

  async waitLive() {
    await expect(this.page.getByLabel('Order book')).toBeVisible({ timeout: 60_000 })
  }

  async deposit(symbol: string, amount: string) {
    const funds = this.page.getByRole('region', { name: 'Funds' })
    await funds.getByLabel('Token').selectOption({ label: symbol })
    await funds.locator('input[name="fund-amount"]').fill(amount)
    await funds.getByRole('button', { name: 'Deposit on chain' }).click()
    await expect(funds.getByRole('status')).toContainText('done', { timeout: 60_000 })
  }

  async place(side: 'Buy' | 'Sell', price: string, qty: string) {
    const entry = this.page.getByRole('form', { name: 'Order entry' })
    await entry.getByRole('button', { name: side, exact: true }).click()
    await entry.locator('input[name="price"]').fill(price)
    await entry.locator('input[name="qty"]').fill(qty)
    await entry.getByRole('button', { name: `${side} WETH` }).click()
    await expect(entry.getByRole('status')).toContainText('submitted')
  }

  view(): Promise<View> {
    return this.page.evaluate(() => (window as unknown as { __chx: { view(): View } }).__chx.view())
  }

  async close() {
    await this.context.close()
  }
}

/** Polls until every trader's view satisfies `ok` and all state roots are equal; returns the views. */
export async function converged(traders: Trader[], ok: (v: View) => boolean = () => true, timeout = 60_000) {
  let views: View[] = []
  const summary = () =>
    JSON.stringify(
      views.map(
        ({ stateRoot, blocks, final, pendingOps, trades, flagged, guardDrops, peers, equivocators }) => ({
          stateRoot: stateRoot?.slice(0, 10),
          blocks,
          final,
          pendingOps,
          trades,
          flagged,
          guardDrops,
          peers,
          equivocators,
        }),
      ),
    )
  await expect
    .poll(
      async () => {
        views = await Promise.all(traders.map((t) => t.view()))
        return (
          views.every((v) => v.phase === 'live' && v.pendingOps === 0 && v.inFlight === 0 && ok(v)) &&
          new Set(views.map((v) => v.stateRoot)).size === 1
        )
      },
      { timeout, intervals: [250, 500, 1000] },
    )
    .toBe(true)
    .catch((e: Error) => {
      throw new Error(`not converged: ${summary()}\n${e.message}`)
    })
  return views
}

export type ChannelOptions = {
  /** ETH: the bond each participant needs before it may trade */
  minStake?: string
  /** per trader: a browser profile directory (Trader.openProfile) instead of a fresh context */
  profiles?: (string | undefined)[]
  /** localStorage entries every trader's pages start with (e.g. the pruning policy, src/store/pruner.ts) */
  storage?: Record<string, string>
}

/**
 * Opens a live channel among `accounts` (dev account indexes; the first creates it): every context joins the
 * lobby, authorises its session key, the first opens the channel on chain, and each deposits what `funds` says
 * (nothing when it returns []).
 */
export async function liveChannel(
  browser: Browser,
  accounts: number[],
  funds: (i: number) => [symbol: string, amount: string][] = (i) =>
    i === 0 ? [['WETH', '10']] : [['USDC', '50000']],
  disputeWindow = 60,
  quorum?: number,
  options: ChannelOptions = {},
): Promise<{ traders: Trader[]; link: string }> {
  const traders = await Promise.all(
    accounts.map((a, i) => {
      const name = String.fromCharCode(65 + i)
      const profile = options.profiles?.[i]
      return profile ? Trader.openProfile(browser, name, a, profile) : Trader.open(browser, name, a)
    }),
  )
  if (options.storage)
    await Promise.all(
      traders.map((t) =>
        t.context.addInitScript((entries) => {
          for (const [k, v] of Object.entries(entries)) localStorage.setItem(k, v)
        }, options.storage!),
      ),
    )
  const first = traders[0]!
  await first.connect()
  const link = await first.createChannel(
    traders.slice(1).map((t) => t.address),
    disputeWindow,
    quorum,
    options.minStake,
  )
  await Promise.all(traders.map((t) => t.join(link)))
  for (const t of traders) await t.authorise()
  await first.openOnChain()
  await Promise.all(traders.map((t) => t.waitLive()))
  let deposited = false
  for (const [i, t] of traders.entries())
    for (const [symbol, amount] of funds(i)) {
      await t.deposit(symbol, amount)
      deposited = true
    }
  if (deposited) await converged(traders, (v) => v.holdings.every((h) => h.some((x) => x !== '0')))
  return { traders, link }
}

/** localStorage that makes the app prune at every certified checkpoint (its default waits for 2,000 final blocks) */
export const PRUNE_EVERY_CHECKPOINT = {
  'chx-prune-policy': JSON.stringify({ everyCheckpoints: 1, minBlocks: 1 }),
}

/** Waits until every trader pruned at checkpoint `version` or later (and fails on a pruning error). */
export async function prunedAt(traders: readonly Trader[], version: number) {
  await expect
    .poll(
      async () => {
        const views = await Promise.all(traders.map((t) => t.view()))
        for (const v of views) if (v.pruneError) throw new Error(`pruning failed: ${v.pruneError}`)
        return views.map((v) => Number(v.prunedVersion) >= version && v.pruned > 0)
      },
      { timeout: 30_000, intervals: [250, 500, 1000] },
    )
    .toEqual(traders.map(() => true))
}

/** A form's message for a sent op: its text, then its status, which moves from "(pending)" to "(final)". */
export function sentStatus(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&')} \\((pending|final)\\)$`)
}
