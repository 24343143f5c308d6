// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IChannelSettlement} from "./interfaces/IChannelSettlement.sol";
import {ISettlementEvidence} from "./interfaces/ISettlementEvidence.sol";
import {SettlementStorage} from "./SettlementStorage.sol";

/**
 * @title ChannelSettlementEvidence
 * @notice The evidence half of the settlement contract: session keys and bonds, and the evidence against them —
 * key rotation, the participant and key views, every slashing condition, and the release of a bond once no evidence
 * can come. These are the cold paths; the hot ones (propose, claim, close) stay in {ChannelSettlement}. It is not called at its own address: {ChannelSettlement} deploys it in its constructor and runs it by
 * `delegatecall` from its fallback, so it reads and writes the channels' storage ({SettlementStorage}) at the one
 * address users call, with the same `nonReentrant` guard, and its events are that address's. Called directly it
 * works on its own empty storage (no channel exists there) and holds no funds.
 */
contract ChannelSettlementEvidence is SettlementStorage, ISettlementEvidence {
    /// @notice EIP-712 type hash of the wallet's replacement of its session key (issue #12).
    bytes32 public constant SESSION_KEY_ROTATION_TYPEHASH = keccak256(
        "SessionKeyRotation(bytes32 channelId,address participant,address newKey,uint64 fromSeq,uint64 fromVersion)"
    );
    /// @notice EIP-712 type hash of a block header (`time` in milliseconds); the block id is its full digest.
    bytes32 public constant BLOCK_TYPEHASH = keccak256(
        "Block(bytes32 channelId,address author,uint64 seq,uint64 round,uint64 time,bytes32 prev,bytes32 parentsHash,bytes32 opsHash)"
    );

    /**
     * @inheritdoc ISettlementEvidence
     * @dev The replaced key stays the participant's (its record keeps `participant`) with its ranges closed at the
     * rotation's starts, so evidence and checkpoints it signed below them keep verifying and nothing above them does.
     * A participant cannot escape a slash this way: a rotation never reaches below the current key's start.
     */
    function rotateSessionKey(
        bytes32 channelId,
        address participant,
        address newKey,
        uint64 fromSeq,
        uint64 fromVersion,
        bytes calldata walletSig
    ) external {
        Channel storage ch = _channel(channelId);
        if (ch.status == IChannelSettlement.Status.Finalized) {
            revert IChannelSettlement.ChannelSettlementChannelFinalized(channelId);
        }
        Member storage m = _participant(channelId, participant);
        mapping(address => KeyRecord) storage keys = _keys[channelId];
        if (newKey == address(0) || keys[newKey].participant != address(0)) {
            revert IChannelSettlement.ChannelSettlementInvalidSessionKey(newKey);
        }
        address oldKey = m.sessionKey;
        KeyRecord storage current = keys[oldKey];
        if (
            fromSeq <= current.fromSeq || fromVersion < current.fromVersion || fromVersion == 0
                || fromVersion > type(uint48).max
        ) revert IChannelSettlement.ChannelSettlementInvalidRotation(fromSeq, fromVersion);
        _checkSigner(
            hashSessionKeyRotation(channelId, participant, newKey, fromSeq, fromVersion), walletSig, 0, participant
        );
        // Casting to uint48 is safe: fromVersion <= type(uint48).max was checked above.
        // forge-lint: disable-next-line(unsafe-typecast)
        uint48 version = uint48(fromVersion);
        current.untilSeq = fromSeq;
        current.untilVersion = version;
        keys[newKey] = KeyRecord(participant, version, 0, fromSeq, 0);
        m.sessionKey = newKey;
        emit IChannelSettlement.SessionKeyRotated(channelId, participant, oldKey, newKey, fromSeq, fromVersion);
    }

    /// @inheritdoc ISettlementEvidence
    function getParticipant(bytes32 channelId, address participant)
        external
        view
        returns (IChannelSettlement.ParticipantInfo memory)
    {
        Member storage m = _participant(channelId, participant);
        return
            IChannelSettlement.ParticipantInfo(m.sessionKey, m.index, m.role, m.slashed, _bonds[channelId][participant]);
    }

    /// @inheritdoc ISettlementEvidence
    function sessionKeyRange(bytes32 channelId, address sessionKey)
        external
        view
        returns (IChannelSettlement.SessionKeyRange memory)
    {
        KeyRecord storage k = _keys[channelId][sessionKey];
        return IChannelSettlement.SessionKeyRange(k.participant, k.fromSeq, k.untilSeq, k.fromVersion, k.untilVersion);
    }

    /// @inheritdoc ISettlementEvidence
    function hashSessionKeyRotation(
        bytes32 channelId,
        address participant,
        address newKey,
        uint64 fromSeq,
        uint64 fromVersion
    ) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(abi.encode(SESSION_KEY_ROTATION_TYPEHASH, channelId, participant, newKey, fromSeq, fromVersion))
        );
    }

    /**
     * @inheritdoc ISettlementEvidence
     * @dev DoubleSpending. Evidence is checked in this order: the evidence window is open, same author, same
     * seq or same round, author is a participant, not yet slashed, distinct block ids, then both signatures
     * must be by session keys of the author — any key it ever had, whatever that key's seq range (see
     * {_evidenceKeyOwner}). See {_punish} for where the bond goes.
     */
    function slash(
        bytes32 channelId,
        IChannelSettlement.BlockHeader calldata a,
        IChannelSettlement.BlockHeader calldata b
    ) external nonReentrant {
        Channel storage ch = _channel(channelId);
        _checkEvidenceWindow(channelId, ch);
        if (a.author != b.author) revert IChannelSettlement.ChannelSettlementAuthorMismatch(a.author, b.author);
        if (a.seq != b.seq && a.round != b.round) {
            revert IChannelSettlement.ChannelSettlementNoEquivocation(a.seq, b.seq, a.round, b.round);
        }
        Member storage m = _participant(channelId, a.author);
        if (m.slashed) revert IChannelSettlement.ChannelSettlementAlreadySlashed(channelId, a.author);

        bytes32 idA = _hashBlock(channelId, a);
        bytes32 idB = _hashBlock(channelId, b);
        if (idA == idB) revert IChannelSettlement.ChannelSettlementIdenticalBlocks(idA);
        _checkBlockSigner(channelId, m.sessionKey, a.author, idA, a.signature, 0);
        _checkBlockSigner(channelId, m.sessionKey, a.author, idB, b.signature, 1);
        _punish(channelId, ch, m, a.author, IChannelSettlement.Offence.DoubleSpending, idA, idB);
    }

    /**
     * @inheritdoc ISettlementEvidence
     * @dev InvalidStateSubmission. Checked in this order: the evidence window is open, same version, distinct
     * digests, both signatures well formed and by one key, that key is (or was) a session key of this channel, its
     * participant not yet slashed. Honest keys sign the one checkpoint every honest replica computes per version,
     * never two. The key's version range is not read (see {_evidenceKeyOwner}).
     */
    function slashCheckpoints(
        bytes32 channelId,
        IChannelSettlement.Checkpoint calldata a,
        bytes calldata sigA,
        IChannelSettlement.Checkpoint calldata b,
        bytes calldata sigB
    ) external nonReentrant {
        Channel storage ch = _channel(channelId);
        _checkEvidenceWindow(channelId, ch);
        if (a.version != b.version) revert IChannelSettlement.ChannelSettlementVersionMismatch(a.version, b.version);
        bytes32 digestA = _hashCheckpoint(channelId, a);
        bytes32 digestB = _hashCheckpoint(channelId, b);
        if (digestA == digestB) revert IChannelSettlement.ChannelSettlementIdenticalCheckpoints(digestA);
        address key = _recover(digestA, sigA, 0);
        _checkSigner(digestB, sigB, 1, key);
        (address signer, Member storage m) = _evidenceKeyOwner(channelId, key);
        _punish(channelId, ch, m, signer, IChannelSettlement.Offence.InvalidStateSubmission, digestA, digestB);
    }

    /**
     * @inheritdoc ISettlementEvidence
     * @dev InvalidStateSubmission, second half. Checked in this order: the evidence window is open, the pending (or
     * final) checkpoint was proposed by a participant, `cp` carries a quorum of valid signatures including that
     * participant's, a higher version, and a channel time at least the force-inclusion delay before the proposal (see
     * {_isStale}). A quorum is required, not the proposer's signature alone: a participant that signed a newer
     * checkpoint the others never certified (they went offline) must be able to settle with its newest certified one.
     * The others' keys must be valid at `cp.version` (they certify it); the proposer's may be any key it ever had
     * (see {_evidenceKeyOwner}), so a rotation it makes after proposing does not revoke the evidence.
     */
    function slashStaleProposal(bytes32 channelId, IChannelSettlement.Checkpoint calldata cp, bytes[] calldata sigs)
        external
        nonReentrant
    {
        Channel storage ch = _channel(channelId);
        _checkEvidenceWindow(channelId, ch);
        uint256 proposer = ch.proposer;
        if (proposer == 0) revert IChannelSettlement.ChannelSettlementNoProposal(channelId);
        address offender = ch.participants[proposer - 1];
        (bytes32 digest, uint256 seen) = _verifyCheckpoint(channelId, cp, sigs, ch.threshold, offender);
        if ((seen >> (proposer - 1)) & 1 == 0) revert IChannelSettlement.ChannelSettlementNotSignedBy(offender);
        uint64 pending = ch.checkpoint.version;
        if (cp.version <= pending) revert IChannelSettlement.ChannelSettlementStaleVersion(cp.version, pending);
        if (!_isStale(ch, cp.time, ch.proposedAt)) {
            revert IChannelSettlement.ChannelSettlementCheckpointTooRecent(cp.time, ch.proposedAt);
        }
        Member storage m = _members[channelId][offender];
        if (m.slashed) revert IChannelSettlement.ChannelSettlementAlreadySlashed(channelId, offender);
        _punish(
            channelId, ch, m, offender, IChannelSettlement.Offence.InvalidStateSubmission, ch.checkpoint.digest, digest
        );
    }

    /**
     * @inheritdoc ISettlementEvidence
     * @dev Censorship. Checked in this order: the evidence window is open, record `index` exists, `cp` leaves it out,
     * `cp`'s channel time is at or past the record's due time (the same bound as {ChannelSettlement-propose}'s
     * inclusion rule: from exactly `record time + D` the record must be in), then the signature is well formed and by
     * a session key of this channel (any it ever had, see {_evidenceKeyOwner}), whose participant is not slashed yet. Honest replicas never
     * sign such a checkpoint (src/core refuses to: censorship.ts). `evidenceB` of the event is the record's index.
     */
    function slashCensorship(
        bytes32 channelId,
        IChannelSettlement.Checkpoint calldata cp,
        bytes calldata sig,
        uint64 index
    ) external nonReentrant {
        Channel storage ch = _channel(channelId);
        _checkEvidenceWindow(channelId, ch);
        if (index >= ch.forcedCount) revert IChannelSettlement.ChannelSettlementForcedOpNotFound(channelId, index);
        if (cp.forcedCount > index) revert IChannelSettlement.ChannelSettlementForcedOpIncluded(index, cp.forcedCount);
        uint256 dueAt = (uint256(_forced[channelId][index].time) + _forceInclusionDelay(ch)) * 1000;
        if (cp.time < dueAt) revert IChannelSettlement.ChannelSettlementForcedOpNotDue(index, cp.time, dueAt);
        bytes32 digest = _hashCheckpoint(channelId, cp);
        (address signer, Member storage m) = _evidenceKeyOwner(channelId, _recover(digest, sig, 0));
        _punish(channelId, ch, m, signer, IChannelSettlement.Offence.Censorship, digest, bytes32(uint256(index)));
    }

    /**
     * @inheritdoc ISettlementEvidence
     * @dev The bond is locked until one dispute window after the final deadline, the end of the evidence
     * window (see {slash}): no bond can leave while a slash may still arrive, and no slash arrives after.
     */
    function releaseBond(bytes32 channelId) external nonReentrant {
        Channel storage ch = _channel(channelId);
        if (ch.status != IChannelSettlement.Status.Finalized) {
            revert IChannelSettlement.ChannelSettlementNotFinalized(channelId);
        }
        _participant(channelId, msg.sender);
        uint64 unlockAt = ch.deadline + ch.disputeWindow;
        if (block.timestamp < unlockAt) revert IChannelSettlement.ChannelSettlementBondLocked(channelId, unlockAt);
        uint256 amount = _bonds[channelId][msg.sender];
        if (amount == 0) revert IChannelSettlement.ChannelSettlementNoBond(channelId, msg.sender);
        _bonds[channelId][msg.sender] = 0;
        _owed[msg.sender][address(0)] += amount;
        emit IChannelSettlement.BondReleased(channelId, msg.sender, amount);
    }

    /// @inheritdoc ISettlementEvidence
    function hashBlock(bytes32 channelId, IChannelSettlement.BlockHeader calldata header)
        external
        view
        returns (bytes32)
    {
        return _hashBlock(channelId, header);
    }

    /**
     * @dev Marks `offender` slashed (at most once per channel, also with a zero bond, and it cannot bond again
     * there) and shares its whole bond among the other participants (see {_shareSlashedBond}).
     */
    function _punish(
        bytes32 channelId,
        Channel storage ch,
        Member storage m,
        address offender,
        IChannelSettlement.Offence offence,
        bytes32 evidenceA,
        bytes32 evidenceB
    ) internal {
        uint256 amount = _bonds[channelId][offender];
        m.slashed = true;
        _bonds[channelId][offender] = 0;
        _shareSlashedBond(channelId, ch.participants, offender, amount);
        emit IChannelSettlement.Slashed(channelId, offender, msg.sender, offence, amount, evidenceA, evidenceB);
    }

    /// @dev Reverts once bonds may be released: one dispute window after the deadline of a settling channel.
    function _checkEvidenceWindow(bytes32 channelId, Channel storage ch) internal view {
        if (ch.status == IChannelSettlement.Status.Open) return;
        uint64 closesAt = ch.deadline + ch.disputeWindow;
        if (block.timestamp >= closesAt) {
            revert IChannelSettlement.ChannelSettlementEvidenceWindowClosed(channelId, closesAt);
        }
    }

    function _hashBlock(bytes32 channelId, IChannelSettlement.BlockHeader calldata h) internal view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    BLOCK_TYPEHASH, channelId, h.author, h.seq, h.round, h.time, h.prev, h.parentsHash, h.opsHash
                )
            )
        );
    }

    /**
     * @dev The participant whose session key `key` is (or was), and its record; reverts for a key that was never a
     * session key of the channel, or a slashed participant. Evidence does not read the key's seq or version range:
     * a rotation chosen after the fact (from the seq of its own fork, from the version it signed twice) would
     * otherwise erase the evidence against its wallet, and the range protected no honest owner in exchange — a thief
     * holding a leaked key forks any seq or version below the rotation just as well. Ranges limit what a key can
     * settle ({ChannelSettlement-propose}, the cooperative close), not what it can be blamed for.
     */
    function _evidenceKeyOwner(bytes32 channelId, address key) internal view returns (address signer, Member storage m) {
        signer = _keys[channelId][key].participant;
        if (signer == address(0)) revert IChannelSettlement.ChannelSettlementUnauthorizedSigner(0, key);
        m = _members[channelId][signer];
        if (m.slashed) revert IChannelSettlement.ChannelSettlementAlreadySlashed(channelId, signer);
    }

    /// @dev Reverts unless `signature` over block id `digest` is by a session key `author` has (or had).
    function _checkBlockSigner(
        bytes32 channelId,
        address currentKey,
        address author,
        bytes32 digest,
        bytes calldata signature,
        uint256 index
    ) internal view {
        address signer = _recover(digest, signature, index);
        if (_keys[channelId][signer].participant != author) {
            revert IChannelSettlement.ChannelSettlementWrongSigner(index, currentKey, signer);
        }
    }
}
