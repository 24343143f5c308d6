// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IChannelSettlement} from "./IChannelSettlement.sol";

/**
 * @title ICooperativeClose
 * @notice Settlement v2 (issue #12): every participant signs a final checkpoint, which becomes final at once (no
 * dispute window), and for small channels every leaf is paid in the same transaction.
 *
 * Typed data (same EIP-712 domain as {IChannelSettlement}):
 * - `Close(bytes32 channelId,uint64 version,bytes32 checkpointDigest)`, signed by a session key valid at `version`:
 *   "checkpoint `checkpointDigest` (its full EIP-712 digest) is the last one; end the channel with it". It is a type of
 *   its own, not a flag on `Checkpoint`: honest keys sign every checkpoint automatically, but a close only when the
 *   participant asked to settle, so a checkpoint everybody signed while trading goes on can never end the channel.
 */
interface ICooperativeClose {
    /// @notice One leaf of a checkpoint's balances tree: `participant` holds `amount` of `token` (`address(0)` = ETH).
    struct BalanceLeaf {
        address participant;
        address token;
        uint256 amount;
    }

    /// @notice A close needs the signature of every participant; `count` were given, `required` (= n) are needed.
    error ChannelSettlementCloseNeedsEveryone(uint256 count, uint256 required);
    /// @notice More leaves than one close may pay out (see `MAX_CLOSE_LEAVES`); close without leaves and claim.
    error ChannelSettlementTooManyLeaves(uint256 count, uint256 max);
    /// @notice Leaves must come in strictly ascending order of their leaf hash (the core's order, no duplicates).
    error ChannelSettlementLeavesNotSorted(uint256 index);
    /// @notice The leaves given do not build the checkpoint's balances root (some missing, extra or altered).
    error ChannelSettlementLeavesMismatch(bytes32 computed, bytes32 balancesRoot);
    /**
     * @notice Too little gas left to push a payout with its full gas allowance; resend with a higher gas limit
     * (unused gas is not charged). Stops a submitter from starving payouts into pull balances.
     */
    error ChannelSettlementPayoutGas(uint256 left, uint256 needed);

    /**
     * @notice Every participant closed the channel with checkpoint `version` (EIP-712 digest `digest`): it is final
     * at once. `paidOut`: every leaf was paid in the same transaction ({ClosePayout}); otherwise each participant
     * claims against `balancesRoot` as after {IChannelSettlement-finalize}.
     */
    event ChannelClosed(
        bytes32 indexed channelId, uint64 indexed version, bytes32 digest, bytes32 balancesRoot, bool paidOut
    );
    /**
     * @notice Leaf of `participant` in `token` paid by a close: `amount` sent to its wallet (`pushed`) or, when the
     * transfer failed (a reverting or gas-hungry recipient, a token refusing it), credited to its pull balance
     * ({IChannelSettlement-withdraw}); `unpaid` is recorded as still owed (nonzero only if the channel held less).
     */
    event ClosePayout(
        bytes32 indexed channelId,
        address indexed participant,
        address indexed token,
        uint256 amount,
        uint256 unpaid,
        bool pushed
    );

    /**
     * @notice Ends the channel with `cp`, final at once, when `sigs` holds a `Close` signature of every participant's
     * session key (valid at `cp.version`, in any order). Anyone may submit. Works while the channel is Open, or while
     * a proposal, exit or escape is pending before its deadline if `cp.version` is not below the pending version
     * (an escape is replaced). `cp` must credit no unknown deposit or forced record and include every overdue forced
     * record, as for a proposal. Deposits it does not credit are refundable, bonds are released and evidence is
     * accepted as after a finalization (from the close on, or the pending deadline if later, plus one window).
     * @param leaves empty: the balances root is stored and every participant claims. Otherwise the checkpoint's
     *        complete leaf list in ascending leaf-hash order (at most `MAX_CLOSE_LEAVES`); each leaf is paid at once,
     *        capped by what the channel holds (the rest recorded as unpaid), pushed to the participant with a
     *        bounded gas allowance and credited to its pull balance if the transfer fails, so no recipient can block
     *        the close. No root is stored then (`getChannel(..).checkpoint.balancesRoot` is zero): nothing is left to
     *        claim.
     */
    function closeCooperatively(
        bytes32 channelId,
        IChannelSettlement.Checkpoint calldata cp,
        bytes[] calldata sigs,
        BalanceLeaf[] calldata leaves
    ) external;

    /// @notice EIP-712 digest of `Close(channelId, version, checkpointDigest)`.
    function hashClose(bytes32 channelId, uint64 version, bytes32 checkpointDigest) external view returns (bytes32);
}
