// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ChannelFixture} from "./utils/ChannelFixture.sol";
import {IChannelSettlement} from "../src/interfaces/IChannelSettlement.sol";

/**
 * @notice Audit finding: a rotation chosen after the fact erased the evidence against its own wallet. Evidence was
 * checked against the signing key's range, and a rotation may start anywhere above the current key's start: so a
 * participant that equivocated at seq s (or signed two checkpoints, or a censoring one, at version v) had its wallet
 * sign a rotation from s (from v) — anyone may submit it — and its key's signatures there became "revoked", no
 * evidence, bond kept. The range gave an honest owner nothing in exchange: a thief holding the leaked key can still
 * fork any seq below the rotation (next to the owner's own block there), so evidence now counts any key the
 * participant ever had, whatever its range; what a key may *settle* ({propose}, {closeCooperatively}) keeps the ranges.
 * Each test failed before (ChannelSettlementRevokedKey) and passes now.
 */
contract ChannelSettlementSlashEscapeTest is ChannelFixture {
    bytes32 internal id;
    uint256 internal constant NEW_KEY = 0xbeef;
    address internal newKey;
    uint256 internal constant BOND = 1 ether;
    bytes internal constant OP = hex"0300010000000000000000000000000000000000002a";

    function setUp() public override {
        super.setUp();
        id = _open(4, 3);
        newKey = vm.addr(NEW_KEY);
        for (uint256 i = 0; i < 4; ++i) {
            _bond(id, i, BOND);
        }
    }

    /// @dev Participant 1's wallet moves its key to NEW_KEY from (fromSeq, fromVersion); a stranger submits it.
    function _escapeRotation(uint64 fromSeq, uint64 fromVersion) internal {
        bytes memory sig =
            _sign(walletKeys[1], settlement.hashSessionKeyRotation(id, wallets[1], newKey, fromSeq, fromVersion));
        vm.prank(address(0x5eed));
        settlement.rotateSessionKey(id, wallets[1], newKey, fromSeq, fromVersion, sig);
    }

    function _assertSlashed(uint256 who) internal view {
        IChannelSettlement.ParticipantInfo memory p = settlement.getParticipant(id, wallets[who]);
        vm.assertTrue(p.slashed, "slashed");
        vm.assertEq(p.bond, 0, "whole bond taken");
    }

    function test_Escape_BlockEquivocationThenRotationFromItsSeq() public {
        IChannelSettlement.BlockHeader memory a = _header(id, 1, 50, keccak256("A"));
        IChannelSettlement.BlockHeader memory b = _header(id, 1, 50, keccak256("B"));
        _escapeRotation(50, 1);
        settlement.slash(id, a, b);
        _assertSlashed(1);
    }

    function test_Escape_SameRoundEquivocationThenRotationBelowBoth() public {
        IChannelSettlement.BlockHeader memory a = _headerAt(id, 1, 40, 60, keccak256("A"));
        IChannelSettlement.BlockHeader memory b = _headerAt(id, 1, 41, 60, keccak256("B"));
        _escapeRotation(1, 1);
        settlement.slash(id, a, b);
        _assertSlashed(1);
    }

    function test_Escape_CheckpointConflictThenRotationFromItsVersion() public {
        IChannelSettlement.Checkpoint memory a = _cp(5, keccak256("a"));
        IChannelSettlement.Checkpoint memory b = _cp(5, keccak256("b"));
        bytes memory sigA = _sign(sessionKeys[1], settlement.hashCheckpoint(id, a));
        bytes memory sigB = _sign(sessionKeys[1], settlement.hashCheckpoint(id, b));
        _escapeRotation(10, 5);
        settlement.slashCheckpoints(id, a, sigA, b, sigB);
        _assertSlashed(1);
    }

    function test_Escape_CensorshipThenRotationFromItsVersion() public {
        vm.prank(wallets[3]);
        settlement.forceInclude(id, OP);
        uint64 due = uint64((T0 + settlement.forceInclusionDelay(id)) * 1000);
        IChannelSettlement.Checkpoint memory cp = _cp(7, keccak256("censoring"));
        cp.time = due;
        bytes memory sig = _sign(sessionKeys[1], settlement.hashCheckpoint(id, cp));
        _escapeRotation(10, 7);
        settlement.slashCensorship(id, cp, sig, 0);
        _assertSlashed(1);
    }

    /// P1 proposes v1 while holding its signature on a quorum's v2 two hours older, then rotates from version 2.
    function test_Escape_StaleProposalThenRotationFromTheNewerVersion() public {
        IChannelSettlement.Checkpoint memory v1 = _cp(1, keccak256("v1"));
        v1.time = uint64((block.timestamp - 3 hours) * 1000);
        IChannelSettlement.Checkpoint memory v2 = _cp(2, keccak256("v2"));
        v2.time = uint64((block.timestamp - 2 hours) * 1000);
        uint256[] memory signers = new uint256[](3);
        (signers[0], signers[1], signers[2]) = (0, 1, 2);
        bytes[] memory v1Sigs = _signCp(id, v1, signers);
        (signers[0], signers[1], signers[2]) = (1, 2, 3);
        bytes[] memory v2Sigs = _signCp(id, v2, signers);
        vm.prank(wallets[1]);
        settlement.propose(id, v1, v1Sigs);
        _escapeRotation(10, 2);
        settlement.slashStaleProposal(id, v2, v2Sigs);
        _assertSlashed(1);
    }

    /// The stale-proposal quorum still needs the others' keys in range: only the offender's own may be any of its keys.
    function test_StaleProposal_OthersOutOfRangeKeysAreNoQuorum() public {
        IChannelSettlement.Checkpoint memory v1 = _cp(1, keccak256("v1"));
        v1.time = uint64((block.timestamp - 3 hours) * 1000);
        IChannelSettlement.Checkpoint memory v2 = _cp(2, keccak256("v2"));
        v2.time = uint64((block.timestamp - 2 hours) * 1000);
        uint256[] memory signers = new uint256[](3);
        (signers[0], signers[1], signers[2]) = (0, 1, 2);
        bytes[] memory v1Sigs = _signCp(id, v1, signers);
        vm.prank(wallets[0]);
        settlement.propose(id, v1, v1Sigs);
        // participant 1 rotated from version 2: its old (maybe leaked) key's signature on v2 counts for no quorum
        _escapeRotation(10, 2);
        (signers[0], signers[1], signers[2]) = (0, 1, 2);
        bytes[] memory v2Sigs = _signCp(id, v2, signers);
        vm.expectPartialRevert(IChannelSettlement.ChannelSettlementRevokedKey.selector);
        settlement.slashStaleProposal(id, v2, v2Sigs);
        vm.assertFalse(settlement.getParticipant(id, wallets[0]).slashed, "not slashed");
    }

    /// Why the range never protected an honest owner: the thief forks a seq below the rotation, next to the owner's block.
    function test_Thief_CanForkBelowTheRotationAnyway() public {
        _escapeRotation(50, 1);
        IChannelSettlement.BlockHeader memory owners = _header(id, 1, 49, keccak256("owner's block"));
        IChannelSettlement.BlockHeader memory thiefs = _header(id, 1, 49, keccak256("thief's fork"));
        settlement.slash(id, owners, thiefs);
        _assertSlashed(1);
    }

    /// Blocks of two different keys of one author are evidence too, but honest keys never share a seq or a round.
    function test_OldAndNewKey_SameSeq_IsEvidence_DifferentSeqAndRoundIsNot() public {
        _escapeRotation(50, 1);
        IChannelSettlement.BlockHeader memory old49 = _header(id, 1, 49, keccak256("old"));
        IChannelSettlement.BlockHeader memory new50 = _header(id, 1, 50, keccak256("new"));
        new50.signature = _sign(NEW_KEY, settlement.hashBlock(id, new50));
        vm.expectPartialRevert(IChannelSettlement.ChannelSettlementNoEquivocation.selector);
        settlement.slash(id, old49, new50);
        IChannelSettlement.BlockHeader memory old50 = _header(id, 1, 50, keccak256("old at 50"));
        settlement.slash(id, old50, new50);
        _assertSlashed(1);
    }

    /// Another participant's key is still no evidence against this one.
    function test_RevertWhen_AnotherParticipantsKeySignedTheBlocks() public {
        IChannelSettlement.BlockHeader memory a = _header(id, 1, 5, keccak256("A"));
        IChannelSettlement.BlockHeader memory b = _header(id, 1, 5, keccak256("B"));
        b.signature = _sign(sessionKeys[2], settlement.hashBlock(id, b));
        vm.expectPartialRevert(IChannelSettlement.ChannelSettlementWrongSigner.selector);
        settlement.slash(id, a, b);
    }
}
