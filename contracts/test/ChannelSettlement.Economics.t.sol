// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ChannelFixture} from "./utils/ChannelFixture.sol";
import {IChannelSettlement} from "../src/interfaces/IChannelSettlement.sol";

/**
 * @notice Economic security of settlement v2 (issue #12): the stale-proposal half of InvalidStateSubmission, Griefing,
 * bonds versus pending evidence, and the co-signers' share of every slashed bond. Each condition's
 * positive test fails on the contract before these rules (no such function, or no penalty).
 */
contract ChannelSettlementEconomicsTest is ChannelFixture {
    bytes32 internal id;
    address internal reporter = address(0x5eed);
    uint64 internal constant DELAY = 1 hours; // min(WINDOW, FORCE_INCLUSION_DELAY)

    function setUp() public override {
        super.setUp();
        id = _open(4, 3);
        for (uint256 i = 0; i < 4; ++i) {
            _bond(id, i, 1 ether);
        }
    }

    function _three(uint256 a, uint256 b, uint256 c) internal pure returns (uint256[] memory r) {
        r = new uint256[](3);
        r[0] = a;
        r[1] = b;
        r[2] = c;
    }

    /// @dev Checkpoint `version` whose channel time is `secondsAgo` before now (ms).
    function _cpAt(uint64 version, uint256 secondsAgo) internal view returns (IChannelSettlement.Checkpoint memory cp) {
        cp = _cp(version, keccak256(abi.encode("root", version)));
        cp.time = uint64((block.timestamp - secondsAgo) * 1000);
    }

    function _proposeAs(address who, IChannelSettlement.Checkpoint memory cp, uint256[] memory signers) internal {
        bytes[] memory sigs = _signCp(id, cp, signers);
        vm.prank(who);
        settlement.propose(id, cp, sigs);
    }

    function _bondOf(uint256 i) internal view returns (uint256) {
        return settlement.getParticipant(id, wallets[i]).bond;
    }

    function _owedEth(address a) internal view returns (uint256) {
        return settlement.owed(a, address(0));
    }

    // ---------------------------------------------------------------- Griefing

    /// P1 proposes v1 although it had signed v2 two hours earlier; P3 answers with v2 (P1's signature on it).
    function test_Griefing_HalfTheStaleProposersBondGoesToTheChallenger() public {
        IChannelSettlement.Checkpoint memory v2 = _cpAt(2, 2 hours);
        IChannelSettlement.Checkpoint memory v1 = _cpAt(1, 3 hours);
        _proposeAs(wallets[1], v1, _three(0, 1, 2));
        bytes32 staleDigest = settlement.hashCheckpoint(id, v1);

        vm.expectEmit(true, true, true, true);
        emit IChannelSettlement.Slashed(
            id,
            wallets[1],
            wallets[3],
            IChannelSettlement.Offence.Griefing,
            0.5 ether,
            staleDigest,
            settlement.hashCheckpoint(id, v2)
        );
        _proposeAs(wallets[3], v2, _three(1, 2, 3));

        vm.assertEq(_bondOf(1), 0.5 ether, "half the bond stays");
        vm.assertEq(_owedEth(wallets[3]), 0.5 ether, "the challenger gets the other half");
        vm.assertFalse(settlement.getParticipant(id, wallets[1]).slashed, "not marked: a lesser offence");
        vm.assertEq(settlement.getChannel(id).checkpoint.version, 2, "the newer checkpoint is pending");
    }

    /// A challenger that is no participant (a bot copying the evidence) earns nothing: the co-signers share it.
    function test_Griefing_NonParticipantChallengerEarnsNothing() public {
        _proposeAs(wallets[1], _cpAt(1, 3 hours), _three(0, 1, 2));
        _proposeAs(reporter, _cpAt(2, 2 hours), _three(1, 2, 3));
        vm.assertEq(_owedEth(reporter), 0, "front-runner");
        // co-signers of v2 other than the offender: participants 2 and 3
        vm.assertEq(_owedEth(wallets[2]), 0.25 ether, "co-signer 2");
        vm.assertEq(_owedEth(wallets[3]), 0.25 ether, "co-signer 3");
        vm.assertEq(_owedEth(wallets[0]), 0, "did not sign v2");
    }

    /// An honest proposer whose newer checkpoint appeared after it proposed (or within the delay before) pays nothing.
    function test_Griefing_NotChargedForACheckpointNewerThanTheProposalMinusTheDelay() public {
        _proposeAs(wallets[1], _cpAt(1, 3 hours), _three(0, 1, 2));
        // v2's channel time is DELAY - 1 s before the proposal: P1 may not have had a quorum for it yet
        vm.warp(block.timestamp + 10 minutes);
        _proposeAs(wallets[3], _cpAt(2, 10 minutes + DELAY - 1), _three(1, 2, 3));
        vm.assertEq(_bondOf(1), 1 ether, "bond intact");
        vm.assertEq(_owedEth(wallets[3]), 0, "no reward");
    }

    function test_Griefing_NotChargedWhenTheProposerDidNotSignTheNewerCheckpoint() public {
        _proposeAs(wallets[1], _cpAt(1, 3 hours), _three(0, 1, 2));
        _proposeAs(wallets[3], _cpAt(2, 2 hours), _three(0, 2, 3));
        vm.assertEq(_bondOf(1), 1 ether, "no evidence against P1");
    }

    function test_Griefing_NotChargedWhenTheStaleProposalCameFromAnOutsider() public {
        _proposeAs(reporter, _cpAt(1, 3 hours), _three(0, 1, 2));
        _proposeAs(wallets[3], _cpAt(2, 2 hours), _three(1, 2, 3));
        for (uint256 i = 0; i < 4; ++i) {
            vm.assertEq(_bondOf(i), 1 ether, "no participant proposed");
        }
    }

    // ---------------------------------------------------------------- InvalidStateSubmission: stale proposal

    /// The honest participants were offline; P1's stale v1 became final. A quorum's v2 with P1's signature on it,
    /// two hours older than P1's proposal, slashes P1's whole bond within the evidence window.
    function test_StaleProposal_SlashesTheWholeBondEvenAfterFinalization() public {
        IChannelSettlement.Checkpoint memory v1 = _cpAt(1, 3 hours);
        IChannelSettlement.Checkpoint memory v2 = _cpAt(2, 2 hours);
        _proposeAs(wallets[1], v1, _three(0, 1, 2));
        vm.warp(settlement.getChannel(id).deadline);
        settlement.finalize(id);

        bytes[] memory sigs = _signCp(id, v2, _three(1, 2, 3));
        vm.expectEmit(true, true, true, true);
        emit IChannelSettlement.Slashed(
            id,
            wallets[1],
            reporter,
            IChannelSettlement.Offence.InvalidStateSubmission,
            1 ether,
            settlement.hashCheckpoint(id, v1),
            settlement.hashCheckpoint(id, v2)
        );
        vm.prank(reporter);
        settlement.slashStaleProposal(id, v2, sigs);
        vm.assertEq(_bondOf(1), 0, "whole bond");
        vm.assertTrue(settlement.getParticipant(id, wallets[1]).slashed, "marked");
        vm.assertEq(_owedEth(reporter), 0, "the submitter earns nothing");
        // the final checkpoint's co-signers other than P1: participants 0 and 2
        vm.assertEq(_owedEth(wallets[0]), 0.5 ether, "co-signer 0");
        vm.assertEq(_owedEth(wallets[2]), 0.5 ether, "co-signer 2");
        vm.assertEq(_owedEth(wallets[3]), 0, "not on the final checkpoint");
    }

    /// An emergency exit is a proposal too.
    function test_StaleProposal_ExitWithAnOlderCheckpointIsSlashable() public {
        Balance[] memory b = new Balance[](1);
        b[0] = Balance(wallets[1], address(token), 100);
        IChannelSettlement.Checkpoint memory v1 = _cpAt(1, 3 hours);
        v1.balancesRoot = _root(id, 1, b);
        bytes[] memory sigs = _signCp(id, v1, _three(0, 1, 2));
        bytes32[] memory proof = _proof(id, 1, b, 0);
        vm.prank(wallets[1]);
        settlement.emergencyExit(id, v1, sigs, address(token), 100, proof);

        IChannelSettlement.Checkpoint memory v2 = _cpAt(2, 2 hours);
        settlement.slashStaleProposal(id, v2, _signCp(id, v2, _three(1, 2, 3)));
        vm.assertTrue(settlement.getParticipant(id, wallets[1]).slashed, "exiter slashed");
    }

    function test_RevertWhen_StaleProposalEvidenceLacksTheProposersSignature() public {
        _proposeAs(wallets[1], _cpAt(1, 3 hours), _three(0, 1, 2));
        IChannelSettlement.Checkpoint memory v2 = _cpAt(2, 2 hours);
        bytes[] memory sigs = _signCp(id, v2, _three(0, 2, 3));
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementNotSignedBy.selector, wallets[1]));
        settlement.slashStaleProposal(id, v2, sigs);
    }

    /// The proposer's signature alone is not enough: the others may never have certified that checkpoint.
    function test_RevertWhen_StaleProposalEvidenceIsNoQuorum() public {
        _proposeAs(wallets[1], _cpAt(1, 3 hours), _three(0, 1, 2));
        IChannelSettlement.Checkpoint memory v2 = _cpAt(2, 2 hours);
        uint256[] memory only = new uint256[](1);
        only[0] = 1;
        bytes[] memory sigs = _signCp(id, v2, only);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementInsufficientSignatures.selector, 1, 3)
        );
        settlement.slashStaleProposal(id, v2, sigs);
    }

    function test_RevertWhen_StaleProposalEvidenceIsNotNewerOrTooRecent() public {
        _proposeAs(wallets[1], _cpAt(5, 3 hours), _three(0, 1, 2));
        uint64 proposedAt = uint64(block.timestamp);
        IChannelSettlement.Checkpoint memory same = _cpAt(5, 4 hours);
        same.stateRoot = keccak256("other");
        bytes[] memory sigs = _signCp(id, same, _three(1, 2, 3));
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementStaleVersion.selector, 5, 5));
        settlement.slashStaleProposal(id, same, sigs);

        IChannelSettlement.Checkpoint memory recent = _cpAt(6, DELAY - 1);
        sigs = _signCp(id, recent, _three(1, 2, 3));
        vm.expectRevert(
            abi.encodeWithSelector(
                IChannelSettlement.ChannelSettlementCheckpointTooRecent.selector, recent.time, proposedAt
            )
        );
        settlement.slashStaleProposal(id, recent, sigs);

        // exactly the delay before the proposal is stale
        IChannelSettlement.Checkpoint memory due = _cpAt(6, DELAY);
        settlement.slashStaleProposal(id, due, _signCp(id, due, _three(1, 2, 3)));
        vm.assertTrue(settlement.getParticipant(id, wallets[1]).slashed, "slashed at the bound");
    }

    function test_RevertWhen_StaleProposalWithoutAParticipantsProposal() public {
        IChannelSettlement.Checkpoint memory v2 = _cpAt(2, 2 hours);
        bytes[] memory sigs = _signCp(id, v2, _three(1, 2, 3));
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementNoProposal.selector, id));
        settlement.slashStaleProposal(id, v2, sigs); // channel open
        _proposeAs(reporter, _cpAt(1, 3 hours), _three(0, 1, 2));
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementNoProposal.selector, id));
        settlement.slashStaleProposal(id, v2, sigs); // proposed by an outsider: nobody to blame
    }

    function _forced() internal returns (uint64 recordedAt) {
        recordedAt = uint64(block.timestamp);
        vm.prank(wallets[0]);
        settlement.forceInclude(id, hex"0300010000000000000000000000000000000000002a");
    }

    // ---------------------------------------------------------------- bonds versus pending evidence

    /// After finalization the new evidence races releaseBond exactly like the old: evidence until the last second
    /// of the window, release from the first second after it, never both.
    function test_NewEvidenceAndReleaseBondNeverOverlap() public {
        _forced();
        vm.warp(block.timestamp + 5 hours);
        IChannelSettlement.Checkpoint memory v1 = _cpAt(1, 3 hours);
        v1.forcedCount = 1;
        _proposeAs(wallets[1], v1, _three(0, 1, 2));
        uint64 proposedAt = uint64(block.timestamp);
        vm.warp(settlement.getChannel(id).deadline);
        settlement.finalize(id);
        uint64 unlock = settlement.getChannel(id).deadline + WINDOW;

        vm.warp(unlock - 1);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementBondLocked.selector, id, unlock));
        vm.prank(wallets[1]);
        settlement.releaseBond(id);
        IChannelSettlement.Checkpoint memory v2 = _cp(2, keccak256("v2"));
        v2.time = (proposedAt - 2 hours) * 1000;
        v2.forcedCount = 1;
        settlement.slashStaleProposal(id, v2, _signCp(id, v2, _three(1, 2, 3)));
        vm.assertEq(_bondOf(1), 0, "slashed in the last second");

        vm.warp(unlock);
        vm.prank(wallets[3]);
        settlement.releaseBond(id);
        bytes[] memory sigs = _signCp(id, v2, _three(1, 2, 3));
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementEvidenceWindowClosed.selector, id, unlock)
        );
        settlement.slashStaleProposal(id, v2, sigs);
    }

    // ---------------------------------------------------------------- co-signers' reward

    /// With a checkpoint pending, a slashed bond goes to its co-signers only (not to a participant that did not sign).
    function test_CoSignersOfThePendingCheckpointShareASlash() public {
        _proposeAs(reporter, _cp(1, keccak256("r")), _three(0, 1, 2));
        IChannelSettlement.BlockHeader memory a = _header(id, 1, 7, keccak256("ops A"));
        IChannelSettlement.BlockHeader memory b = _header(id, 1, 7, keccak256("ops B"));
        settlement.slash(id, a, b);
        vm.assertEq(_owedEth(wallets[0]), 0.5 ether, "co-signer 0");
        vm.assertEq(_owedEth(wallets[2]), 0.5 ether, "co-signer 2");
        vm.assertEq(_owedEth(wallets[3]), 0, "participant 3 did not sign");
        vm.assertEq(_owedEth(wallets[1]), 0, "the offender");
    }

    /// A co-signer that is itself slashed earns nothing; if no co-signer is left, every honest participant shares.
    function test_CoSignerRewardFallsBackToEveryHonestParticipant() public {
        _proposeAs(reporter, _cp(1, keccak256("r")), _three(0, 1, 2));
        IChannelSettlement.BlockHeader memory a = _header(id, 0, 7, keccak256("ops A"));
        IChannelSettlement.BlockHeader memory b = _header(id, 0, 7, keccak256("ops B"));
        settlement.slash(id, a, b); // P0's bond to co-signers 1 and 2
        vm.assertEq(_owedEth(wallets[1]), 0.5 ether, "co-signer 1");
        a = _header(id, 2, 7, keccak256("ops A"));
        b = _header(id, 2, 7, keccak256("ops B"));
        settlement.slash(id, a, b); // P2's bond to co-signer 1 (0 is slashed)
        vm.assertEq(_owedEth(wallets[1]), 1.5 ether, "the only honest co-signer");
        a = _header(id, 1, 7, keccak256("ops A"));
        b = _header(id, 1, 7, keccak256("ops B"));
        settlement.slash(id, a, b); // no co-signer left: participant 3, the only honest one
        vm.assertEq(_owedEth(wallets[3]), 1 ether, "fallback to every honest participant");
    }
}
