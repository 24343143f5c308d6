/**
 * Channel operations: their tags, enums and types, and the per-block limits. Participants, tokens and markets are
 * referenced by their index in the channel configuration; the fold rejects indexes that do not exist. The
 * canonical binary encoding is opCodec.ts.
 */

export const OpTag = {
  Deposit: 0x01,
  Withdraw: 0x02,
  Transfer: 0x03,
  Lock: 0x04,
  Unlock: 0x05,
  RotateKey: 0x06,
  StakeAttest: 0x07,
  Place: 0x10,
  Cancel: 0x11,
  Checkpoint: 0x20,
  CheckpointRequest: 0x21,
  Close: 0x22,
  ForcedAttest: 0x40,
  OraclePrice: 0x30,
  PerpPlace: 0x31,
  MarginDeposit: 0x32,
  MarginWithdraw: 0x33,
  Liquidate: 0x34,
  LendSupply: 0x50,
  LendWithdraw: 0x51,
  LendBorrow: 0x52,
  LendRepay: 0x53,
  LendLiquidate: 0x54,
  AmmAdd: 0x58,
  AmmRemove: 0x59,
  AmmSwap: 0x5a,
  AmmVote: 0x5b,
  AmmShareTransfer: 0x5c,
} as const

export const Side = { Buy: 0, Sell: 1 } as const
export type Side = (typeof Side)[keyof typeof Side]
export const OrderKind = { Limit: 0, Market: 1 } as const
export type OrderKind = (typeof OrderKind)[keyof typeof OrderKind]
export const TimeInForce = { GTC: 0, IOC: 1, PostOnly: 2 } as const
export type TimeInForce = (typeof TimeInForce)[keyof typeof TimeInForce]

/**
 * Attests an on-chain deposit record exactly as the contract stored it (its per-channel index, depositor, token
 * and amount). Every participant attests every record it sees on chain; the fold credits a record once q
 * distinct participants attested the same content, in index order, so chain data enters the state at one final
 * position on every replica and a made-up record (attested by fewer than q) is never credited.
 */
export type DepositOp = {
  tag: 0x01
  depositIndex: bigint
  participant: number
  token: number
  amount: bigint
}
/** Move `amount` from available to pending-withdrawal, to be paid out at settlement. */
export type WithdrawOp = { tag: 0x02; token: number; amount: bigint }
export type TransferOp = { tag: 0x03; to: number; token: number; amount: bigint }
/** Lock funds until the channel's logical height reaches `until`. */
export type LockOp = { tag: 0x04; token: number; amount: bigint; until: bigint; reason: number }
/** Release one of the author's own locks, named by the (seq, index) of the op that created it. */
export type UnlockOp = { tag: 0x05; lockSeq: bigint; lockIndex: number }
/**
 * The author's wallet-signed SessionKeyRotation (eip712.ts; issue #12): from block `fromSeq` on the author signs
 * with `newKey`, from checkpoint `fromVersion` on its checkpoint signatures are by `newKey`. Carried as the first op
 * of every block of the author from `fromSeq` on, so each block names the key that signs it (see keys.ts).
 */
export type RotateKeyOp = {
  tag: 0x06
  newKey: Uint8Array
  fromSeq: bigint
  fromVersion: bigint
  signature: Uint8Array
}
/**
 * Attests that `participant`'s bond on chain is at least the channel's minStake (issue #12). The fold lets a
 * participant trade once q distinct participants attested it (a chain fact enters the state like a deposit).
 */
export type StakeAttestOp = { tag: 0x07; participant: number }
/**
 * Place an order of `qty` lots. `price` is in ticks: the limit price for limit orders, the worst acceptable
 * price (max for buys, min for sells) for market orders. Market orders never rest.
 */
export type PlaceOp = {
  tag: 0x10
  market: number
  side: Side
  kind: OrderKind
  tif: TimeInForce
  price: bigint
  qty: bigint
}
/** Cancel one of the author's own resting orders, named by the (seq, index) of the op that placed it. */
export type CancelOp = { tag: 0x11; orderSeq: bigint; orderIndex: number }
/** The author's session-key signature over the checkpoint it computed at `version` (see checkpoint.ts). */
export type CheckpointOp = {
  tag: 0x20
  version: bigint
  leader: Uint8Array
  time: bigint
  depositCount: bigint
  forcedCount: bigint
  stateRoot: Uint8Array
  balancesRoot: Uint8Array
  signature: Uint8Array
}
/** Asks for a checkpoint after the committed leader whose history holds this op (e.g. before settling). */
export type CheckpointRequestOp = { tag: 0x21 }
/**
 * The author's session-key signature over `Close(channelId, version, checkpointDigest)` (close.ts): it agrees to
 * end the channel with that checkpoint (cooperative close, issue #12). The first one seen is the request; with
 * every participant's, anyone submits `closeCooperatively`. Signed only on the participant's click, never
 * automatically.
 */
export type CloseOp = { tag: 0x22; version: bigint; checkpointDigest: Uint8Array; signature: Uint8Array }
/**
 * Attests an on-chain forced-inclusion record exactly as the contract recorded it (its per-channel forced index,
 * the participant that posted it, and the posted bytes: one encoded op, see {@link decodeForcedOp}). Every
 * participant attests every record it reads from the contract; the fold includes record i once q distinct
 * participants attested identical content, in index order, and applies the posted op at that position as if
 * `participant` had authored it (its lock / order key is `participant:0:i`; block seqs start at 1).
 * The bytes are carried as they are: a record whose bytes are no valid op is still included (and its op
 * skipped), so nobody can stall the queue by posting garbage on chain.
 */
export type ForcedAttestOp = { tag: 0x40; forcedIndex: bigint; participant: number; op: Uint8Array }
/** The channel's designated oracle posts the index price of a perp market, in ticks. */
export type OraclePriceOp = { tag: 0x30; market: number; price: bigint }
/**
 * An order on a perp market (same matching engine and semantics as PlaceOp). A reduce-only order only ever
 * shrinks the author's position: it is refused unless it does, and its fills are clipped to the position.
 */
export type PerpPlaceOp = {
  tag: 0x31
  market: number
  side: Side
  kind: OrderKind
  tif: TimeInForce
  reduceOnly: boolean
  price: bigint
  qty: bigint
}
/** Moves collateral-token funds from the ledger into the author's margin account. */
export type MarginDepositOp = { tag: 0x32; amount: bigint }
/** Moves funds out of the margin account back to the ledger, if the account stays within initial margin. */
export type MarginWithdrawOp = { tag: 0x33; amount: bigint }
/** Liquidates `trader`'s position in `market` when the account is below maintenance margin. */
export type LiquidateOp = { tag: 0x34; trader: number; market: number }
/** Lending pool (src/core/lending): moves `amount` of `token` from the ledger into the pool for supply shares. */
export type LendSupplyOp = { tag: 0x50; token: number; amount: bigint }
/** Withdraws `amount` of the author's supply (all of it when amount ≥ the claim), within its loan-to-value limit. */
export type LendWithdrawOp = { tag: 0x51; token: number; amount: bigint }
/** Borrows `amount` of `token` from the pool against the author's supplies, within its loan-to-value limit. */
export type LendBorrowOp = { tag: 0x52; token: number; amount: bigint }
/** Repays `amount` of the author's debt in `token` (all of it when amount ≥ the debt). */
export type LendRepayOp = { tag: 0x53; token: number; amount: bigint }
/**
 * Liquidates `trader` (health < 1): repays up to `amount` of its debt in `debtToken` and takes its supply of
 * `collateralToken` worth that plus the liquidation bonus.
 */
export type LendLiquidateOp = {
  tag: 0x54
  trader: number
  debtToken: number
  collateralToken: number
  amount: bigint
}
/**
 * Adds liquidity to the AMM pool of spot market `market` (src/core/amm): at most `baseMax` / `quoteMax` (the first
 * deposit sets the price and takes both; later ones take the pool ratio), refused if it mints fewer than
 * `minShares`. The author's fee vote becomes `voteBps` (one of the fee tiers).
 */
export type AmmAddOp = {
  tag: 0x58
  market: number
  baseMax: bigint
  quoteMax: bigint
  minShares: bigint
  voteBps: number
}
/** Burns `shares` of the author's pool shares for their pro-rata reserves, refused below the minimum outputs. */
export type AmmRemoveOp = { tag: 0x59; market: number; shares: bigint; minBase: bigint; minQuote: bigint }
/**
 * Swaps exactly `amountIn` against the pool (Buy: pays quote, receives base; Sell: the reverse), refused if the
 * output is below `minOut` or the channel clock is past `deadline` (ms).
 */
export type AmmSwapOp = {
  tag: 0x5a
  market: number
  side: Side
  amountIn: bigint
  minOut: bigint
  deadline: bigint
}
/** Sets the author's fee vote in a pool it holds shares of. */
export type AmmVoteOp = { tag: 0x5b; market: number; voteBps: number }
/** Gives `shares` pool shares to `to` (whose vote, if it had none, becomes the sender's). */
export type AmmShareTransferOp = { tag: 0x5c; market: number; to: number; shares: bigint }

export type Op =
  | DepositOp
  | WithdrawOp
  | TransferOp
  | LockOp
  | UnlockOp
  | RotateKeyOp
  | StakeAttestOp
  | PlaceOp
  | CancelOp
  | CheckpointOp
  | CheckpointRequestOp
  | CloseOp
  | ForcedAttestOp
  | OraclePriceOp
  | PerpPlaceOp
  | MarginDepositOp
  | MarginWithdrawOp
  | LiquidateOp
  | LendSupplyOp
  | LendWithdrawOp
  | LendBorrowOp
  | LendRepayOp
  | LendLiquidateOp
  | AmmAddOp
  | AmmRemoveOp
  | AmmSwapOp
  | AmmVoteOp
  | AmmShareTransferOp

export const MAX_OPS_PER_BLOCK = 4096
/** Longest op a forced-inclusion record carries (the contract's MAX_FORCED_OP_LENGTH). */
export const MAX_FORCED_OP_BYTES = 256
/** Checkpoint and close signatures cost a signature recovery each: a block carries at most this many. */
export const MAX_CHECKPOINT_OPS_PER_BLOCK = 4
