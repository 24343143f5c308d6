import type { Address, ContractFunctionArgs, ContractFunctionName, Hash } from 'viem'
import { estimateContractGas, simulateContract, writeContract } from 'viem/actions'
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
 *
 * The gas limit is the estimate plus a quarter: gas depends on the block's timestamp (a challenge changes the stored
 * deadline only when `now + window` has passed the old one), so an exact estimate made a second early can run
 * out of gas when mined.
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
      const estimate = await estimateContractGas(client, request as Parameters<typeof estimateContractGas>[1])
      return writeContract(client, { ...request, gas: estimate + estimate / 4n } as Parameters<
        typeof writeContract
      >[1])
    })(),
  )
}
