// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

import {IChannelSettlement} from "./interfaces/IChannelSettlement.sol";

/**
 * @title SettlementStorage
 * @notice The storage and the shared checks of the settlement contract, inherited by both of its halves:
 * {ChannelSettlement} (the address users call: channels, checkpoints, payouts, cooperative close) and
 * {ChannelSettlementEvidence} (session keys, slashing, bond release), which the first runs by `delegatecall` from its fallback, so both
 * read and write this one layout at the one address. Neither half declares a state variable of its own: every
 * variable is declared here, in this order, which is what makes the shared layout safe (see contracts/CONTEXT.md,
 * Code size). The split exists because one contract exceeds EIP-170's 24,576 bytes.
 */
abstract contract SettlementStorage is EIP712, ReentrancyGuard {
    /// @notice EIP-712 type hash of a checkpoint (`time` in milliseconds).
    bytes32 public constant CHECKPOINT_TYPEHASH = keccak256(
        "Checkpoint(bytes32 channelId,uint64 version,bytes32 leader,uint64 time,uint64 depositCount,uint64 forcedCount,bytes32 stateRoot,bytes32 balancesRoot)"
    );
    /**
     * @notice Longest a forced record may be left out of checkpoints (the channel's delay is the smaller of this and
     * its dispute window): time for every replica to read the record, attest it and sign a checkpoint that holds it.
     */
    uint64 public constant FORCE_INCLUSION_DELAY = 1 hours;

    struct Channel {
        IChannelSettlement.Status status;
        uint16 threshold;
        uint32 maxLeverage;
        uint64 disputeWindow;
        uint64 depositCount;
        uint64 forcedCount;
        uint64 firstProposalAt;
        uint64 deadline;
        /// @dev when the pending checkpoint was proposed, and by whom (participant index + 1; 0 = not a participant)
        uint64 proposedAt;
        uint8 proposer;
        uint256 minStake;
        /// @dev the pending or final checkpoint: version, time and counts in one word, root, digest (tie-break)
        IChannelSettlement.CheckpointRecord checkpoint;
        address[] participants;
        address[] tokens;
    }

    struct Member {
        address sessionKey;
        uint8 index;
        uint8 role;
        bool isParticipant;
        bool slashed;
        /// @dev forced ops posted in the current window (≤ MAX_FORCED_OPS_PER_WINDOW) and when that window started
        uint16 forcedInWindow;
        uint48 forcedWindowStart;
    }

    /**
     * @dev A session key and where it is valid: blocks `fromSeq <= seq < untilSeq`, checkpoints `fromVersion <= version
     * < untilVersion` (an until of 0 is open-ended). The first word is all {propose} reads per signature.
     */
    struct KeyRecord {
        address participant;
        uint48 fromVersion;
        uint48 untilVersion;
        uint64 fromSeq;
        uint64 untilSeq;
    }

    /// @dev A forced record in one word: keccak256 of the op; and its time and participant index in a second.
    struct ForcedSlot {
        bytes32 opHash;
        uint64 time;
        uint8 participant;
    }

    mapping(bytes32 channelId => Channel) internal _channels;
    mapping(bytes32 channelId => mapping(address participant => Member)) internal _members;
    mapping(bytes32 channelId => mapping(address participant => uint256)) internal _bonds;
    mapping(bytes32 channelId => mapping(address sessionKey => KeyRecord)) internal _keys;
    /// @dev Token index + 1; zero means the token is not accepted.
    mapping(bytes32 channelId => mapping(address token => uint256)) internal _tokenSlots;
    mapping(bytes32 channelId => mapping(address token => uint256)) internal _holdings;
    /// @dev One word per deposit: amount (240 bits) ‖ token index (8 bits) ‖ participant index (8 bits).
    mapping(bytes32 channelId => mapping(uint64 index => uint256)) internal _deposits;
    mapping(bytes32 channelId => mapping(address participant => mapping(address token => bool))) internal _settled;
    mapping(address account => mapping(address token => uint256)) internal _owed;
    mapping(bytes32 channelId => mapping(address participant => mapping(address token => uint256))) internal _unpaid;
    mapping(bytes32 channelId => mapping(uint64 index => bool)) internal _refunded;
    mapping(bytes32 channelId => mapping(uint64 index => ForcedSlot)) internal _forced;
    /// @dev Bitmap (bit = participant index) of the signatures on the pending or final checkpoint (slash rewards).
    mapping(bytes32 channelId => uint256) internal _signers;

    constructor() EIP712("ChannelExchange", "1") {}

    /// @dev The EIP-712 digest session keys sign for `cp`.
    function _hashCheckpoint(bytes32 channelId, IChannelSettlement.Checkpoint calldata cp)
        internal
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    CHECKPOINT_TYPEHASH,
                    channelId,
                    cp.version,
                    cp.leader,
                    cp.time,
                    cp.depositCount,
                    cp.forcedCount,
                    cp.stateRoot,
                    cp.balancesRoot
                )
            )
        );
    }

    /**
     * @dev Reverts unless `sigs` holds at least `required` signatures over `cp`, each well formed, each
     * from a session key of this channel valid at `cp.version`, no two from the same participant. `offender`'s
     * signature may be by any key it ever had (stale-proposal evidence: a rotation it makes after proposing must not
     * revoke the evidence); `address(0)` exempts nobody. Returns the digest and the signers' participant bitmap.
     */
    function _verifyCheckpoint(
        bytes32 channelId,
        IChannelSettlement.Checkpoint calldata cp,
        bytes[] calldata sigs,
        uint256 required,
        address offender
    ) internal view returns (bytes32 digest, uint256 seen) {
        if (sigs.length < required) {
            revert IChannelSettlement.ChannelSettlementInsufficientSignatures(sigs.length, required);
        }
        digest = _hashCheckpoint(channelId, cp);
        for (uint256 i = 0; i < sigs.length; ++i) {
            address signer = _recover(digest, sigs[i], i);
            KeyRecord storage key = _keys[channelId][signer];
            address participant = key.participant;
            if (participant == address(0)) revert IChannelSettlement.ChannelSettlementUnauthorizedSigner(i, signer);
            if (participant != offender) _checkVersion(key, cp.version, i, signer);
            // forge-lint: disable-next-line(incorrect-shift)
            uint256 bit = 1 << _members[channelId][participant].index;
            if (seen & bit != 0) revert IChannelSettlement.ChannelSettlementDuplicateSigner(i, participant);
            seen |= bit;
        }
    }

    function _forceInclusionDelay(Channel storage ch) internal view returns (uint64) {
        uint64 window = ch.disputeWindow;
        return window < FORCE_INCLUSION_DELAY ? window : FORCE_INCLUSION_DELAY;
    }

    /**
     * @dev Whether a checkpoint of channel time `time` (ms) is at least the force-inclusion delay older than a
     * proposal made at `proposedAt` (s): long enough for its signers to have gathered a quorum and proposed it.
     */
    function _isStale(Channel storage ch, uint64 time, uint64 proposedAt) internal view returns (bool) {
        return uint256(time) + uint256(_forceInclusionDelay(ch)) * 1000 <= uint256(proposedAt) * 1000;
    }

    /**
     * @dev Credits a slashed bond evenly (the division remainder to the first recipient) to the honest co-signers:
     * the participants whose signatures are on the channel's pending or final checkpoint, neither the author nor
     * slashed themselves. With no such checkpoint or no such signer (an open channel, an escape), to every
     * participant that is neither the author nor slashed; if there is none, to every participant but the author.
     * Nothing depends on who submitted the evidence. One pass to count, one to credit: gas linear in n (≤ 200).
     */
    function _shareSlashedBond(bytes32 channelId, address[] storage participants, address author, uint256 amount)
        internal
    {
        if (amount == 0) return;
        uint256 n = participants.length;
        mapping(address => Member) storage members = _members[channelId];
        uint256 signers = _signers[channelId];
        uint256 honest;
        uint256 cosigners;
        for (uint256 i = 0; i < n; ++i) {
            address p = participants[i];
            if (p == author || members[p].slashed) continue;
            ++honest;
            if ((signers >> i) & 1 != 0) ++cosigners;
        }
        // 2: co-signers only, 1: every honest participant, 0: every participant but the author
        uint256 mode = cosigners != 0 ? 2 : honest != 0 ? 1 : 0;
        uint256 recipients = mode == 2 ? cosigners : mode == 1 ? honest : n - 1;
        uint256 share = amount / recipients;
        uint256 dust;
        // Safe: share * recipients <= amount by the floor division above.
        unchecked {
            dust = amount - share * recipients;
        }
        for (uint256 i = 0; i < n; ++i) {
            address p = participants[i];
            if (p == author || (mode != 0 && members[p].slashed) || (mode == 2 && (signers >> i) & 1 == 0)) continue;
            _owed[p][address(0)] += share + dust;
            dust = 0;
        }
    }

    /// @dev Recovers the signer of `digest`, rejecting every malformed or malleable signature.
    function _recover(bytes32 digest, bytes calldata signature, uint256 index) internal pure returns (address) {
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err != ECDSA.RecoverError.NoError || signer == address(0)) {
            revert IChannelSettlement.ChannelSettlementInvalidSignature(index);
        }
        return signer;
    }

    /// @dev Reverts unless `key` may sign checkpoint `version` (see {KeyRecord}).
    function _checkVersion(KeyRecord storage key, uint64 version, uint256 index, address signer) internal view {
        uint48 until = key.untilVersion;
        if (version < key.fromVersion || (until != 0 && version >= until)) {
            revert IChannelSettlement.ChannelSettlementRevokedKey(index, signer, version);
        }
    }

    function _checkSigner(bytes32 digest, bytes calldata signature, uint256 index, address expected) internal pure {
        address signer = _recover(digest, signature, index);
        if (signer != expected) revert IChannelSettlement.ChannelSettlementWrongSigner(index, expected, signer);
    }

    function _channel(bytes32 channelId) internal view returns (Channel storage ch) {
        ch = _channels[channelId];
        if (ch.status == IChannelSettlement.Status.None) {
            revert IChannelSettlement.ChannelSettlementUnknownChannel(channelId);
        }
    }

    function _participant(bytes32 channelId, address account) internal view returns (Member storage m) {
        m = _members[channelId][account];
        if (!m.isParticipant) revert IChannelSettlement.ChannelSettlementNotParticipant(channelId, account);
    }
}
