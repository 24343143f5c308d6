// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IChannelSettlement
 * @notice On-chain settlement for a multi-party state channel: open, deposit, bond, propose and
 * challenge checkpoints, finalize, claim with Merkle proofs, exit alone, slash equivocation.
 *
 * Typed data (EIP-712 domain `ChannelExchange`, version `1`, chain id, this contract):
 * - `SessionKey(bytes32 channelId,address participant,address sessionKey)`, signed by the wallet;
 * - `Block(bytes32 channelId,address author,uint64 seq,uint64 round,uint64 time,bytes32 prev,bytes32 parentsHash,bytes32 opsHash)`,
 *   signed by the author's session key; the block id is the full EIP-712 digest; `time` in milliseconds;
 * - `Checkpoint(bytes32 channelId,uint64 version,bytes32 leader,uint64 time,uint64 depositCount,uint64 forcedCount,bytes32 stateRoot,bytes32 balancesRoot)`,
 *   signed by session keys: the state after committed leader block `leader` at channel time `time` (ms),
 *   crediting deposit records `0 .. depositCount - 1` and including forced records `0 .. forcedCount - 1`.
 * Signatures are 65 bytes `r ‖ s ‖ v`, `v` in {27, 28}, low `s`.
 */
interface IChannelSettlement {
    // ------------------------------------------------------------------------------------------
    // Types
    // ------------------------------------------------------------------------------------------

    /// @notice Lifecycle of a channel. `Closing` starts with the first accepted checkpoint.
    enum Status {
        None,
        Open,
        Closing,
        Finalized
    }

    /**
     * @notice Everything that defines a channel; all but `sessionKeys` go into the channel id.
     * @param participants wallets, distinct and nonzero, 2 to 200 of them (MAX_PARTICIPANTS)
     * @param sessionKeys the key each participant's wallet authorises, distinct and nonzero
     * @param roles 0 Trader, 1 MarketMaker, 2 Liquidator, 3 Observer (enforced by the channel core)
     * @param threshold signatures needed for a checkpoint, `n / 2 < threshold <= n`
     * @param disputeWindow seconds, `0 < disputeWindow <= MAX_DISPUTE_WINDOW`
     * @param minStake bond the channel core expects from each participant (informational on-chain)
     * @param maxLeverage leverage cap for the channel core (informational on-chain)
     * @param tokens accepted tokens, distinct, 1 to 256 of them; `address(0)` is native ETH
     * @param nonce lets the same group open several channels
     */
    struct OpenParams {
        address[] participants;
        address[] sessionKeys;
        uint8[] roles;
        uint16 threshold;
        uint64 disputeWindow;
        uint256 minStake;
        uint32 maxLeverage;
        address[] tokens;
        uint256 nonce;
    }

    /**
     * @notice A checkpoint of channel state; its channel id is passed alongside, never inside.
     * @param version increases by one per checkpoint the channel core derives from its commits
     * @param leader id of the committed leader block after whose causal history the state is taken
     * @param time the channel clock at that leader, in milliseconds
     * @param depositCount deposit records with an index below it are credited; the others are refundable
     *        after finalization ({refundDeposit})
     * @param forcedCount forced-inclusion records with an index below it are included
     */
    struct Checkpoint {
        uint64 version;
        bytes32 leader;
        uint64 time;
        uint64 depositCount;
        uint64 forcedCount;
        bytes32 stateRoot;
        bytes32 balancesRoot;
    }

    /**
     * @notice What the contract keeps of the pending or final checkpoint (three storage words): the fields it acts
     * on and the EIP-712 `digest` that commits to the rest (`leader`, `stateRoot` are in the proposal's calldata).
     */
    struct CheckpointRecord {
        uint64 version;
        uint64 time;
        uint64 depositCount;
        uint64 forcedCount;
        bytes32 balancesRoot;
        bytes32 digest;
    }

    /**
     * @notice What a slashed participant did: two blocks at one seq or round (DoubleSpending); two checkpoints at one
     * version, or a proposal or exit older than a quorum checkpoint it had signed well before (InvalidStateSubmission);
     * a pending proposal superseded by such a checkpoint (Griefing, part of the bond); a signature on a checkpoint that
     * leaves out a forced record already due at its channel time (Censorship).
     */
    enum Offence {
        DoubleSpending,
        InvalidStateSubmission,
        Griefing,
        Censorship
    }

    /// @notice A block header as signed by its author's session key (`signature` is not hashed).
    struct BlockHeader {
        address author;
        uint64 seq;
        uint64 round;
        uint64 time;
        bytes32 prev;
        bytes32 parentsHash;
        bytes32 opsHash;
        bytes signature;
    }

    /// @notice One deposit as received by this contract.
    struct DepositRecord {
        address participant;
        address token;
        uint256 amount;
    }

    /**
     * @notice One forced-inclusion record: an op a participant posted on chain because its blocks were ignored.
     * The op bytes themselves are only in the {ForcedOpRecorded} event; `opHash` is their keccak256.
     * @param time block timestamp (seconds) at which it was recorded
     */
    struct ForcedRecord {
        address participant;
        bytes32 opHash;
        uint64 time;
    }

    /// @notice Read-only view of a channel.
    struct ChannelInfo {
        Status status;
        uint16 threshold;
        uint32 maxLeverage;
        uint64 disputeWindow;
        uint64 depositCount;
        uint64 forcedCount;
        uint64 firstProposalAt;
        uint64 deadline;
        uint256 minStake;
        CheckpointRecord checkpoint;
        address[] participants;
        address[] tokens;
    }

    /// @notice Read-only view of one participant of a channel.
    struct ParticipantInfo {
        address sessionKey;
        uint8 index;
        uint8 role;
        bool slashed;
        uint256 bond;
    }

    /**
     * @notice Where a session key is valid (issue #12): blocks with `fromSeq <= seq < untilSeq` and checkpoints with
     * `fromVersion <= version < untilVersion`; an `until` of 0 means open-ended (the participant's current key).
     */
    struct SessionKeyRange {
        address participant;
        uint64 fromSeq;
        uint64 untilSeq;
        uint64 fromVersion;
        uint64 untilVersion;
    }

    // ------------------------------------------------------------------------------------------
    // Errors
    // ------------------------------------------------------------------------------------------

    /// @notice A channel needs 2 to 200 participants (MAX_PARTICIPANTS: `open` must fit one transaction's gas cap).
    error ChannelSettlementInvalidParticipantCount(uint256 count);
    /// @notice `sessionKeys`, `roles` and `keyAuthSigs` must have one entry per participant.
    error ChannelSettlementLengthMismatch();
    /// @notice A participant is `address(0)` or listed twice.
    error ChannelSettlementInvalidParticipant(address participant);
    /// @notice A session key is `address(0)` or used twice in the channel.
    error ChannelSettlementInvalidSessionKey(address sessionKey);
    /// @notice The threshold must satisfy `n / 2 < threshold <= n`.
    error ChannelSettlementInvalidThreshold(uint256 threshold, uint256 participants);
    /// @notice Roles are 0..3.
    error ChannelSettlementInvalidRole(uint8 role);
    /// @notice The dispute window must satisfy `0 < window <= MAX_DISPUTE_WINDOW`.
    error ChannelSettlementInvalidDisputeWindow(uint64 window);
    /// @notice A channel accepts 1 to 256 tokens.
    error ChannelSettlementInvalidTokenCount(uint256 count);
    /// @notice A token is listed twice.
    error ChannelSettlementDuplicateToken(address token);
    /// @notice A channel with these parameters already exists (use another nonce).
    error ChannelSettlementChannelExists(bytes32 channelId);
    /// @notice No channel has this id.
    error ChannelSettlementUnknownChannel(bytes32 channelId);
    /// @notice `account` is not a participant of the channel.
    error ChannelSettlementNotParticipant(bytes32 channelId, address account);

    /// @notice Signature `index` is malformed: not 65 bytes, high `s`, bad `v` or unrecoverable.
    error ChannelSettlementInvalidSignature(uint256 index);
    /// @notice Signature `index` is well formed but was made by `recovered`, not by `expected`.
    error ChannelSettlementWrongSigner(uint256 index, address expected, address recovered);
    /**
     * @notice Signature `index` is by a session key of the right participant, but one its wallet replaced for this
     * checkpoint version (`at`): a leaked key signs nothing the contract settles after a rotation. (Evidence is not
     * bound by key ranges: a slash counts any key the participant ever had.)
     */
    error ChannelSettlementRevokedKey(uint256 index, address key, uint64 at);
    /// @notice A rotation must start above the current key's start: `fromSeq` higher, `fromVersion` at least as high (and ≥ 1, < 2^48).
    error ChannelSettlementInvalidRotation(uint64 fromSeq, uint64 fromVersion);
    /// @notice Signature `index` comes from a key that is no session key of this channel.
    error ChannelSettlementUnauthorizedSigner(uint256 index, address signer);
    /// @notice Signature `index` comes from a participant that already signed.
    error ChannelSettlementDuplicateSigner(uint256 index, address participant);
    /// @notice `count` signatures given where `required` distinct participants must sign.
    error ChannelSettlementInsufficientSignatures(uint256 count, uint256 required);

    /// @notice Deposits are accepted only before settlement starts.
    error ChannelSettlementChannelNotOpen(bytes32 channelId);
    /// @notice The channel is finalized; its checkpoint can no longer change.
    error ChannelSettlementChannelFinalized(bytes32 channelId);
    /// @notice The channel does not accept this token.
    error ChannelSettlementTokenNotAccepted(bytes32 channelId, address token);
    /// @notice Native ETH is deposited with {depositEth}.
    error ChannelSettlementNativeTokenDeposit();
    /// @notice Amounts must be nonzero (for deposits: the amount actually received).
    error ChannelSettlementZeroAmount();
    /**
     * @notice The deposit would take the channel's holdings of the token above `type(uint128).max`, the most the
     * channel core can hold of a token (its ledger is u128): such a deposit could never be credited nor refunded.
     */
    error ChannelSettlementAmountTooLarge(uint256 amount);
    /// @notice No deposit with this index.
    error ChannelSettlementDepositNotFound(bytes32 channelId, uint64 index);
    /// @notice The participant was slashed and may not bond again.
    error ChannelSettlementParticipantSlashed(bytes32 channelId, address participant);
    /// @notice The participant has no bond to release.
    error ChannelSettlementNoBond(bytes32 channelId, address participant);
    /// @notice Bonds stay locked until `unlockAt`, while evidence against their owners may still arrive.
    error ChannelSettlementBondLocked(bytes32 channelId, uint64 unlockAt);
    /// @notice Evidence was accepted until `closedAt` (one dispute window after the final deadline); bonds are free now.
    error ChannelSettlementEvidenceWindowClosed(bytes32 channelId, uint64 closedAt);

    /// @notice A challenge must carry a strictly higher version than `current`.
    error ChannelSettlementStaleVersion(uint64 version, uint64 current);
    /// @notice The dispute window closed at `deadline`; call {finalize}.
    error ChannelSettlementDisputeClosed(uint64 deadline);
    /// @notice The dispute window is still open until `deadline`.
    error ChannelSettlementDisputeOpen(uint64 deadline);
    /// @notice Nothing was proposed yet, so there is nothing to finalize.
    error ChannelSettlementNoProposal(bytes32 channelId);
    /// @notice Claims and bond releases need a finalized channel.
    error ChannelSettlementNotFinalized(bytes32 channelId);
    /// @notice At this version the checkpoint with digest `winning` is pending; only a lower digest replaces it.
    error ChannelSettlementCheckpointConflict(uint64 version, bytes32 winning);
    /// @notice The checkpoint credits `depositCount` deposit records, but only `recorded` exist.
    error ChannelSettlementUnknownDeposits(uint64 depositCount, uint64 recorded);
    /// @notice The checkpoint includes `forcedCount` forced records, but only `recorded` exist.
    error ChannelSettlementUnknownForcedOps(uint64 forcedCount, uint64 recorded);
    /**
     * @notice The checkpoint includes forced records below `forcedCount`, but record `forcedCount` was recorded at
     * `recordedAt` and had to be included from `dueAt` (recordedAt + the channel's force-inclusion delay) on.
     */
    error ChannelSettlementForcedOpExcluded(uint64 forcedCount, uint64 recordedAt, uint64 dueAt);
    /// @notice A forced op must be 1 to `max` bytes long (one encoded core op); it was `length`.
    error ChannelSettlementInvalidForcedOp(uint256 length, uint256 max);
    /// @notice `participant` already posted `max` forced ops in the current window; it may post again from `retryAt`.
    error ChannelSettlementForcedOpLimit(bytes32 channelId, address participant, uint256 max, uint64 retryAt);
    /// @notice Forced record `index` does not exist.
    error ChannelSettlementForcedOpNotFound(bytes32 channelId, uint64 index);
    /// @notice Deposit `index` is credited by the final checkpoint (it credits indices below `credited`).
    error ChannelSettlementDepositCredited(bytes32 channelId, uint64 index, uint64 credited);
    /// @notice Deposit `index` was already refunded.
    error ChannelSettlementAlreadyRefunded(bytes32 channelId, uint64 index);
    /// @notice After finalization an exit must name the finalized checkpoint.
    error ChannelSettlementCheckpointMismatch(uint64 version, uint64 finalizedVersion);

    /// @notice This (participant, token) already claimed or exited in this channel.
    error ChannelSettlementAlreadySettled(bytes32 channelId, address participant, address token);
    /// @notice The Merkle proof does not lead from the leaf to the checkpoint's balances root.
    error ChannelSettlementInvalidProof();
    /// @notice The caller has no pull balance in `token`.
    error ChannelSettlementNothingToWithdraw(address token);
    /// @notice Sending ETH to `to` failed.
    error ChannelSettlementEthTransferFailed(address to, uint256 amount);

    /// @notice Equivocation evidence must name the same author twice.
    error ChannelSettlementAuthorMismatch(address authorA, address authorB);
    /// @notice Equivocation evidence must carry the same seq or the same round twice.
    error ChannelSettlementNoEquivocation(uint64 seqA, uint64 seqB, uint64 roundA, uint64 roundB);
    /// @notice Conflicting-checkpoint evidence must carry the same version twice.
    error ChannelSettlementVersionMismatch(uint64 versionA, uint64 versionB);
    /// @notice Both checkpoints hash to `digest`: that is one checkpoint, not two.
    error ChannelSettlementIdenticalCheckpoints(bytes32 digest);
    /// @notice Both headers hash to `blockId`: that is one block, not two.
    error ChannelSettlementIdenticalBlocks(bytes32 blockId);
    /// @notice The author was already slashed in this channel.
    error ChannelSettlementAlreadySlashed(bytes32 channelId, address author);
    /// @notice Stale-proposal evidence must carry the offender's own signature among the quorum's.
    error ChannelSettlementNotSignedBy(address participant);
    /**
     * @notice The newer checkpoint (channel time `time`, ms) is not at least the force-inclusion delay older than the
     * proposal made at `proposedAt` (s): its signer may not have had a quorum for it yet.
     */
    error ChannelSettlementCheckpointTooRecent(uint64 time, uint64 proposedAt);
    /// @notice Censorship evidence: the checkpoint includes forced record `index` (its `forcedCount` is above it).
    error ChannelSettlementForcedOpIncluded(uint64 index, uint64 forcedCount);
    /**
     * @notice Censorship evidence: the checkpoint's channel time `time` (ms) is before forced record `index` was due,
     * `dueAt` (ms: its record time plus the force-inclusion delay); leaving it out then was allowed.
     */
    error ChannelSettlementForcedOpNotDue(uint64 index, uint64 time, uint256 dueAt);

    // ------------------------------------------------------------------------------------------
    // Events
    // ------------------------------------------------------------------------------------------

    /// @notice A channel was opened with `params`, every session key authorised by its wallet.
    event ChannelOpened(bytes32 indexed channelId, address indexed opener, OpenParams params);
    /// @notice Deposit number `index` of the channel: `amount` is what this contract received.
    event Deposited(
        bytes32 indexed channelId, uint64 indexed index, address indexed participant, address token, uint256 amount
    );
    /**
     * @notice Forced record number `index` of the channel: `participant` posted `op` (one encoded core op) at `time`;
     * every replica attests it (a ForcedAttest op) and the core applies it as if `participant` had authored it.
     */
    event ForcedOpRecorded(
        bytes32 indexed channelId, uint64 indexed index, address indexed participant, bytes op, uint64 time
    );
    /// @notice `participant`'s wallet replaced session key `oldKey` by `newKey` from block `fromSeq` and version `fromVersion` on.
    event SessionKeyRotated(
        bytes32 indexed channelId,
        address indexed participant,
        address oldKey,
        address newKey,
        uint64 fromSeq,
        uint64 fromVersion
    );
    /// @notice `participant` added `amount` ETH to its bond, now `total`.
    event Bonded(bytes32 indexed channelId, address indexed participant, uint256 amount, uint256 total);
    /// @notice The first checkpoint (EIP-712 `digest`) was accepted; settlement started and ends at `deadline`.
    event CheckpointProposed(
        bytes32 indexed channelId,
        uint64 indexed version,
        address indexed submitter,
        bytes32 digest,
        bytes32 balancesRoot,
        uint64 deadline
    );
    /**
     * @notice A newer checkpoint (or, at the same version, one with a lower digest) replaced version
     * `previousVersion`; settlement now ends at `deadline`.
     */
    event CheckpointChallenged(
        bytes32 indexed channelId,
        uint64 indexed version,
        address indexed submitter,
        uint64 previousVersion,
        bytes32 digest,
        bytes32 balancesRoot,
        uint64 deadline
    );
    /// @notice `participant` started the liveness escape: unless a quorum checkpoint arrives by `deadline`, every
    /// deposit becomes refundable.
    event EscapeStarted(bytes32 indexed channelId, address indexed participant, uint64 deadline);
    /// @notice Checkpoint `version` with `balancesRoot` became final.
    event ChannelFinalized(bytes32 indexed channelId, uint64 indexed version, bytes32 balancesRoot);
    /**
     * @notice `participant` claimed its leaf of `token` in finalized checkpoint `version`: `amount` was credited
     * to its pull balance and `unpaid` (nonzero only if the channel held less) is recorded as still owed.
     */
    event Claimed(
        bytes32 indexed channelId,
        address indexed participant,
        address indexed token,
        uint256 amount,
        uint256 unpaid,
        uint64 version
    );
    /**
     * @notice `participant` asked to leave with `amount` of `token` from checkpoint `version`, which now counts
     * as a proposal. Nothing is paid yet: it claims from whichever checkpoint is finalized.
     */
    event ExitRequested(
        bytes32 indexed channelId, address indexed participant, address indexed token, uint256 amount, uint64 version
    );
    /// @notice `account` withdrew its pull balance of `token`.
    event Withdrawn(address indexed account, address indexed token, uint256 amount);
    /**
     * @notice `author` committed `offence`, proven by two block ids or two checkpoint digests (`evidenceA`,
     * `evidenceB`); its bond `amount` was shared among the other participants.
     */
    event Slashed(
        bytes32 indexed channelId,
        address indexed author,
        address indexed submitter,
        Offence offence,
        uint256 amount,
        bytes32 evidenceA,
        bytes32 evidenceB
    );
    /// @notice Deposit `index`, not credited by the final checkpoint, went back to `participant`'s pull balance.
    event DepositRefunded(
        bytes32 indexed channelId,
        uint64 indexed index,
        address indexed participant,
        address token,
        uint256 amount,
        uint256 unpaid
    );
    /// @notice `participant`'s bond `amount` moved to its pull balance after the evidence window.
    event BondReleased(bytes32 indexed channelId, address indexed participant, uint256 amount);

    // ------------------------------------------------------------------------------------------
    // Actions
    // ------------------------------------------------------------------------------------------

    /**
     * @notice Opens a channel. Only a participant may submit; `keyAuthSigs[i]` must be participant `i`'s wallet
     * signature over `SessionKey(channelId, participants[i], sessionKeys[i])`.
     * @return channelId see {computeChannelId}
     */
    function open(OpenParams calldata params, bytes[] calldata keyAuthSigs) external returns (bytes32 channelId);

    /**
     * @notice Deposits `amount` of an accepted ERC-20 `token` for the calling participant while the
     * channel is open. The measured balance change is credited (fee-on-transfer safe).
     * @return index the deposit's sequential index in the channel
     */
    function deposit(bytes32 channelId, address token, uint256 amount) external returns (uint64 index);

    /// @notice Deposits `msg.value` ETH (token `address(0)`, if accepted) for the calling participant.
    function depositEth(bytes32 channelId) external payable returns (uint64 index);

    /// @notice Adds `msg.value` ETH to the calling participant's bond, until finalization.
    function bond(bytes32 channelId) external payable;

    /**
     * @notice Forced inclusion: a participant whose ops the others ignore posts one encoded op (1 to
     * MAX_FORCED_OP_LENGTH bytes, at most MAX_FORCED_OPS_PER_WINDOW per participant and force-inclusion delay) while the
     * channel is open. It gets the next forced index; from `time + forceInclusionDelay(channelId)` on, no checkpoint
     * that leaves it out can be proposed or exited with (so none can become final).
     * @return index the record's sequential index in the channel's forced queue
     */
    function forceInclude(bytes32 channelId, bytes calldata op) external returns (uint64 index);

    /**
     * @notice Proposes a checkpoint signed by at least `threshold` distinct participants' session keys.
     * The first one starts settlement; later ones must arrive before the deadline and carry a higher
     * version, or the same version and a lower EIP-712 digest (the core's rule for conflicting checkpoints
     * at one version). It may credit only deposits and include only forced records that exist, and must include
     * every forced record recorded at least forceInclusionDelay ago. Anyone may submit.
     */
    function propose(bytes32 channelId, Checkpoint calldata cp, bytes[] calldata sigs) external;

    /**
     * @notice Liveness escape for a channel where no quorum can be reached: a participant ends trading with no
     * checkpoint. Any quorum checkpoint proposed within the long escape window (at least MIN_ESCAPE_WINDOW,
     * and at least twice the dispute window) replaces it and settlement runs as usual; otherwise the channel
     * finalizes at version 0, crediting no deposit, and every deposit is refundable with {refundDeposit}.
     */
    function escape(bytes32 channelId) external;

    /// @notice Makes the current checkpoint final once its deadline has passed. Anyone may call.
    function finalize(bytes32 channelId) external;

    /**
     * @notice Credits the caller's pull balance with `amount` of `token`, its leaf in the finalized
     * checkpoint, proven by `proof`. Once per (channel, participant, token). If the channel holds less, it
     * credits what is left and records the difference in {unpaid} instead of reverting.
     */
    function claim(bytes32 channelId, address token, uint256 amount, bytes32[] calldata proof) external;

    /**
     * @notice {claim}, then {withdraw} of the caller's whole pull balance of `token`, in one transaction.
     */
    function claimAndWithdraw(bytes32 channelId, address token, uint256 amount, bytes32[] calldata proof) external;

    /**
     * @notice Lets one participant start (or join) settlement alone with a checkpoint signed by at least
     * `threshold` participants that holds its leaf. Nothing is paid before the dispute ends: the
     * checkpoint is a proposal like any other, a newer one may replace it, and the participant is paid
     * its leaf in the checkpoint that is finally accepted. After finalization it is a {claim} against the
     * finalized checkpoint (`sigs` unused).
     */
    function emergencyExit(
        bytes32 channelId,
        Checkpoint calldata cp,
        bytes[] calldata sigs,
        address token,
        uint256 amount,
        bytes32[] calldata proof
    ) external;

    /// @notice Sends the caller its whole pull balance of `token` (`address(0)` for ETH).
    function withdraw(address token) external;

    /**
     * @notice After finalization, credits deposit `index` back to its depositor's pull balance when the final
     * checkpoint does not credit it (`index >= checkpoint.depositCount`). Anyone may call; once per deposit.
     */
    function refundDeposit(bytes32 channelId, uint64 index) external;

    // ------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------

    /// @notice The id a channel with `params` gets on this chain and contract.
    function computeChannelId(OpenParams calldata params) external view returns (bytes32);

    /// @notice The EIP-712 digest a wallet signs to authorise `sessionKey`.
    function hashSessionKey(bytes32 channelId, address participant, address sessionKey) external view returns (bytes32);

    /// @notice The EIP-712 digest session keys sign for `cp`.
    function hashCheckpoint(bytes32 channelId, Checkpoint calldata cp) external view returns (bytes32);

    /// @notice The Merkle leaf for `participant`'s `amount` of `token` in checkpoint `version`.
    function exitLeaf(bytes32 channelId, uint64 version, address participant, address token, uint256 amount)
        external
        pure
        returns (bytes32);

    /// @notice The EIP-712 domain separator of this contract on this chain.
    function domainSeparator() external view returns (bytes32);

    /// @notice Configuration and settlement state of a channel.
    function getChannel(bytes32 channelId) external view returns (ChannelInfo memory);

    /// @notice How much of `token` the channel holds: deposits minus claims.
    function holdings(bytes32 channelId, address token) external view returns (uint256);

    /// @notice Number of deposits so far; indices run from 0 to this minus one.
    function depositCount(bytes32 channelId) external view returns (uint64);

    /// @notice The deposit with `index`; reverts if there is none.
    function getDeposit(bytes32 channelId, uint64 index) external view returns (DepositRecord memory);

    /// @notice The forced record with `index`; reverts if there is none. Their number is `getChannel(..).forcedCount`.
    function getForcedOp(bytes32 channelId, uint64 index) external view returns (ForcedRecord memory);

    /// @notice How long a forced record may be left out of checkpoints: min(disputeWindow, FORCE_INCLUSION_DELAY).
    function forceInclusionDelay(bytes32 channelId) external view returns (uint64);

    /// @notice Whether deposit `index` was refunded.
    function isRefunded(bytes32 channelId, uint64 index) external view returns (bool);

    /// @notice Whether `participant` already claimed or exited `token` in the channel.
    function isSettled(bytes32 channelId, address participant, address token) external view returns (bool);

    /// @notice `account`'s pull balance of `token`, ready for {withdraw}.
    function owed(address account, address token) external view returns (uint256);

    /**
     * @notice What the channel could not pay `participant` in `token` because its holdings ran out: the unpaid part of
     * its claimed leaf plus that of its refunded deposits. Zero unless the final checkpoint promised more than the
     * channel held.
     */
    function unpaid(bytes32 channelId, address participant, address token) external view returns (uint256);
}
