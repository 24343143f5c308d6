import type {
  Account,
  Address,
  Chain,
  Client,
  ContractFunctionArgs,
  ContractFunctionReturnType,
  Transport,
} from 'viem'
import type { channelSettlementAbi } from './generated/abis.ts'

type Abi = typeof channelSettlementAbi

/** Any viem client that can read: a PublicClient, a WalletClient on a full transport, wagmi's clients. */
export type ReadClient = Client<Transport, Chain | undefined>
/** Any viem client with an account that signs transactions: a WalletClient, wagmi's connector client. */
export type WriteClient = Client<Transport, Chain | undefined, Account>

/** Which deployment of ChannelSettlement to talk to. */
export type SettlementTarget = { address: Address }

/** The contract's `OpenParams` struct, as viem encodes it. */
export type OpenParams = ContractFunctionArgs<Abi, 'nonpayable', 'open'>[0]
/** The contract's `Checkpoint` struct (version, leader, time, depositCount, forcedCount, stateRoot, balancesRoot). */
export type ContractCheckpoint = ContractFunctionArgs<Abi, 'nonpayable', 'propose'>[1]
/** The contract's `BlockHeader` struct: a block's signed header fields plus the session-key signature. */
export type BlockHeader = ContractFunctionArgs<Abi, 'nonpayable', 'slash'>[1]
/** The contract's `ChannelInfo` view. */
export type ChannelInfo = ContractFunctionReturnType<Abi, 'view', 'getChannel'>
/** The contract's `ParticipantInfo` view. */
export type ParticipantInfo = ContractFunctionReturnType<Abi, 'view', 'getParticipant'>

/** The contract's channel lifecycle (`IChannelSettlement.Status`). */
export const ChannelStatus = { None: 0, Open: 1, Closing: 2, Finalized: 3 } as const
export type ChannelStatus = (typeof ChannelStatus)[keyof typeof ChannelStatus]
