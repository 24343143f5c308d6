import type { Address, ContractFunctionArgs, ContractFunctionName, Hash } from 'viem'
import { simulateContract, writeContract } from 'viem/actions'
import { withDecodedErrors } from '../errors.ts'
import { channelSettlementAbi } from '../generated/abis.ts'
import type { WriteClient } from '../types.ts'

type Abi = typeof channelSettlementAbi
type WriteName = ContractFunctionName<Abi, 'nonpayable' | 'payable'>

export type WriteSettlementParameters<F extends WriteName> = {
  address: Address
  functionName: F
  args: ContractFunctionArgs<Abi, 'nonpayable' | 'payable', F>
  /** wei sent along (depositEth, bond) */
  value?: bigint
}

/**
 * Simulates a ChannelSettlement call with the client's account, then sends it. A revert throws a
 * SettlementRevertedError (name, arguments, notice) before anything is signed or sent, with any wallet.
 */
export async function writeSettlement<F extends WriteName>(
  client: WriteClient,
  { address, functionName, args, value }: WriteSettlementParameters<F>,
): Promise<Hash> {
  return withDecodedErrors(
    (async () => {
      const { request } = await simulateContract(client, {
        address,
        abi: channelSettlementAbi,
        functionName,
        args,
        account: client.account,
        chain: client.chain,
        ...(value === undefined ? {} : { value }),
      } as Parameters<typeof simulateContract>[1])
      return writeContract(client, request as Parameters<typeof writeContract>[1])
    })(),
  )
}
