// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

import {IChannelSettlement} from "./interfaces/IChannelSettlement.sol";
import {ICooperativeClose} from "./interfaces/ICooperativeClose.sol";
import {ChannelSettlementEvidence} from "./ChannelSettlementEvidence.sol";
import {SettlementStorage} from "./SettlementStorage.sol";

/**
 * @title ChannelSettlement
 * @notice Holds the funds of multi-party state channels and settles them from signed checkpoints.
 *
 * Lifecycle: {open} → {deposit}/{depositEth}/{bond} → {propose} (first checkpoint, settlement starts,
 * deposits stop) → challenges via {propose} with higher versions → {finalize} → {claim} → {withdraw}.
 * {emergencyExit} lets one participant leave early with a fully-signed checkpoint; {slash} takes an
 * equivocator's bond at any time while it has one.
 *
 * Two contracts, one address (EIP-170 caps runtime code at 24,576 bytes): this one, and
 * {ChannelSettlementEvidence} (session-key rotation, the participant and key views, slashing, bond release), which
 * the constructor deploys and the fallback runs by `delegatecall` on this contract's storage. Both inherit their
 * whole storage from {SettlementStorage}. Users and the app see one contract ({ISettlement}, one ABI).
 *
 * Rules a reader of the channel core needs (see contracts/CONTEXT.md):
 * - Deadline: the first checkpoint at time `T0` sets `deadline = T0 + W` (W = dispute window).
 *   A challenge at time `t < deadline` sets `deadline = min(max(deadline, t + W), T0 + 2W)`: a late
 *   challenge leaves everyone a full window to answer, but no sequence of challenges moves the
 *   deadline past `T0 + 2W`.
 * - Holdings: each (channel, token) has holdings = deposits − claims. A claim pays at most the
 *   holdings and records the rest as unpaid, so one channel never pays out another channel's funds
 *   and no claim is refused for a shortfall (nothing stranded).
 * - Exit vs finalize: an emergency exit is a proposal of its checkpoint and pays nothing; every
 *   participant is paid its leaf in the finalized checkpoint (no payout before the dispute ends).
 * - Slashing: the whole bond goes out through pull balances, equally to the other participants
 *   (rounding dust to the first of them), never to the submitter. Evidence is accepted until one
 *   dispute window after the final deadline; bonds can be released from then on, not before.
 * - minStake, maxLeverage and roles are recorded for the channel core and not enforced here; a bond
 *   is whatever a participant chose to lock with {bond} (the core refuses a participant's trades until q
 *   participants attested its bond reaches minStake).
 * - Session keys: a wallet can replace its key ({rotateSessionKey}); each key is valid for a range of block seqs
 *   and checkpoint versions, the replaced one only below the rotation's starts.
 * - Money leaves only through {withdraw} (pull payments). Every function that moves or credits money
 *   shares one `nonReentrant` guard, and all follow checks-effects-interactions except {deposit},
 *   which must call the token before it can measure what arrived.
 */
contract ChannelSettlement is SettlementStorage, IChannelSettlement, ICooperativeClose {
    using SafeERC20 for IERC20;

    /// @notice EIP-712 type hash of the wallet's session-key authorisation.
    bytes32 public constant SESSION_KEY_TYPEHASH =
        keccak256("SessionKey(bytes32 channelId,address participant,address sessionKey)");

    /**
     * @notice Most participants a channel may have: `open` for 200 costs about 15.7 M gas including calldata, inside
     * the 16,777,216 per-transaction cap (EIP-7825); 256 would need about 19.6 M. (A signer bitmap is one word.)
     */
    uint256 public constant MAX_PARTICIPANTS = 200;
    /// @notice Most tokens a channel may accept (a deposit record stores an 8-bit token index).
    uint256 public constant MAX_TOKENS = 256;
    /// @notice Shortest escape window ({escape}): how long a quorum has to answer before every deposit is refundable.
    uint64 public constant MIN_ESCAPE_WINDOW = 30 days;
    /// @notice Longest dispute window; keeps `T0 + 2W` far inside uint64.
    uint64 public constant MAX_DISPUTE_WINDOW = 365 days;
    /// @notice Highest role number (Observer).
    uint8 public constant MAX_ROLE = 3;
    /// @notice Longest forced op, in bytes: one encoded core op (the largest, a perp order, is 23 bytes).
    uint256 public constant MAX_FORCED_OP_LENGTH = 256;
    /**
     * @notice Most forced ops one participant may post per force-inclusion window (the channel's delay, counted from
     * its first post of the window): the queue grows by at most this many per participant and delay.
     */
    uint16 public constant MAX_FORCED_OPS_PER_WINDOW = 16;
    /**
     * @notice Griefing (issue #12): a pending proposal superseded by a checkpoint its proposer had signed at least the
     * force-inclusion delay before proposing costs the proposer its bond divided by this (half).
     */
    uint256 public constant GRIEFING_DIVISOR = 2;

    /// @notice The evidence half ({ChannelSettlementEvidence}), deployed by the constructor and run by the fallback.
    address public immutable EVIDENCE;

    constructor() {
        EVIDENCE = address(new ChannelSettlementEvidence());
    }

    /**
     * @notice Runs every function this contract does not implement itself ({ISettlementEvidence}) in
     * {ChannelSettlementEvidence} by `delegatecall`: its code on this contract's storage, balance and address, with
     * the caller's `msg.sender`; its return data or revert is passed through. Not payable: none of those functions
     * takes ETH. An unknown selector reverts there with no data, as it did here.
     */
    fallback() external {
        address target = EVIDENCE;
        assembly ("memory-safe") {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), target, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    // ------------------------------------------------------------------------------------------
    // Opening and funding
    // ------------------------------------------------------------------------------------------

    /// @inheritdoc IChannelSettlement
    function open(OpenParams calldata params, bytes[] calldata keyAuthSigs) external returns (bytes32 channelId) {
        uint256 n = params.participants.length;
        if (n < 2 || n > MAX_PARTICIPANTS) revert ChannelSettlementInvalidParticipantCount(n);
        if (params.sessionKeys.length != n || params.roles.length != n || keyAuthSigs.length != n) {
            revert ChannelSettlementLengthMismatch();
        }
        if (uint256(params.threshold) * 2 <= n || params.threshold > n) {
            revert ChannelSettlementInvalidThreshold(params.threshold, n);
        }
        if (params.disputeWindow == 0 || params.disputeWindow > MAX_DISPUTE_WINDOW) {
            revert ChannelSettlementInvalidDisputeWindow(params.disputeWindow);
        }
        uint256 k = params.tokens.length;
        if (k == 0 || k > MAX_TOKENS) revert ChannelSettlementInvalidTokenCount(k);

        channelId = _computeChannelId(params);
        Channel storage ch = _channels[channelId];
        if (ch.status != Status.None) revert ChannelSettlementChannelExists(channelId);

        for (uint256 i = 0; i < n; ++i) {
            _addParticipant(channelId, params, keyAuthSigs[i], i);
        }
        for (uint256 i = 0; i < k; ++i) {
            address token = params.tokens[i];
            if (_tokenSlots[channelId][token] != 0) revert ChannelSettlementDuplicateToken(token);
            _tokenSlots[channelId][token] = i + 1;
        }

        if (!_members[channelId][msg.sender].isParticipant) {
            revert ChannelSettlementNotParticipant(channelId, msg.sender);
        }

        ch.status = Status.Open;
        ch.threshold = params.threshold;
        ch.maxLeverage = params.maxLeverage;
        ch.disputeWindow = params.disputeWindow;
        ch.minStake = params.minStake;
        ch.participants = params.participants;
        ch.tokens = params.tokens;
        emit ChannelOpened(channelId, msg.sender, params);
    }

    /// @inheritdoc IChannelSettlement
    function deposit(bytes32 channelId, address token, uint256 amount) external nonReentrant returns (uint64 index) {
        if (token == address(0)) revert ChannelSettlementNativeTokenDeposit();
        uint256 tokenSlot = _checkDeposit(channelId, token);
        if (amount == 0) revert ChannelSettlementZeroAmount();

        // Interaction before effects on purpose: only the balance change tells what arrived. The
        // nonReentrant guard stops a token from re-entering to have one transfer counted twice.
        uint256 balanceBefore = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        uint256 balanceAfter = IERC20(token).balanceOf(address(this));
        if (balanceAfter <= balanceBefore) revert ChannelSettlementZeroAmount();
        // Safe: balanceAfter > balanceBefore was checked just above, and tokenSlot >= 1 after _checkDeposit.
        unchecked {
            index = _recordDeposit(channelId, tokenSlot - 1, token, balanceAfter - balanceBefore);
        }
    }

    /// @inheritdoc IChannelSettlement
    function depositEth(bytes32 channelId) external payable nonReentrant returns (uint64 index) {
        uint256 tokenSlot = _checkDeposit(channelId, address(0));
        if (msg.value == 0) revert ChannelSettlementZeroAmount();
        // Safe: tokenSlot is nonzero after _checkDeposit.
        unchecked {
            index = _recordDeposit(channelId, tokenSlot - 1, address(0), msg.value);
        }
    }

    /// @inheritdoc IChannelSettlement
    function bond(bytes32 channelId) external payable {
        Channel storage ch = _channel(channelId);
        if (ch.status == Status.Finalized) revert ChannelSettlementChannelFinalized(channelId);
        Member storage m = _participant(channelId, msg.sender);
        if (m.slashed) revert ChannelSettlementParticipantSlashed(channelId, msg.sender);
        if (msg.value == 0) revert ChannelSettlementZeroAmount();
        uint256 total = _bonds[channelId][msg.sender] + msg.value;
        _bonds[channelId][msg.sender] = total;
        emit Bonded(channelId, msg.sender, msg.value, total);
    }

    /**
     * @inheritdoc IChannelSettlement
     * @dev Only while the channel is Open: once a checkpoint is pending (or an escape started) the queue is frozen,
     * so a record can never make a checkpoint that everyone already signed, or one already pending, unacceptable
     * after the fact, and the records a pending checkpoint must hold never change. The op is not interpreted
     * here; the core applies it (or rejects it with a reason) at the record's position, either way counting it.
     */
    function forceInclude(bytes32 channelId, bytes calldata op) external returns (uint64 index) {
        Channel storage ch = _channel(channelId);
        if (ch.status != Status.Open) revert ChannelSettlementChannelNotOpen(channelId);
        Member storage m = _participant(channelId, msg.sender);
        if (op.length == 0 || op.length > MAX_FORCED_OP_LENGTH) {
            revert ChannelSettlementInvalidForcedOp(op.length, MAX_FORCED_OP_LENGTH);
        }
        uint64 time = uint64(block.timestamp);
        uint64 windowEnd = uint64(m.forcedWindowStart) + _forceInclusionDelay(ch);
        if (time >= windowEnd) {
            // Casting to uint48 is safe: block timestamps stay below 2^48 for millions of years.
            // forge-lint: disable-next-line(unsafe-typecast)
            m.forcedWindowStart = uint48(time);
            m.forcedInWindow = 0;
        } else if (m.forcedInWindow >= MAX_FORCED_OPS_PER_WINDOW) {
            revert ChannelSettlementForcedOpLimit(channelId, msg.sender, MAX_FORCED_OPS_PER_WINDOW, windowEnd);
        }
        // Safe: bounded by MAX_FORCED_OPS_PER_WINDOW just above.
        unchecked {
            m.forcedInWindow += 1;
        }
        index = ch.forcedCount;
        ch.forcedCount = index + 1;
        _forced[channelId][index] = ForcedSlot(keccak256(op), time, m.index);
        emit ForcedOpRecorded(channelId, index, msg.sender, op, time);
    }

    // ------------------------------------------------------------------------------------------
    // Checkpoints
    // ------------------------------------------------------------------------------------------

    /// @inheritdoc IChannelSettlement
    function propose(bytes32 channelId, Checkpoint calldata cp, bytes[] calldata sigs) external {
        Channel storage ch = _channel(channelId);
        if (ch.status == Status.Finalized) revert ChannelSettlementChannelFinalized(channelId);
        (bytes32 digest, uint256 seen) = _verifyCheckpoint(channelId, cp, sigs, ch.threshold, address(0));
        _acceptCheckpoint(channelId, ch, cp, digest, seen, false);
    }

    /// @inheritdoc IChannelSettlement
    function finalize(bytes32 channelId) external {
        Channel storage ch = _channel(channelId);
        if (ch.status == Status.Open) revert ChannelSettlementNoProposal(channelId);
        if (ch.status == Status.Finalized) revert ChannelSettlementChannelFinalized(channelId);
        if (block.timestamp < ch.deadline) revert ChannelSettlementDisputeOpen(ch.deadline);
        ch.status = Status.Finalized;
        emit ChannelFinalized(channelId, ch.checkpoint.version, ch.checkpoint.balancesRoot);
    }

    /**
     * @inheritdoc IChannelSettlement
     * @dev Starts settlement with no checkpoint (version 0, crediting no deposit) and a long deadline,
     * `max(MIN_ESCAPE_WINDOW, 2 × disputeWindow)`. Deposits stop as with any proposal. Any quorum checkpoint
     * proposed (or exited with) before that deadline replaces it and restarts settlement as a first proposal
     * (new `T0`, deadline `T0 + W`); if none comes, finalization leaves every deposit refundable.
     */
    function escape(bytes32 channelId) external {
        Channel storage ch = _channel(channelId);
        if (ch.status != Status.Open) revert ChannelSettlementChannelNotOpen(channelId);
        _participant(channelId, msg.sender);
        uint64 wait = 2 * ch.disputeWindow;
        if (wait < MIN_ESCAPE_WINDOW) wait = MIN_ESCAPE_WINDOW;
        uint64 deadline = uint64(block.timestamp) + wait;
        ch.status = Status.Closing;
        ch.firstProposalAt = uint64(block.timestamp);
        ch.deadline = deadline;
        emit EscapeStarted(channelId, msg.sender, deadline);
    }

    // ------------------------------------------------------------------------------------------
    // Cooperative close (settlement v2, issue #12; see ICooperativeClose)
    // ------------------------------------------------------------------------------------------

    /// @notice EIP-712 type hash of a participant's consent to end the channel with a checkpoint.
    bytes32 public constant CLOSE_TYPEHASH =
        keccak256("Close(bytes32 channelId,uint64 version,bytes32 checkpointDigest)");
    /// @notice Most leaves one close pays out; a bigger channel closes without leaves and every participant claims.
    uint256 public constant MAX_CLOSE_LEAVES = 64;
    /// @notice Gas allowance of one pushed ETH payout (a recipient needing more is credited its pull balance).
    uint256 public constant PUSH_ETH_GAS = 30_000;
    /// @notice Gas allowance of one pushed ERC-20 transfer (a transfer needing more is credited to the pull balance).
    uint256 public constant PUSH_TOKEN_GAS = 100_000;

    /**
     * @inheritdoc ICooperativeClose
     * @dev Checks, then every state change (status, checkpoint, holdings, unpaid), then the transfers; a failed
     * transfer credits the pull balance instead. The shared `nonReentrant` guard keeps a recipient or token from
     * re-entering any function that moves money, and the channel is Finalized before the first transfer.
     */
    function closeCooperatively(
        bytes32 channelId,
        Checkpoint calldata cp,
        bytes[] calldata sigs,
        BalanceLeaf[] calldata leaves
    ) external nonReentrant {
        Channel storage ch = _channel(channelId);
        if (ch.status == Status.Finalized) revert ChannelSettlementChannelFinalized(channelId);
        bytes32 digest = _hashCheckpoint(channelId, cp);
        _verifyClose(channelId, ch, cp.version, digest, sigs);
        bool paidOut = leaves.length != 0;
        uint256[] memory paid;
        if (paidOut) paid = _creditLeaves(channelId, cp.version, cp.balancesRoot, leaves);
        _acceptClose(channelId, ch, cp, digest, paidOut);
        if (paidOut) _payLeaves(channelId, leaves, paid);
    }

    /// @inheritdoc ICooperativeClose
    function hashClose(bytes32 channelId, uint64 version, bytes32 checkpointDigest) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(CLOSE_TYPEHASH, channelId, version, checkpointDigest)));
    }

    /**
     * @dev Reverts unless `sigs` holds exactly one `Close` signature per participant, each by a session key of that
     * participant valid at `version` (a rotated-out key is refused from its rotation's version on).
     */
    function _verifyClose(bytes32 channelId, Channel storage ch, uint64 version, bytes32 digest, bytes[] calldata sigs)
        private
        view
    {
        uint256 n = ch.participants.length;
        if (sigs.length != n) revert ChannelSettlementCloseNeedsEveryone(sigs.length, n);
        bytes32 closeDigest = hashClose(channelId, version, digest);
        mapping(address => KeyRecord) storage keys = _keys[channelId];
        mapping(address => Member) storage members = _members[channelId];
        uint256 seen;
        for (uint256 i = 0; i < n; ++i) {
            address signer = _recover(closeDigest, sigs[i], i);
            KeyRecord storage key = keys[signer];
            address participant = key.participant;
            if (participant == address(0)) revert ChannelSettlementUnauthorizedSigner(i, signer);
            _checkVersion(key, version, i, signer);
            // forge-lint: disable-next-line(incorrect-shift)
            uint256 bit = 1 << members[participant].index;
            if (seen & bit != 0) revert ChannelSettlementDuplicateSigner(i, participant);
            seen |= bit;
        }
    }

    /**
     * @dev Makes `cp` final at once. The same count and forced-inclusion rules as a proposal; a pending proposal or
     * exit must be before its deadline (after it, {finalize} decides) and not above `cp`'s version, and its deadline
     * stays (bonds unlock one window after it); an Open channel or a pending escape gets `T0 = deadline = now`.
     * With the leaves paid out no root is kept, so nothing can be claimed a second time.
     */
    function _acceptClose(bytes32 channelId, Channel storage ch, Checkpoint calldata cp, bytes32 digest, bool paidOut)
        private
    {
        if (cp.depositCount > ch.depositCount) {
            revert ChannelSettlementUnknownDeposits(cp.depositCount, ch.depositCount);
        }
        if (cp.forcedCount > ch.forcedCount) revert ChannelSettlementUnknownForcedOps(cp.forcedCount, ch.forcedCount);
        if (cp.forcedCount < ch.forcedCount) _checkForcedIncluded(channelId, ch, cp.forcedCount);
        uint64 time = uint64(block.timestamp);
        if (ch.status == Status.Closing) {
            uint64 deadline = ch.deadline;
            if (time >= deadline) revert ChannelSettlementDisputeClosed(deadline);
            uint64 pending = ch.checkpoint.version;
            if (cp.version < pending) revert ChannelSettlementStaleVersion(cp.version, pending);
        }
        if (ch.checkpoint.digest == bytes32(0)) {
            // Open, or an escape pending: the close is the first and last checkpoint
            ch.firstProposalAt = time;
            ch.deadline = time;
        }
        // Every participant signed the close, so every one is a co-signer of the final checkpoint: a replaced
        // proposal's signer bitmap must not decide who shares a later slash (zero = every other participant).
        if (_signers[channelId] != 0) delete _signers[channelId];
        bytes32 root = paidOut ? bytes32(0) : cp.balancesRoot;
        ch.status = Status.Finalized;
        ch.checkpoint = CheckpointRecord(cp.version, cp.time, cp.depositCount, cp.forcedCount, root, digest);
        emit ChannelFinalized(channelId, cp.version, root);
        emit ChannelClosed(channelId, cp.version, digest, cp.balancesRoot, paidOut);
    }

    /**
     * @dev Checks that `leaves` (ascending leaf hashes) build `root` exactly as the core builds it, then takes each
     * leaf out of the channel's holdings: as much as it holds, the rest recorded as unpaid (like a claim).
     */
    function _creditLeaves(bytes32 channelId, uint64 version, bytes32 root, BalanceLeaf[] calldata leaves)
        private
        returns (uint256[] memory paid)
    {
        uint256 count = leaves.length;
        if (count > MAX_CLOSE_LEAVES) revert ChannelSettlementTooManyLeaves(count, MAX_CLOSE_LEAVES);
        bytes32[] memory level = new bytes32[](count);
        for (uint256 i = 0; i < count; ++i) {
            BalanceLeaf calldata leaf = leaves[i];
            bytes32 h = exitLeaf(channelId, version, leaf.participant, leaf.token, leaf.amount);
            if (i != 0 && h <= level[i - 1]) revert ChannelSettlementLeavesNotSorted(i);
            level[i] = h;
        }
        bytes32 computed = _merkleRoot(level);
        if (computed != root) revert ChannelSettlementLeavesMismatch(computed, root);
        paid = new uint256[](count);
        for (uint256 i = 0; i < count; ++i) {
            paid[i] = _creditLeaf(channelId, leaves[i]);
        }
    }

    function _creditLeaf(bytes32 channelId, BalanceLeaf calldata leaf) private returns (uint256 pay) {
        address token = leaf.token;
        uint256 amount = leaf.amount;
        uint256 available = _holdings[channelId][token];
        pay = amount <= available ? amount : available;
        // Safe: pay <= available and pay <= amount by the line above.
        unchecked {
            _holdings[channelId][token] = available - pay;
            if (pay != amount) _unpaid[channelId][leaf.participant][token] += amount - pay;
        }
    }

    /// @dev Sends each credited leaf to its participant; a transfer that fails goes to the pull balance instead.
    function _payLeaves(bytes32 channelId, BalanceLeaf[] calldata leaves, uint256[] memory paid) private {
        for (uint256 i = 0; i < leaves.length; ++i) {
            BalanceLeaf calldata leaf = leaves[i];
            uint256 pay = paid[i];
            bool pushed = pay != 0 && _tryPush(leaf.token, leaf.participant, pay);
            if (pay != 0 && !pushed) _owed[leaf.participant][leaf.token] += pay;
            // Safe: pay <= leaf.amount (see _creditLeaves).
            unchecked {
                emit ClosePayout(channelId, leaf.participant, leaf.token, pay, leaf.amount - pay, pushed);
            }
        }
    }

    /**
     * @dev Transfers `amount` of `token` to `to` with a fixed gas allowance, copying no return data beyond one word
     * (no return-data bomb); false if it reverted, ran out of gas or (ERC-20) returned false. Reverts when less than
     * the full allowance is left, so a submitter cannot make payouts fail by sending too little gas (EIP-150).
     */
    function _tryPush(address token, address to, uint256 amount) private returns (bool ok) {
        uint256 allowance = token == address(0) ? PUSH_ETH_GAS : PUSH_TOKEN_GAS;
        uint256 needed = allowance + allowance / 63 + 5_000;
        if (gasleft() < needed) revert ChannelSettlementPayoutGas(gasleft(), needed);
        if (token == address(0)) {
            assembly ("memory-safe") {
                ok := call(allowance, to, amount, 0, 0, 0, 0)
            }
            return ok;
        }
        bytes memory data = abi.encodeCall(IERC20.transfer, (to, amount));
        uint256 size;
        uint256 word;
        assembly ("memory-safe") {
            ok := call(allowance, token, 0, add(data, 0x20), mload(data), 0, 0x20)
            size := returndatasize()
            word := mload(0)
        }
        ok = ok && (size == 0 ? token.code.length != 0 : (size >= 32 && word == 1));
    }

    /// @dev The core's tree over sorted leaf hashes (commutative pairs, an odd node carried up), built in place.
    function _merkleRoot(bytes32[] memory level) private pure returns (bytes32) {
        uint256 len = level.length;
        while (len > 1) {
            uint256 next;
            for (uint256 i = 0; i < len; i += 2) {
                level[next] = i + 1 < len ? Hashes.commutativeKeccak256(level[i], level[i + 1]) : level[i];
                ++next;
            }
            len = next;
        }
        return level[0];
    }

    // ------------------------------------------------------------------------------------------
    // Payouts
    // ------------------------------------------------------------------------------------------

    /// @inheritdoc IChannelSettlement
    function claim(bytes32 channelId, address token, uint256 amount, bytes32[] calldata proof) external nonReentrant {
        Channel storage ch = _channel(channelId);
        if (ch.status != Status.Finalized) revert ChannelSettlementNotFinalized(channelId);
        _participant(channelId, msg.sender);
        _settle(channelId, ch.checkpoint.version, ch.checkpoint.balancesRoot, token, amount, proof);
    }

    /// @inheritdoc IChannelSettlement
    function claimAndWithdraw(bytes32 channelId, address token, uint256 amount, bytes32[] calldata proof)
        external
        nonReentrant
    {
        Channel storage ch = _channel(channelId);
        if (ch.status != Status.Finalized) revert ChannelSettlementNotFinalized(channelId);
        _participant(channelId, msg.sender);
        _settle(channelId, ch.checkpoint.version, ch.checkpoint.balancesRoot, token, amount, proof);
        _pull(token); // false when the channel held nothing more of the token: recorded as unpaid
    }

    /**
     * @inheritdoc IChannelSettlement
     * @dev Before finalization `sigs` must hold at least `threshold` valid session-key signatures, `cp` is
     * treated as a proposal (it starts settlement if none is pending, challenges a lower pending version
     * with the same deadline rules as {propose}, or joins the pending checkpoint if it is the same one)
     * and the caller's leaf must be in `cp`; nothing is paid and nothing is marked settled: the caller
     * claims from whichever checkpoint finally wins. After finalization `cp` must name the finalized
     * checkpoint, `sigs` is not read, and the exit is a {claim}.
     */
    function emergencyExit(
        bytes32 channelId,
        Checkpoint calldata cp,
        bytes[] calldata sigs,
        address token,
        uint256 amount,
        bytes32[] calldata proof
    ) external nonReentrant {
        Channel storage ch = _channel(channelId);
        _participant(channelId, msg.sender);
        if (ch.status == Status.Finalized) {
            if (cp.version != ch.checkpoint.version || cp.balancesRoot != ch.checkpoint.balancesRoot) {
                revert ChannelSettlementCheckpointMismatch(cp.version, ch.checkpoint.version);
            }
            _settle(channelId, cp.version, cp.balancesRoot, token, amount, proof);
            return;
        }
        (bytes32 digest, uint256 seen) = _verifyCheckpoint(channelId, cp, sigs, ch.threshold, address(0));
        if (amount == 0) revert ChannelSettlementZeroAmount();
        bytes32 leaf = exitLeaf(channelId, cp.version, msg.sender, token, amount);
        if (!MerkleProof.verifyCalldata(proof, cp.balancesRoot, leaf)) revert ChannelSettlementInvalidProof();
        _acceptCheckpoint(channelId, ch, cp, digest, seen, true);
        emit ExitRequested(channelId, msg.sender, token, amount, cp.version);
    }

    /**
     * @inheritdoc IChannelSettlement
     * @dev Like a claim, pays at most what the channel still holds of the token and records the rest in {unpaid}.
     */
    function refundDeposit(bytes32 channelId, uint64 index) external nonReentrant {
        Channel storage ch = _channel(channelId);
        if (ch.status != Status.Finalized) revert ChannelSettlementNotFinalized(channelId);
        if (index >= ch.depositCount) revert ChannelSettlementDepositNotFound(channelId, index);
        uint64 credited = ch.checkpoint.depositCount;
        if (index < credited) revert ChannelSettlementDepositCredited(channelId, index, credited);
        if (_refunded[channelId][index]) revert ChannelSettlementAlreadyRefunded(channelId, index);
        uint256 packed = _deposits[channelId][index];
        // Casting to uint8 is safe: the low two bytes hold 8-bit participant and token indices.
        // forge-lint: disable-next-line(unsafe-typecast)
        address depositor = ch.participants[uint8(packed)];
        // forge-lint: disable-next-line(unsafe-typecast)
        address token = ch.tokens[uint8(packed >> 8)];
        _refunded[channelId][index] = true;
        (uint256 paid, uint256 rest) = _pay(channelId, depositor, token, packed >> 16);
        emit DepositRefunded(channelId, index, depositor, token, paid, rest);
    }

    /// @inheritdoc IChannelSettlement
    function withdraw(address token) external nonReentrant {
        if (!_pull(token)) revert ChannelSettlementNothingToWithdraw(token);
    }

    /// @dev Sends the caller its whole pull balance of `token`; false if it has none.
    function _pull(address token) private returns (bool) {
        uint256 amount = _owed[msg.sender][token];
        if (amount == 0) return false;
        _owed[msg.sender][token] = 0;
        emit Withdrawn(msg.sender, token, amount);
        _send(token, msg.sender, amount);
        return true;
    }

    // ------------------------------------------------------------------------------------------
    // Bonds
    // ------------------------------------------------------------------------------------------

    // ------------------------------------------------------------------------------------------
    // Views
    // ------------------------------------------------------------------------------------------

    /// @inheritdoc IChannelSettlement
    function computeChannelId(OpenParams calldata params) external view returns (bytes32) {
        return _computeChannelId(params);
    }

    /// @inheritdoc IChannelSettlement
    function hashSessionKey(bytes32 channelId, address participant, address sessionKey) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(SESSION_KEY_TYPEHASH, channelId, participant, sessionKey)));
    }

    /// @inheritdoc IChannelSettlement
    function hashCheckpoint(bytes32 channelId, Checkpoint calldata cp) external view returns (bytes32) {
        return _hashCheckpoint(channelId, cp);
    }

    /// @inheritdoc IChannelSettlement
    function exitLeaf(bytes32 channelId, uint64 version, address participant, address token, uint256 amount)
        public
        pure
        returns (bytes32)
    {
        return keccak256(bytes.concat(keccak256(abi.encode(channelId, version, participant, token, amount))));
    }

    /// @inheritdoc IChannelSettlement
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @inheritdoc IChannelSettlement
    function getChannel(bytes32 channelId) external view returns (ChannelInfo memory info) {
        Channel storage ch = _channels[channelId];
        info.status = ch.status;
        info.threshold = ch.threshold;
        info.maxLeverage = ch.maxLeverage;
        info.disputeWindow = ch.disputeWindow;
        info.depositCount = ch.depositCount;
        info.forcedCount = ch.forcedCount;
        info.firstProposalAt = ch.firstProposalAt;
        info.deadline = ch.deadline;
        info.minStake = ch.minStake;
        info.checkpoint = ch.checkpoint;
        info.participants = ch.participants;
        info.tokens = ch.tokens;
    }

    /// @inheritdoc IChannelSettlement
    function holdings(bytes32 channelId, address token) external view returns (uint256) {
        return _holdings[channelId][token];
    }

    /// @inheritdoc IChannelSettlement
    function depositCount(bytes32 channelId) external view returns (uint64) {
        return _channels[channelId].depositCount;
    }

    /// @inheritdoc IChannelSettlement
    function getDeposit(bytes32 channelId, uint64 index) external view returns (DepositRecord memory) {
        Channel storage ch = _channels[channelId];
        if (index >= ch.depositCount) revert ChannelSettlementDepositNotFound(channelId, index);
        uint256 packed = _deposits[channelId][index];
        // Casting to uint8 is safe: the low two bytes hold 8-bit participant and token indices.
        // forge-lint: disable-next-line(unsafe-typecast)
        return DepositRecord(ch.participants[uint8(packed)], ch.tokens[uint8(packed >> 8)], packed >> 16);
    }

    /// @inheritdoc IChannelSettlement
    function getForcedOp(bytes32 channelId, uint64 index) external view returns (ForcedRecord memory) {
        Channel storage ch = _channels[channelId];
        if (index >= ch.forcedCount) revert ChannelSettlementForcedOpNotFound(channelId, index);
        ForcedSlot storage f = _forced[channelId][index];
        return ForcedRecord(ch.participants[f.participant], f.opHash, f.time);
    }

    /// @inheritdoc IChannelSettlement
    function forceInclusionDelay(bytes32 channelId) external view returns (uint64) {
        return _forceInclusionDelay(_channel(channelId));
    }

    /// @inheritdoc IChannelSettlement
    function isRefunded(bytes32 channelId, uint64 index) external view returns (bool) {
        return _refunded[channelId][index];
    }

    /// @inheritdoc IChannelSettlement
    function isSettled(bytes32 channelId, address participant, address token) external view returns (bool) {
        return _settled[channelId][participant][token];
    }

    /// @inheritdoc IChannelSettlement
    function owed(address account, address token) external view returns (uint256) {
        return _owed[account][token];
    }

    /// @inheritdoc IChannelSettlement
    function unpaid(bytes32 channelId, address participant, address token) external view returns (uint256) {
        return _unpaid[channelId][participant][token];
    }

    // ------------------------------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------------------------------

    function _computeChannelId(OpenParams calldata params) private view returns (bytes32) {
        return keccak256(
            abi.encode(
                block.chainid,
                address(this),
                params.participants,
                params.roles,
                params.threshold,
                params.disputeWindow,
                params.minStake,
                params.maxLeverage,
                params.tokens,
                params.nonce
            )
        );
    }

    /// @dev Validates and stores participant `i`, checking its wallet's session-key authorisation.
    function _addParticipant(bytes32 channelId, OpenParams calldata params, bytes calldata keyAuthSig, uint256 i)
        private
    {
        address participant = params.participants[i];
        address sessionKey = params.sessionKeys[i];
        uint8 role = params.roles[i];
        Member storage m = _members[channelId][participant];
        if (participant == address(0) || m.isParticipant) revert ChannelSettlementInvalidParticipant(participant);
        if (sessionKey == address(0) || _keys[channelId][sessionKey].participant != address(0)) {
            revert ChannelSettlementInvalidSessionKey(sessionKey);
        }
        if (role > MAX_ROLE) revert ChannelSettlementInvalidRole(role);
        _checkSigner(hashSessionKey(channelId, participant, sessionKey), keyAuthSig, i, participant);

        m.sessionKey = sessionKey;
        // Casting to uint8 is safe: i < n <= MAX_PARTICIPANTS = 200.
        // forge-lint: disable-next-line(unsafe-typecast)
        m.index = uint8(i);
        m.role = role;
        m.isParticipant = true;
        _keys[channelId][sessionKey].participant = participant;
    }

    /// @dev Reverts unless the channel is open for deposits, the caller a participant, `token` accepted.
    function _checkDeposit(bytes32 channelId, address token) private view returns (uint256 tokenSlot) {
        Channel storage ch = _channel(channelId);
        if (ch.status != Status.Open) revert ChannelSettlementChannelNotOpen(channelId);
        _participant(channelId, msg.sender);
        tokenSlot = _tokenSlots[channelId][token];
        if (tokenSlot == 0) revert ChannelSettlementTokenNotAccepted(channelId, token);
    }

    function _recordDeposit(bytes32 channelId, uint256 tokenIndex, address token, uint256 amount)
        private
        returns (uint64 index)
    {
        // The core holds at most 2^128 - 1 of a token in the whole channel (u128 ops, a capped supply): a record above
        // it could never be attested, and one past it never credited nor refunded. Deposits come only while Open,
        // when nothing has been paid out, so the holdings bound what the core is asked to credit.
        uint256 held = _holdings[channelId][token] + amount;
        if (held > type(uint128).max) revert ChannelSettlementAmountTooLarge(amount);
        Channel storage ch = _channels[channelId];
        index = ch.depositCount;
        ch.depositCount = index + 1;
        _holdings[channelId][token] = held;
        _deposits[channelId][index] = (amount << 16) | (tokenIndex << 8) | _members[channelId][msg.sender].index;
        emit Deposited(channelId, index, msg.sender, token, amount);
    }

    /**
     * @dev Accepts `cp` (already verified, digest `digest`) as the pending checkpoint, or reverts. Shared by
     * {propose} and {emergencyExit}; `joinSame` lets an exit name the pending checkpoint itself.
     *
     * Open, or an escape pending (no checkpoint yet) → settlement starts (or restarts) as at a first proposal.
     * Closing, before the deadline: a higher version replaces the pending one; at the
     * same version the lower digest wins (the core's rule: honest replicas compute one checkpoint per version,
     * so two digests at one version mean some key signed both, which {slashCheckpoints} punishes, and every
     * party must settle on the same one whatever the arrival order). Both replacements follow the deadline rule.
     */
    function _acceptCheckpoint(
        bytes32 channelId,
        Channel storage ch,
        Checkpoint calldata cp,
        bytes32 digest,
        uint256 seen,
        bool joinSame
    ) private {
        if (cp.depositCount > ch.depositCount) {
            revert ChannelSettlementUnknownDeposits(cp.depositCount, ch.depositCount);
        }
        if (cp.forcedCount > ch.forcedCount) revert ChannelSettlementUnknownForcedOps(cp.forcedCount, ch.forcedCount);
        if (cp.forcedCount < ch.forcedCount) _checkForcedIncluded(channelId, ch, cp.forcedCount);
        bool escaping = ch.status == Status.Closing && ch.checkpoint.digest == bytes32(0);
        if (escaping && block.timestamp >= ch.deadline) revert ChannelSettlementDisputeClosed(ch.deadline);
        if (ch.status == Status.Open || escaping) {
            uint64 first = uint64(block.timestamp) + ch.disputeWindow;
            ch.status = Status.Closing;
            ch.firstProposalAt = uint64(block.timestamp);
            ch.deadline = first;
            _storeCheckpoint(channelId, ch, cp, digest, seen);
            emit CheckpointProposed(channelId, cp.version, msg.sender, digest, cp.balancesRoot, first);
            return;
        }
        uint64 deadline = ch.deadline;
        if (block.timestamp >= deadline) revert ChannelSettlementDisputeClosed(deadline);
        uint64 previous = ch.checkpoint.version;
        if (cp.version < previous) revert ChannelSettlementStaleVersion(cp.version, previous);
        if (cp.version == previous) {
            bytes32 current = ch.checkpoint.digest;
            if (digest == current) {
                if (joinSame) return;
                revert ChannelSettlementStaleVersion(cp.version, previous);
            }
            if (digest > current) revert ChannelSettlementCheckpointConflict(cp.version, current);
        }
        uint64 window = ch.disputeWindow;
        uint64 cap = ch.firstProposalAt + 2 * window;
        uint64 extended = uint64(block.timestamp) + window;
        if (extended > deadline) deadline = extended < cap ? extended : cap;
        ch.deadline = deadline;
        _replaceCheckpoint(channelId, ch, cp, digest, seen, previous);
    }

    /**
     * @dev Replaces the pending checkpoint (version `previous`) by `cp`. If `cp` is a higher version signed by the
     * replaced proposal's proposer at least the force-inclusion delay before it proposed, that is Griefing.
     */
    function _replaceCheckpoint(
        bytes32 channelId,
        Channel storage ch,
        Checkpoint calldata cp,
        bytes32 digest,
        uint256 seen,
        uint64 previous
    ) private {
        uint256 stale = ch.proposer;
        uint64 staleAt = ch.proposedAt;
        bytes32 staleDigest = ch.checkpoint.digest;
        _storeCheckpoint(channelId, ch, cp, digest, seen);
        emit CheckpointChallenged(channelId, cp.version, msg.sender, previous, digest, cp.balancesRoot, ch.deadline);
        if (stale != 0 && cp.version > previous && (seen >> (stale - 1)) & 1 != 0 && _isStale(ch, cp.time, staleAt)) {
            _chargeGriefing(channelId, ch, ch.participants[stale - 1], staleDigest, digest);
        }
    }

    /**
     * @dev Reverts when forced record `forcedCount` (the first one the checkpoint leaves out) is at least the
     * force-inclusion delay old. Records are appended in time order, so if the first one left out is younger than
     * the delay, so are all later ones: one storage read decides. Checked whenever a checkpoint becomes pending
     * (propose, emergencyExit, a quorum checkpoint replacing an escape); as no record is added once the channel is
     * Closing, a checkpoint that passed stays acceptable, and finalize needs no check of its own: a checkpoint
     * that leaves out an overdue record can never be pending, so it can never become final. Settlement cannot be
     * blocked by it: honest replicas include every record within the delay (so their newest checkpoint passes),
     * and when no quorum is live, {escape} ends the channel with every deposit refundable.
     */
    function _checkForcedIncluded(bytes32 channelId, Channel storage ch, uint64 forcedCount) private view {
        uint64 recordedAt = _forced[channelId][forcedCount].time;
        uint64 dueAt = recordedAt + _forceInclusionDelay(ch);
        if (block.timestamp >= dueAt) revert ChannelSettlementForcedOpExcluded(forcedCount, recordedAt, dueAt);
    }

    /// @dev Stores `cp` as the pending checkpoint with its signer bitmap `seen`, and when and by whom it was proposed.
    function _storeCheckpoint(
        bytes32 channelId,
        Channel storage ch,
        Checkpoint calldata cp,
        bytes32 digest,
        uint256 seen
    ) private {
        ch.checkpoint = CheckpointRecord(cp.version, cp.time, cp.depositCount, cp.forcedCount, cp.balancesRoot, digest);
        _signers[channelId] = seen;
        Member storage m = _members[channelId][msg.sender];
        ch.proposer = m.isParticipant ? m.index + 1 : 0;
        ch.proposedAt = uint64(block.timestamp);
    }

    /**
     * @dev Griefing: takes 1 / GRIEFING_DIVISOR of `offender`'s bond (not marking it slashed) and credits it to the
     * caller, the challenger, if it is another participant not slashed; otherwise shares it like a slash.
     */
    function _chargeGriefing(
        bytes32 channelId,
        Channel storage ch,
        address offender,
        bytes32 staleDigest,
        bytes32 digest
    ) private {
        uint256 amount = _bonds[channelId][offender] / GRIEFING_DIVISOR;
        if (amount == 0) return;
        _bonds[channelId][offender] -= amount;
        Member storage c = _members[channelId][msg.sender];
        if (c.isParticipant && !c.slashed && msg.sender != offender) _owed[msg.sender][address(0)] += amount;
        else _shareSlashedBond(channelId, ch.participants, offender, amount);
        emit Slashed(channelId, offender, msg.sender, Offence.Griefing, amount, staleDigest, digest);
    }

    /**
     * @dev Credits `msg.sender`'s proven leaf to its pull balance, once: as much as the channel still holds of
     * `token`, and records the rest as unpaid (a shortfall can only come from a dishonest quorum or a token
     * that lost balance; the claim never reverts for it, so nothing stays stranded).
     */
    function _settle(
        bytes32 channelId,
        uint64 version,
        bytes32 root,
        address token,
        uint256 amount,
        bytes32[] calldata proof
    ) private {
        if (amount == 0) revert ChannelSettlementZeroAmount();
        if (_settled[channelId][msg.sender][token]) {
            revert ChannelSettlementAlreadySettled(channelId, msg.sender, token);
        }
        bytes32 leaf = exitLeaf(channelId, version, msg.sender, token, amount);
        if (!MerkleProof.verifyCalldata(proof, root, leaf)) revert ChannelSettlementInvalidProof();
        _settled[channelId][msg.sender][token] = true;
        (uint256 paid, uint256 rest) = _pay(channelId, msg.sender, token, amount);
        emit Claimed(channelId, msg.sender, token, paid, rest, version);
    }

    /**
     * @dev Credits `account` with `amount` of `token` out of the channel's holdings: as much as they still hold (`paid`,
     * to its pull balance) and records the rest (`rest`) as unpaid. Shared by claims and refunds.
     */
    function _pay(bytes32 channelId, address account, address token, uint256 amount)
        private
        returns (uint256 paid, uint256 rest)
    {
        uint256 available = _holdings[channelId][token];
        paid = amount <= available ? amount : available;
        // Safe: paid <= available and paid <= amount by the line above.
        unchecked {
            _holdings[channelId][token] = available - paid;
            rest = amount - paid;
        }
        if (rest != 0) _unpaid[channelId][account][token] += rest;
        _owed[account][token] += paid;
    }

    function _send(address token, address to, uint256 amount) private {
        if (token == address(0)) {
            (bool ok,) = to.call{value: amount}("");
            if (!ok) revert ChannelSettlementEthTransferFailed(to, amount);
        } else {
            IERC20(token).safeTransfer(to, amount);
        }
    }
}
