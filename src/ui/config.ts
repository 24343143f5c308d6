import type { ChainSettings } from '../chain/wallet/wagmiConfig.ts'
import type { Hex } from '../core/bytes.ts'
import type { TokenInfo } from './format.ts'

/** Deployment the app runs against: written by `npm start` for the local chain, or provided for any EVM chain. */
export type AppConfig = {
  chain: ChainSettings
  settlement: Hex
  tokens: TokenInfo[]
  signaling: string[]
  /** Yjs relays (Hocuspocus) used next to WebRTC; none when the deployment runs no relay */
  relay: string[]
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

const isAddr = (x: unknown): x is Hex => typeof x === 'string' && /^0x[0-9a-fA-F]{40}$/.test(x)

export function parseAppConfig(j: unknown): AppConfig {
  const o = j as Record<string, unknown>
  const c = (o?.chain ?? {}) as Record<string, unknown>
  if (!Number.isInteger(c.chainId)) throw new ConfigError('chain.chainId missing')
  if (typeof c.rpcUrl !== 'string') throw new ConfigError('chain.rpcUrl missing')
  if (c.wsUrl !== undefined && !(typeof c.wsUrl === 'string' && /^wss?:\/\//.test(c.wsUrl)))
    throw new ConfigError('chain.wsUrl must be a ws:// or wss:// URL')
  if (!isAddr(o.settlement)) throw new ConfigError('settlement address missing')
  if (!Array.isArray(o.tokens) || o.tokens.length === 0) throw new ConfigError('tokens missing')
  const tokens = o.tokens.map((t: Record<string, unknown>, i: number) => {
    if (!isAddr(t.address) || typeof t.symbol !== 'string' || !Number.isInteger(t.decimals))
      throw new ConfigError(`tokens[${i}] needs address, symbol and decimals`)
    return { address: t.address, symbol: t.symbol, decimals: t.decimals as number }
  })
  if (!Array.isArray(o.signaling) || !o.signaling.every((s) => typeof s === 'string'))
    throw new ConfigError('signaling must list WebSocket URLs')
  if (o.relay !== undefined && !(Array.isArray(o.relay) && o.relay.every((s) => typeof s === 'string')))
    throw new ConfigError('relay must list WebSocket URLs')
  return {
    chain: {
      chainId: c.chainId as number,
      rpcUrl: c.rpcUrl,
      ...(typeof c.wsUrl === 'string' ? { wsUrl: c.wsUrl } : {}),
      name: typeof c.name === 'string' ? c.name : `Chain ${c.chainId}`,
      devWallet: c.devWallet === true,
    },
    settlement: o.settlement,
    tokens,
    signaling: o.signaling as string[],
    relay: (o.relay as string[] | undefined) ?? [],
  }
}

/** Loads /app-config.json; rejects with ConfigError explaining what is missing. */
export async function loadAppConfig(): Promise<AppConfig> {
  let res: Response
  try {
    res = await fetch('/app-config.json', { cache: 'no-store' })
  } catch (e) {
    throw new ConfigError(`could not fetch /app-config.json: ${String(e)}`)
  }
  if (!res.ok)
    throw new ConfigError(`/app-config.json: HTTP ${res.status} — run \`npm start\` or provide a deployment`)
  return parseAppConfig(await res.json())
}
