// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IChannelSettlement} from "./IChannelSettlement.sol";

/**
 * @title ISettlementEvidence
 * @notice Session keys, bonds and the evidence against them (issue #12): key rotation, the participant and key
 * views, every slashing condition (evidence that takes a participant's bond), and the release of a bond once no
 * evidence can come. Called at the settlement contract's address like everything else
 * (its fallback runs them by `delegatecall`, see {ISettlement}); types, errors and events are {IChannelSettlement}'s.
 */
interface ISettlementEvidence {
    /**
     * @notice Replaces `participant`'s session key by `newKey` (issue #12) with its wallet's EIP-712
     * `SessionKeyRotation` signature `walletSig`; anyone may submit it (the signature is the authority). From block
     * `fromSeq` and checkpoint `fromVersion` on only `newKey` counts for the participant; below them the replaced key
     * keeps counting, so what it signed before stays valid. Evidence is not bound by these ranges: every slash counts
     * a signature by any key the participant ever had, so a rotation never erases what a key signed. Reverts once the
     * channel is finalized, for a used or zero key, a start not above the current key's
     * (`ChannelSettlementInvalidRotation`) or a signature not by the wallet.
     */
    function rotateSessionKey(
        bytes32 channelId,
        address participant,
        address newKey,
        uint64 fromSeq,
        uint64 fromVersion,
        bytes calldata walletSig
    ) external;

    /// @notice A participant's session key, index, role, slashed flag and bond; reverts for non-participants.
    function getParticipant(bytes32 channelId, address participant)
        external
        view
        returns (IChannelSettlement.ParticipantInfo memory);

    /// @notice Where `sessionKey` is valid (participant `address(0)` for a key never authorised in the channel).
    function sessionKeyRange(bytes32 channelId, address sessionKey)
        external
        view
        returns (IChannelSettlement.SessionKeyRange memory);

    /// @notice The EIP-712 digest a wallet signs to rotate its session key.
    function hashSessionKeyRotation(
        bytes32 channelId,
        address participant,
        address newKey,
        uint64 fromSeq,
        uint64 fromVersion
    ) external view returns (bytes32);

    /**
     * @notice Slashes the whole bond of `a.author`, given two blocks it signed with the same seq or round (DoubleSpending), and shares it
     * among the other participants (not the submitter). Anyone may submit, until one dispute window after the
     * final deadline.
     */
    function slash(
        bytes32 channelId,
        IChannelSettlement.BlockHeader calldata a,
        IChannelSettlement.BlockHeader calldata b
    ) external;

    /**
     * @notice Slashes the whole bond of the participant whose session key signed two different checkpoints at one
     * version (InvalidStateSubmission), and shares it like {slash}. Anyone may submit, within the same window.
     */
    function slashCheckpoints(
        bytes32 channelId,
        IChannelSettlement.Checkpoint calldata a,
        bytes calldata sigA,
        IChannelSettlement.Checkpoint calldata b,
        bytes calldata sigB
    ) external;

    /**
     * @notice Slashes the whole bond of the participant that proposed (or exited with) the channel's pending or final
     * checkpoint at block time `T` although it had signed `cp`: a higher version, signed by a quorum that includes
     * it, whose channel time is at least forceInclusionDelay before `T` (InvalidStateSubmission). Shared like {slash}.
     * Anyone may submit, within the same window.
     */
    function slashStaleProposal(bytes32 channelId, IChannelSettlement.Checkpoint calldata cp, bytes[] calldata sigs)
        external;

    /**
     * @notice Censorship: slashes the whole bond of the participant whose session key signed `cp` (`sig`), a checkpoint
     * that leaves out forced record `index` (`cp.forcedCount <= index`) although the record was due at the checkpoint's
     * channel time (`cp.time >= 1000 × (record time + forceInclusionDelay)`, the bound at which `propose` refuses such
     * a checkpoint). The signature alone is the evidence; the checkpoint need not have been proposed. Shared like
     * {slash}; anyone may submit, within the same window; a participant is slashed once.
     */
    function slashCensorship(
        bytes32 channelId,
        IChannelSettlement.Checkpoint calldata cp,
        bytes calldata sig,
        uint64 index
    ) external;

    /**
     * @notice Moves the caller's remaining bond to its pull balance once the channel is finalized and the
     * evidence window (one dispute window after the final deadline) has closed.
     */
    function releaseBond(bytes32 channelId) external;

    /// @notice The block id (EIP-712 digest) of `header`; its signature is ignored.
    function hashBlock(bytes32 channelId, IChannelSettlement.BlockHeader calldata header)
        external
        view
        returns (bytes32);
}
