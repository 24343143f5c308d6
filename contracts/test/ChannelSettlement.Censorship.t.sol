// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ChannelFixture} from "./utils/ChannelFixture.sol";
import {IChannelSettlement} from "../src/interfaces/IChannelSettlement.sol";

/**
 * @notice Censorship slashing (issue #12): a session key's signature on a checkpoint that leaves out a forced record
 * already due at the checkpoint's channel time takes its participant's whole bond.
 */
contract ChannelSettlementCensorshipTest is ChannelFixture {
    bytes32 internal id;
    uint64 internal delay;
    /// @dev channel time (ms) at which forced record 0, posted at T0, is due
    uint64 internal due;

    uint256 internal constant BOND = 3 ether;
    bytes internal constant OP = hex"0300010000000000000000000000000000000000002a"; // a core Transfer op (tag 0x03)

    function setUp() public override {
        super.setUp();
        id = _open(4, 3);
        delay = settlement.forceInclusionDelay(id);
        for (uint256 i = 0; i < 4; ++i) {
            _bond(id, i, BOND);
        }
        vm.prank(wallets[3]);
        settlement.forceInclude(id, OP); // record 0 at T0
        due = uint64((T0 + delay) * 1000);
    }

    /// @dev A checkpoint of `version` at channel time `time` (ms) that includes forced records 0 .. forcedCount - 1.
    function _cpAt(uint64 version, uint64 time, uint64 forcedCount)
        internal
        pure
        returns (IChannelSettlement.Checkpoint memory cp)
    {
        cp = _cp(version, keccak256(abi.encode("balances", version)));
        cp.time = time;
        cp.forcedCount = forcedCount;
    }

    function _sigOf(uint256 key, IChannelSettlement.Checkpoint memory cp) internal view returns (bytes memory) {
        return _sign(key, settlement.hashCheckpoint(id, cp));
    }

    function test_Censorship_SlashesASignatureOnACheckpointLeavingOutADueRecord() public {
        IChannelSettlement.Checkpoint memory cp = _cpAt(4, due + 60_000, 0);
        bytes memory sig = _sigOf(sessionKeys[1], cp);
        bytes32 digest = settlement.hashCheckpoint(id, cp);
        vm.expectEmit(true, true, true, true);
        emit IChannelSettlement.Slashed(
            id, wallets[1], address(0xbad), IChannelSettlement.Offence.Censorship, BOND, digest, bytes32(uint256(0))
        );
        vm.prank(address(0xbad)); // anyone may submit; the submitter earns nothing
        settlement.slashCensorship(id, cp, sig, 0);
        IChannelSettlement.ParticipantInfo memory p = settlement.getParticipant(id, wallets[1]);
        vm.assertTrue(p.slashed, "slashed");
        vm.assertEq(p.bond, 0, "whole bond taken");
        vm.assertEq(settlement.owed(address(0xbad), address(0)), 0, "no reward for the submitter");
        vm.assertEq(settlement.owed(wallets[1], address(0)), 0, "none for the offender");
        // an open channel has no co-signed checkpoint: every other participant gets an equal share
        vm.assertEq(settlement.owed(wallets[0], address(0)), BOND / 3, "share of 0");
        vm.assertEq(settlement.owed(wallets[2], address(0)), BOND / 3, "share of 2");
        vm.assertEq(settlement.owed(wallets[3], address(0)), BOND / 3, "share of 3");
    }

    function test_Censorship_EdgeExactlyAtTheDueTimeIsSlashable_OneMsBeforeIsNot() public {
        IChannelSettlement.Checkpoint memory early = _cpAt(2, due - 1, 0);
        bytes memory sigEarly = _sigOf(sessionKeys[2], early);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementForcedOpNotDue.selector, 0, due - 1, due)
        );
        settlement.slashCensorship(id, early, sigEarly, 0);

        IChannelSettlement.Checkpoint memory atBound = _cpAt(3, due, 0);
        settlement.slashCensorship(id, atBound, _sigOf(sessionKeys[2], atBound), 0);
        vm.assertTrue(settlement.getParticipant(id, wallets[2]).slashed, "slashed at exactly record time + delay");
    }

    function test_Censorship_TheSameBoundAsTheInclusionRule() public {
        // the chain refuses to accept the censoring checkpoint from exactly the same instant the signature is evidence
        IChannelSettlement.Checkpoint memory cp = _cpAt(3, due, 0);
        bytes[] memory quorum = _signCp(id, cp, 3);
        vm.warp(T0 + delay);
        vm.expectPartialRevert(IChannelSettlement.ChannelSettlementForcedOpExcluded.selector);
        settlement.propose(id, cp, quorum);
        settlement.slashCensorship(id, cp, _sigOf(sessionKeys[0], cp), 0);
    }

    function test_Censorship_RevertWhen_HonestCheckpointIncludesTheRecord() public {
        IChannelSettlement.Checkpoint memory cp = _cpAt(5, due + 1 hours * 1000, 1);
        bytes memory sig = _sigOf(sessionKeys[0], cp);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementForcedOpIncluded.selector, 0, 1));
        settlement.slashCensorship(id, cp, sig, 0);
        // and proposing it is fine
        settlement.propose(id, cp, _signCp(id, cp, 3));
        vm.assertFalse(settlement.getParticipant(id, wallets[0]).slashed, "honest signer kept its bond");
    }

    function test_Censorship_RevertWhen_RecordUnknownOrSignatureNotAChannelKey() public {
        IChannelSettlement.Checkpoint memory cp = _cpAt(5, due + 1, 0);
        bytes memory sig = _sigOf(sessionKeys[0], cp);
        bytes memory walletSig = _sigOf(walletKeys[0], cp);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementForcedOpNotFound.selector, id, uint64(1))
        );
        settlement.slashCensorship(id, cp, sig, 1);
        // a wallet key (not a session key) signs nothing that counts
        vm.expectPartialRevert(IChannelSettlement.ChannelSettlementUnauthorizedSigner.selector);
        settlement.slashCensorship(id, cp, walletSig, 0);
        vm.expectPartialRevert(IChannelSettlement.ChannelSettlementInvalidSignature.selector);
        settlement.slashCensorship(id, cp, _highS(sig), 0);
    }

    function test_Censorship_RevertWhen_SlashedTwice() public {
        IChannelSettlement.Checkpoint memory a = _cpAt(4, due, 0);
        IChannelSettlement.Checkpoint memory b = _cpAt(5, due + 1000, 0);
        bytes memory sigA = _sigOf(sessionKeys[1], a);
        bytes memory sigB = _sigOf(sessionKeys[1], b);
        settlement.slashCensorship(id, a, sigA, 0);
        uint256 owed0 = settlement.owed(wallets[0], address(0));
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementAlreadySlashed.selector, id, wallets[1])
        );
        settlement.slashCensorship(id, a, sigA, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementAlreadySlashed.selector, id, wallets[1])
        );
        settlement.slashCensorship(id, b, sigB, 0);
        vm.assertEq(settlement.owed(wallets[0], address(0)), owed0, "nothing shared twice");
    }

    function test_Censorship_RotatedKeys() public {
        address newKey = vm.addr(0xbeef);
        bytes memory rot = _sign(walletKeys[1], settlement.hashSessionKeyRotation(id, wallets[1], newKey, 10, 5));
        settlement.rotateSessionKey(id, wallets[1], newKey, 10, 5, rot);

        // evidence is not bound by key ranges (audit, ChannelSettlement.SlashEscape.t.sol): the replaced key's
        // censoring signature above its range is evidence, or a rotation from that version would erase it
        IChannelSettlement.Checkpoint memory above = _cpAt(5, due, 0);
        settlement.slashCensorship(id, above, _sigOf(sessionKeys[1], above), 0);
        vm.assertTrue(settlement.getParticipant(id, wallets[1]).slashed, "replaced key's censoring signature");

        // the new key in its range is its participant's evidence (participant 2, rotated the same way)
        uint256 otherPk = 0xcafe;
        address other = vm.addr(otherPk);
        rot = _sign(walletKeys[2], settlement.hashSessionKeyRotation(id, wallets[2], other, 10, 5));
        settlement.rotateSessionKey(id, wallets[2], other, 10, 5, rot);
        settlement.slashCensorship(id, above, _sigOf(otherPk, above), 0);
        vm.assertTrue(settlement.getParticipant(id, wallets[2]).slashed, "new key's censoring signature");
    }

    function test_Censorship_OldKeyBelowItsRotationStillEvidence() public {
        uint256 newKeyPk = 0xbeef;
        address newKey = vm.addr(newKeyPk);
        bytes memory rot = _sign(walletKeys[2], settlement.hashSessionKeyRotation(id, wallets[2], newKey, 10, 5));
        settlement.rotateSessionKey(id, wallets[2], newKey, 10, 5, rot);
        IChannelSettlement.Checkpoint memory cp = _cpAt(4, due, 0);
        settlement.slashCensorship(id, cp, _sigOf(sessionKeys[2], cp), 0);
        vm.assertTrue(settlement.getParticipant(id, wallets[2]).slashed, "rotation does not erase the evidence");
    }

    function test_Censorship_BondLockedUntilTheEvidenceWindowCloses() public {
        // the censors settle with a checkpoint that includes the record; one of them had signed a censoring one
        IChannelSettlement.Checkpoint memory censoring = _cpAt(3, due, 0);
        bytes memory evidence = _sigOf(sessionKeys[0], censoring);
        bytes memory late = _sigOf(sessionKeys[3], censoring);
        IChannelSettlement.Checkpoint memory fin = _cpAt(6, due + 5000, 1);
        _finalize(id, fin, 3);
        uint64 unlockAt = settlement.getChannel(id).deadline + WINDOW;
        vm.prank(wallets[0]);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementBondLocked.selector, id, unlockAt));
        settlement.releaseBond(id);
        vm.warp(unlockAt - 1);
        settlement.slashCensorship(id, censoring, evidence, 0);
        // the final checkpoint's co-signers other than the offender (1 and 2) share the bond
        vm.assertEq(settlement.owed(wallets[1], address(0)), BOND / 2, "co-signer 1");
        vm.assertEq(settlement.owed(wallets[2], address(0)), BOND / 2, "co-signer 2");
        vm.assertEq(settlement.owed(wallets[3], address(0)), 0, "not a co-signer");
        vm.warp(unlockAt);
        vm.prank(wallets[0]);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementNoBond.selector, id, wallets[0]));
        settlement.releaseBond(id);
        vm.expectPartialRevert(IChannelSettlement.ChannelSettlementEvidenceWindowClosed.selector);
        settlement.slashCensorship(id, censoring, late, 0);
    }
}
